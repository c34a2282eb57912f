"""Permission requests on approval matters (事项权限申请) and the grants they produce."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from models.accounts import Account
from models.base import db, utcnow
from models.matters import Matter
from models.requests import Grant, PermissionItem, RequestKind, RequestStatus, ReviewRequest
from service import audit
from service.accounts.status import record_review_status
from service.platform.errors import InvalidInput

ROLES = ("acceptor", "handler")


@dataclass(frozen=True)
class PermissionChoice:
    """One matter applied for, with the roles wanted on it (受理人员 and/or 办理人员)."""

    matter_code: str
    acceptor: bool = False
    handler: bool = False


def _check_items(items: Sequence[PermissionChoice]) -> None:
    codes = [item.matter_code for item in items]
    if len(set(codes)) != len(codes):
        raise InvalidInput(
            "duplicate_matter", "同一事项只能申请一次", errors={"items": ["同一事项只能申请一次"]}
        )
    known = set(db.session.scalars(select(Matter.code).where(Matter.code.in_(codes))))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise InvalidInput(
            "matter_unknown", "事项不存在", errors={"items": [f"事项不存在: {c}" for c in unknown]}
        )
    if any(not (item.acceptor or item.handler) for item in items):
        message = "每个事项至少选择受理人员或办理人员之一"
        raise InvalidInput("permission_role_missing", message, errors={"items": [message]})


def submit(account: Account, items: Sequence[PermissionChoice], note: str | None) -> ReviewRequest:
    """One request covering several matters, reviewed as a whole."""
    _check_items(items)
    request = ReviewRequest(
        kind=RequestKind.PERMISSION, account_id=account.id, submitted_by_id=account.id, note=note
    )
    request.items = [
        PermissionItem(matter_code=i.matter_code, acceptor=i.acceptor, handler=i.handler) for i in items
    ]
    db.session.add(request)
    db.session.flush()
    record_review_status(request)
    audit.record(
        "permission.request", target_type="review", target_id=request.id, detail={"matters": len(items)}
    )
    db.session.commit()
    return request


def grant(request: ReviewRequest) -> int:
    """Turn an approved request's items into grants, skipping roles already held. Caller commits."""
    rows = db.session.execute(
        select(Grant.matter_code, Grant.role).where(Grant.account_id == request.account_id)
    )
    held = {(code, role) for code, role in rows}
    added = 0
    for item in request.items:
        for role in ROLES:
            if getattr(item, role) and (item.matter_code, role) not in held:
                db.session.add(
                    Grant(
                        account_id=request.account_id,
                        matter_code=item.matter_code,
                        role=role,
                        request_id=request.id,
                        granted_at=utcnow(),
                    )
                )
                added += 1
    return added


def grants_of(account_id: int) -> list[Grant]:
    return list(
        db.session.scalars(select(Grant).where(Grant.account_id == account_id).order_by(Grant.matter_code))
    )


def own_requests(account_id: int) -> list[ReviewRequest]:
    query = (
        select(ReviewRequest)
        .where(ReviewRequest.account_id == account_id, ReviewRequest.kind == RequestKind.PERMISSION)
        .order_by(ReviewRequest.id.desc())
    )
    return list(db.session.scalars(query))


def pending_exists(account_id: int, kinds: tuple[RequestKind, ...]) -> bool:
    query = select(ReviewRequest.id).where(
        ReviewRequest.account_id == account_id,
        ReviewRequest.kind.in_(kinds),
        ReviewRequest.status == RequestStatus.PENDING,
    )
    return db.session.scalar(query.limit(1)) is not None
