"""运维客服: failed / error attempts with their evidence (images shown only here, each view audited;
the card's ID number and address masked until an audited reveal), re-run, a decision by hand, an
overturn, and the in-person counter verification. The rules live in ``service.verification``."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from models.accounts import Role
from models.verifications import AttemptStatus
from service.console.forms import ActionForm, CounterForm, ManualDecisionForm, ReasonForm
from service.console.web import back, bp, fail, form_errors, paginate, staff_required
from service.platform.errors import ServiceError
from service.verification import counter, evidence, support
from service.verification.reasons import describe

STATUS_CHOICES = [
    ("failed", "未通过"),
    ("needs_review", "待人工审核"),
    ("error", "系统异常"),
    ("expired", "已超时"),
    ("passed", "通过"),
    ("all", "全部"),
]


@bp.get("/support/attempts", endpoint="attempts")
@staff_required(Role.SUPPORT)
def attempt_list() -> str:
    status = request.args.get("status") or "failed"
    chosen = AttemptStatus(status) if status in {s.value for s in AttemptStatus} else None
    page = paginate(support.support_query(chosen, None))
    rows = [(a, describe(a.reasons)) for a in page.items]
    return render_template("console/attempts.html", page=page, rows=rows, status=status,
                           statuses=STATUS_CHOICES)  # fmt: skip


def _attempt_page(
    attempt_id: int, revealed: dict[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    attempt = support.get_attempt(attempt_id)
    return render_template(
        "console/attempt.html",
        attempt=attempt,
        reasons=describe(attempt.reasons),
        evidence=evidence.masked(attempt.evidence),
        revealed=revealed,
        action_form=ActionForm(),
        reason_form=ReasonForm(),
        decision_form=ManualDecisionForm(),
    ), status


@bp.get("/support/attempts/<int:attempt_id>")
@staff_required(Role.SUPPORT)
def attempt(attempt_id: int) -> tuple[str, int]:
    return _attempt_page(attempt_id)


@bp.get("/support/attempts/<int:attempt_id>/images/<int:image_id>")
@staff_required(Role.SUPPORT)
def attempt_image(attempt_id: int, image_id: int) -> Response:
    data, content_type = evidence.view_image(g.account, attempt_id, image_id)
    response = Response(data, mimetype=content_type)
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/support/attempts/<int:attempt_id>/reveal")
@staff_required(Role.SUPPORT)
def reveal(attempt_id: int) -> Any:
    form = ReasonForm()
    if not form.validate():
        form_errors(form)
        return back("console.attempt", attempt_id=attempt_id)
    revealed = evidence.reveal_card_fields(g.account, attempt_id, form.reason.data or "")
    return _attempt_page(attempt_id, revealed=revealed)


@bp.post("/support/attempts/<int:attempt_id>/rerun")
@staff_required(Role.SUPPORT)
def rerun(attempt_id: int) -> BaseResponse:
    try:
        new = support.rerun(g.account, attempt_id)
    except ServiceError as exc:
        fail(exc)
        return back("console.attempt", attempt_id=attempt_id)
    flash(f"已提交重新认证(新编号 {new.id}),处理完成后刷新本页查看结果", "info")
    return back("console.attempt", attempt_id=new.id)


def _decide(attempt_id: int, form: Any, act: Any, done: str) -> BaseResponse:
    if not form.validate():
        form_errors(form)
        return back("console.attempt", attempt_id=attempt_id)
    try:
        act(form)
    except ServiceError as exc:
        fail(exc)
        return back("console.attempt", attempt_id=attempt_id)
    flash(done, "info")
    return back("console.attempt", attempt_id=attempt_id)


@bp.post("/support/attempts/<int:attempt_id>/decision")
@staff_required(Role.SUPPORT)
def manual_decision(attempt_id: int) -> BaseResponse:
    def act(form: ManualDecisionForm) -> None:
        support.decide_manually(g.account, attempt_id, form.decision.data or "", form.reason.data or "")

    return _decide(attempt_id, ManualDecisionForm(), act, "人工审核结果已保存")


@bp.post("/support/attempts/<int:attempt_id>/overturn")
@staff_required(Role.SUPPORT)
def overturn(attempt_id: int) -> BaseResponse:
    def act(form: ReasonForm) -> None:
        support.overturn(g.account, attempt_id, form.reason.data or "")

    return _decide(attempt_id, ReasonForm(), act, "已改判")


@bp.route("/support/counter", methods=["GET", "POST"], endpoint="counter")
@staff_required(Role.SUPPORT)
def counter_page() -> Any:
    form = CounterForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                entry = counter.record(g.account, counter.CounterForm(
                    username=form.username.data or "", real_name=form.real_name.data or "",
                    id_number=form.id_number.data or "", office=form.office.data or "",
                    document=form.document.data or "", note=form.note.data or "",
                ))  # fmt: skip
            except ServiceError as exc:
                fail(exc)
                status = exc.status
            else:
                flash(f"已记录窗口核验,账号 {entry.account.username} 已完成实人认证", "info")
                return back("console.counter")
        else:
            form_errors(form)
            status = 422
    return render_template("console/counter.html", form=form, recent=counter.recent()), status
