"""In-person verification at a support counter (窗口核验): the non-face path for people who cannot or
will not pass face recognition online (the seed's point 3 sends them to support).

Support staff hold the original card in hand and type its name and number; both must agree with what
the account declared (the number through its keyed hash, never compared in clear). The record, the
account's new status and the audit event are one unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from models.accounts import LIVE_STATUSES, Account, VerificationStatus
from models.base import db, utcnow
from models.counter import CounterVerification
from service import audit
from service.platform import ratelimit
from service.platform.crypto import lookup_hashes
from service.platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from service.verification import lifecycle

MISMATCH = ("counter_identity_mismatch", "证件上的姓名或身份证号与账号登记信息不一致")
# Mismatches one staff member may record per hour: the form must not become a way to guess ID numbers.
MISMATCH_LIMIT = "10/hour"


@dataclass(frozen=True)
class CounterForm:
    """What support staff record at the counter."""

    username: str
    real_name: str
    id_number: str
    office: str
    document: str
    note: str


def _account(username: str) -> Account:
    account = db.session.scalar(
        select(Account).where(Account.username == username.strip(), Account.status.in_(LIVE_STATUSES))
    )
    if account is None:
        raise NotFound("account_not_found", "未找到该账号")
    return account


def record(staff: Account, form: CounterForm) -> CounterVerification:
    """Record a counter verification and mark the account real-person verified. Commits."""
    account = _account(form.username)
    if account.id == staff.id:
        raise Forbidden("counter_self", "不能为本人账号登记窗口核验")
    if account.verification_status is VerificationStatus.REAL_PERSON:
        raise Conflict("already_verified", "该账号已通过实人认证,无需窗口核验")
    number = form.id_number.strip().upper()
    same_number = account.id_number_hash in lookup_hashes(number)
    if form.real_name.strip() != (account.real_name or "") or not same_number:
        ratelimit.enforce(MISMATCH_LIMIT, "counter-mismatch", str(staff.id), reason="counter_rate_limited",
                          message="核验不一致次数过多,请稍后再试")  # fmt: skip
        audit.record(
            "verification.counter_mismatch",
            target_type="account",
            target_id=account.id,
            actor=staff,
            detail={"office": form.office},
        )
        db.session.commit()
        raise InvalidInput(*MISMATCH, errors={"id_number": [MISMATCH[1]]})
    entry = CounterVerification(
        account_id=account.id, staff_id=staff.id, office=form.office.strip(), document=form.document,
        note=form.note.strip(), created_at=utcnow(),
    )  # fmt: skip
    db.session.add(entry)
    db.session.flush()
    lifecycle.set_account_verification(account, VerificationStatus.REAL_PERSON)
    audit.record(
        "verification.counter",
        target_type="account",
        target_id=account.id,
        actor=staff,
        detail={"counter_verification_id": entry.id, "office": entry.office, "document": entry.document},
    )
    db.session.commit()
    return entry


def of_account(account_id: int) -> Sequence[CounterVerification]:
    """The counter verifications of one account, newest first."""
    query = select(CounterVerification).where(CounterVerification.account_id == account_id)
    return db.session.scalars(query.order_by(CounterVerification.id.desc())).all()


def recent(limit: int = 20) -> Sequence[CounterVerification]:
    """The latest counter verifications (support's page)."""
    query = select(CounterVerification).order_by(CounterVerification.id.desc()).limit(limit)
    return db.session.scalars(query).all()
