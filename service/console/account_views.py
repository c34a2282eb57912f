"""用户权限管理: the accounts in the admin's scope and one account's page (grants, requests,
verification, sessions, certificates) with its change, cancel and end-sessions acts."""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from models.accounts import AccountStatus, VerificationStatus
from models.base import db
from service.accounts import management, overview, permissions
from service.accounts.scopes import get_account_in_scope
from service.auth.certificate_login import live_certificates
from service.console.forms import AccountChangeForm, ReasonForm
from service.console.web import ADMINS, back, bp, fail, form_errors, paginate, staff_required
from service.platform.errors import ServiceError
from service.verification import counter, support
from service.verification.reasons import describe


def _enum(kind: Any, value: str | None) -> Any:
    return kind(value) if value in {m.value for m in kind} else None


@bp.get("/accounts", endpoint="accounts")
@staff_required(*ADMINS)
def account_list() -> str:
    filters = management.AccountFilters(
        q=(request.args.get("q") or "").strip()[:64] or None,
        status=_enum(AccountStatus, request.args.get("status")),
        verification_status=_enum(VerificationStatus, request.args.get("verification")),
    )
    page = paginate(management.list_in_scope(g.account, filters))
    return render_template("console/accounts.html", page=page, args=request.args)


@bp.get("/accounts/<int:account_id>")
@staff_required(*ADMINS)
def account(account_id: int) -> str:
    target = get_account_in_scope(g.account, account_id)
    attempts = db.session.scalars(support.support_query(None, target.id).limit(10)).all()
    return render_template(
        "console/account.html",
        account=target,
        grants=permissions.grants_of(target.id),
        history=overview.request_history(target.id),
        attempts=[(a, describe(a.reasons)) for a in attempts],
        counters=counter.of_account(target.id),
        sessions=overview.live_sessions(target.id),
        certificates=live_certificates(target.id),
        change_form=AccountChangeForm(department=target.department, position=target.position),
        reason_form=ReasonForm(),
    )


def _act(account_id: int, form: Any, act: Any, done: str) -> BaseResponse:
    """Scope-check, validate, run one domain act; refusals are shown on the account page."""
    target = get_account_in_scope(g.account, account_id)
    if not form.validate():
        form_errors(form)
        return back("console.account", account_id=account_id)
    try:
        act(target, form)
    except ServiceError as exc:
        fail(exc)
        return back("console.account", account_id=account_id)
    flash(done, "info")
    return back("console.account", account_id=account_id)


@bp.post("/accounts/<int:account_id>/sessions/end")
@staff_required(*ADMINS)
def end_sessions(account_id: int) -> BaseResponse:
    return _act(account_id, ReasonForm(), lambda a, f: management.end_sessions(a, f.reason.data),
                "已结束该账号的全部登录会话")  # fmt: skip


@bp.post("/accounts/<int:account_id>/cancel")
@staff_required(*ADMINS)
def cancel(account_id: int) -> BaseResponse:
    return _act(
        account_id, ReasonForm(), lambda a, f: management.admin_cancel(a, f.reason.data), "账号已注销"
    )


@bp.post("/accounts/<int:account_id>/change")
@staff_required(*ADMINS)
def change(account_id: int) -> BaseResponse:
    def act(target: Any, form: AccountChangeForm) -> None:
        changes = {"department": form.department.data, "position": form.position.data}
        management.admin_change(g.account, target, changes, form.reason.data or "")

    return _act(account_id, AccountChangeForm(), act, "账号信息已变更")


@bp.post("/accounts/<int:account_id>/suspend")
@staff_required(*ADMINS)
def suspend(account_id: int) -> BaseResponse:
    return _act(account_id, ReasonForm(), lambda a, f: management.suspend(a, f.reason.data), "账号已停用")


@bp.post("/accounts/<int:account_id>/reactivate")
@staff_required(*ADMINS)
def reactivate(account_id: int) -> BaseResponse:
    return _act(
        account_id, ReasonForm(), lambda a, f: management.reactivate(a, f.reason.data), "账号已恢复启用"
    )
