"""待办审核: the requests in the admin's scope, and a review page that shows the request beside the
account's verification result. Approval rules live in ``service.accounts.reviews``."""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from models.accounts import Role
from models.base import db
from service.accounts import reviews
from service.console.forms import ReviewDecisionForm
from service.console.web import ADMINS, back, bp, fail, form_errors, paginate, staff_required
from service.platform.errors import ServiceError
from service.reference import catalogue
from service.verification import counter, support
from service.verification.reasons import describe

KIND_CHOICES = [("", "全部"), ("new", "新增账号"), ("change", "账号变更"), ("cancel", "账号注销"),
                ("permission", "权限申请")]  # fmt: skip


def region_choices() -> list[tuple[str, str]]:
    """What the admin may filter by: cities for the province, its counties for a city admin."""
    admin = g.account
    if admin.role is Role.PROVINCE_ADMIN:
        province = catalogue.regions(None)[0]
        return [(province.code, "省直部门"), *((r.code, r.name) for r in catalogue.regions(province.code))]
    if admin.admin_region_code:
        return [(r.code, r.name) for r in catalogue.regions(admin.admin_region_code)]
    return []


@bp.get("/reviews", endpoint="reviews")
@staff_required(*ADMINS)
def review_list() -> str:
    kind = request.args.get("kind") or None
    kind = kind if kind in reviews.KIND_FILTERS else None
    regions = region_choices()
    region = request.args.get("region") or None
    region = region if region in {code for code, _ in regions} else None
    page = paginate(reviews.list_query(g.account, kind, "pending", region))
    return render_template("console/reviews.html", page=page, kind=kind or "", region=region or "",
                           kinds=KIND_CHOICES, regions=regions)  # fmt: skip


def _verification(account_id: int) -> dict[str, Any]:
    attempts = support.support_query(None, account_id).limit(5)
    rows = db.session.scalars(attempts).all()
    return {
        "attempts": [(a, describe(a.reasons)) for a in rows],
        "counters": counter.of_account(account_id),
    }


@bp.get("/reviews/<int:review_id>")
@staff_required(*ADMINS)
def review(review_id: int) -> str:
    item = reviews.get_review(g.account, review_id)
    blocker = reviews.approval_blocker(item)
    return render_template("console/review.html", review=item, blocker=blocker[1] if blocker else None,
                           form=ReviewDecisionForm(), **_verification(item.account_id))  # fmt: skip


@bp.post("/reviews/<int:review_id>/decision")
@staff_required(*ADMINS)
def decide(review_id: int) -> BaseResponse:
    form = ReviewDecisionForm()
    if not form.validate():
        form_errors(form)
        return back("console.review", review_id=review_id)
    try:
        reviews.decide(
            g.account, review_id, form.decision.data or "", (form.reason.data or "").strip() or None
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        fail(exc)
        return back("console.review", review_id=review_id)
    flash("已审核通过" if form.decision.data == "approve" else "已驳回", "info")
    return back("console.reviews")
