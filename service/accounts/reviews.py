"""The administrators' review queue (待办审核): list, view and decide, always within scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from models.accounts import Account, AccountStatus, VerificationStatus
from models.base import db, utcnow
from models.organisations import Organisation
from models.requests import RequestKind, RequestStatus, ReviewRequest
from service import audit
from service.accounts import management, permissions
from service.accounts.registration import organisation_by_id
from service.accounts.scopes import account_predicate, organisation_in_scope
from service.accounts.status import record_review_status, set_account_status
from service.platform.errors import Conflict, InvalidInput, NotFound

ACCOUNT_KINDS = (RequestKind.NEW, RequestKind.CHANGE, RequestKind.CANCEL)
NOT_VERIFIED = ("account_not_verified", "该账号尚未通过实人认证(线上人脸识别或窗口核验),不能审核通过")


def submit_account_request(
    account: Account, kind: str, changes: dict[str, Any] | None, note: str | None
) -> ReviewRequest:
    """A change or cancel request by the account holder; one open request at a time."""
    request_kind = RequestKind(kind)
    if request_kind is RequestKind.CHANGE and not changes:
        raise InvalidInput(
            "changes_missing", "请填写需要变更的内容", errors={"changes": ["请填写需要变更的内容"]}
        )
    if permissions.pending_exists(account.id, (RequestKind.CHANGE, RequestKind.CANCEL)):
        raise Conflict("request_pending", "已有待审核的变更或注销申请")
    if changes and "organisation_id" in changes:
        organisation_by_id(changes["organisation_id"])
    request = ReviewRequest(
        kind=request_kind,
        account_id=account.id,
        submitted_by_id=account.id,
        payload=changes if request_kind is RequestKind.CHANGE else None,
        note=note,
    )
    db.session.add(request)
    db.session.flush()
    record_review_status(request)
    audit.record(f"account.request_{kind}", target_type="review", target_id=request.id)
    db.session.commit()
    return request


def scoped_reviews(admin: Account) -> Select[ReviewRequest]:
    return (
        select(ReviewRequest)
        .join(Account, ReviewRequest.account_id == Account.id)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .where(account_predicate(admin))
    )


#: What the list's ``kind`` filter accepts: a category (account / permission) or a kind the items show.
KIND_FILTERS = ("account", *(k.value for k in RequestKind))


def list_query(
    admin: Account, kind: str | None, status: str | None, region: str | None = None
) -> Select[ReviewRequest]:
    """Requests in ``admin``'s scope, oldest first; ``kind`` is a category or one request kind,
    ``region`` a division code (a city takes its counties and districts along)."""
    query = scoped_reviews(admin)
    if region:
        prefix = region[:4] + "%" if region.endswith("00") and not region.endswith("0000") else region
        query = query.where(or_(Organisation.region_code.like(prefix), Account.admin_region_code == region))
    if kind == "account":
        query = query.where(ReviewRequest.kind.in_(ACCOUNT_KINDS))
    elif kind:
        query = query.where(ReviewRequest.kind == RequestKind(kind))
    if status:
        query = query.where(ReviewRequest.status == RequestStatus(status))
    return query.order_by(ReviewRequest.created_at, ReviewRequest.id)


def get_review(admin: Account, review_id: int, *, for_update: bool = False) -> ReviewRequest:
    query = scoped_reviews(admin).where(ReviewRequest.id == review_id)
    if for_update:
        query = query.with_for_update(of=ReviewRequest)
    review = db.session.scalar(query)
    if review is None:
        raise NotFound()
    return review


def decide(admin: Account, review_id: int, decision: str, reason: str | None) -> ReviewRequest:
    """Approve or reject; an approval takes effect in the same transaction as the decision."""
    review = get_review(admin, review_id, for_update=True)
    if review.status is not RequestStatus.PENDING:
        raise Conflict("review_already_decided", "该申请已审核,不能重复审核")
    if decision == "reject" and not (reason and reason.strip()):
        raise InvalidInput("reason_required", "驳回时须填写理由", errors={"reason": ["驳回时须填写理由"]})
    effect: dict[str, Any] = {}
    previous = review.status
    if decision == "approve":
        effect = _apply(admin, review)
        review.status = RequestStatus.APPROVED
    else:
        review.status = RequestStatus.REJECTED
        if review.kind is RequestKind.NEW:
            set_account_status(review.account, AccountStatus.REJECTED)
    review.reviewer_id = admin.id
    review.decision_reason = reason
    review.decided_at = utcnow()
    record_review_status(review, previous)
    audit.record(
        f"review.{decision}",
        target_type="review",
        target_id=review.id,
        detail={"kind": review.kind.value, "account_id": review.account_id, "reason": reason, **effect},
    )
    db.session.commit()
    return review


def approval_blocker(review: ReviewRequest) -> tuple[str, str] | None:
    """Why ``review`` cannot be approved now, or None. The seed's flow puts real-person verification
    (online, or in person at a support counter) before the admin's review: a new account is approved
    only once it has passed, so no account goes live on a declared identity alone."""
    if (
        review.kind is RequestKind.NEW
        and review.account.verification_status is not VerificationStatus.REAL_PERSON
    ):
        return NOT_VERIFIED
    return None


def _apply(admin: Account, review: ReviewRequest) -> dict[str, Any]:
    account = review.account
    if review.kind is RequestKind.NEW:
        if account.status is not AccountStatus.PENDING:
            raise Conflict("account_not_pending", "该账号不处于待审核状态")
        blocker = approval_blocker(review)
        if blocker is not None:
            raise Conflict(*blocker)
        set_account_status(account, AccountStatus.ACTIVE)
        return {}
    if review.kind is RequestKind.CHANGE:
        changes = review.payload or {}
        if "organisation_id" in changes and not organisation_in_scope(admin, changes["organisation_id"]):
            raise InvalidInput(
                "organisation_out_of_scope", "目标单位不在本管理员管辖范围内,请驳回后由对应管理员办理"
            )
        return {"changes": management.apply_change(account, changes)}
    if review.kind is RequestKind.CANCEL:
        return {"sessions_revoked": management.cancel(account)}
    return {"grants_added": permissions.grant(review)}
