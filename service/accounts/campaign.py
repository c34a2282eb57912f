"""The legacy re-verification campaign (the seed's point 3): every existing approval account keeps its
place but must pass real-person verification before further use. Admins follow progress per city in
their scope and remind those not yet verified by SMS (rate-limited per account and per admin, audited).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, Select, case, exists, func, select

from models.accounts import LIVE_STATUSES, Account, VerificationStatus
from models.base import db
from models.organisations import Organisation
from models.verifications import AttemptStatus, VerificationAttempt
from service import audit
from service.accounts.scopes import scoped_accounts
from service.auth.sms_senders import get_sender
from service.platform import ratelimit
from service.platform.errors import TooManyRequests

REMINDER_TEXT = (
    "【湘建云】您的审批账号尚未完成实人认证,请登录湘建云APP完成认证后继续使用。如有疑问请联系运维客服。"
)
PER_ACCOUNT = "1/day;3/month"  # how often one person may be reminded
PER_ADMIN = "500/day"  # how many reminders one admin may send


@dataclass(frozen=True)
class CityProgress:
    """One city's legacy accounts by verification outcome (``region`` "430000": provincial departments)."""

    region: str
    verified: int
    failed: int
    pending: int

    @property
    def total(self) -> int:
        return self.verified + self.failed + self.pending


def _failed_once() -> ColumnElement[bool]:
    return exists().where(
        VerificationAttempt.account_id == Account.id,
        VerificationAttempt.status.in_((AttemptStatus.FAILED, AttemptStatus.ERROR)),
    )


def _legacy(admin: Account) -> Select[Account]:
    return scoped_accounts(admin).where(Account.legacy.is_(True), Account.status.in_(LIVE_STATUSES))


def progress(admin: Account) -> list[CityProgress]:
    """Per city (by the organisation's division code), legacy accounts verified / failed / pending."""
    verified = Account.verification_status == VerificationStatus.REAL_PERSON
    # One row per account first, then grouped by plain columns: grouping by an expression with bound
    # parameters (substr's positions, the case's labels) is refused by PostgreSQL.
    per_account = (
        _legacy(admin)
        .with_only_columns(
            func.substr(Organisation.region_code, 1, 4).label("city"),
            case((verified, "verified"), (_failed_once(), "failed"), else_="pending").label("outcome"),
        )
        .subquery()
    )
    query = select(per_account.c.city, per_account.c.outcome, func.count()).group_by(
        per_account.c.city, per_account.c.outcome
    )
    counts: dict[str, dict[str, int]] = {}
    for prefix, state, count in db.session.execute(query):
        code = (prefix or "4300") + "00"
        counts.setdefault(code, {"verified": 0, "failed": 0, "pending": 0})[state] = count
    return [CityProgress(code, **c) for code, c in sorted(counts.items())]


def unverified(admin: Account, city: str | None = None) -> Select[Account]:
    """Legacy accounts in scope not yet verified (a city's only, when given), in id order."""
    query = _legacy(admin).where(Account.verification_status != VerificationStatus.REAL_PERSON)
    if city:
        province = current_app.config["PROVINCE_CODE"]
        region = Organisation.region_code
        query = query.where(region == province if city == province else region.like(city[:4] + "%"))
    return query.order_by(Account.id)


def send_reminders(admin: Account, accounts: Sequence[Account]) -> tuple[int, int]:
    """Text each (unverified, in-scope) account with a phone; returns (sent, skipped). Commits.

    An account reminded too recently is skipped, not an error; the admin's own daily budget is a hard
    limit (what was sent before it ran out is still recorded).
    """
    sent: list[int] = []
    skipped = 0
    sender = get_sender()
    try:
        for account in accounts:
            if not account.phone or account.verification_status is VerificationStatus.REAL_PERSON:
                skipped += 1
                continue
            try:
                ratelimit.enforce(
                    PER_ACCOUNT, "campaign-account", str(account.id), reason="recent", message=""
                )
            except TooManyRequests:
                skipped += 1
                continue
            ratelimit.enforce(
                PER_ADMIN, "campaign-admin", str(admin.id),
                reason="reminder_rate_limited", message="今日发送提醒短信已达上限,请明日再试",
            )  # fmt: skip
            sender.send(account.phone, REMINDER_TEXT, "reminder")
            sent.append(account.id)
    finally:
        audit.record(
            "campaign.remind",
            target_type="campaign",
            actor=admin,
            detail={"sent": len(sent), "skipped": skipped, "accounts": sent[:500]},
        )
        db.session.commit()
    return len(sent), skipped
