"""The console's dashboard figures: pending reviews per city, and verification outcomes per day with
the commonest failure reasons, always within the viewer's scope (support sees every account)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models.accounts import Account, Role
from models.base import CHINA_TIME, as_utc, db, utcnow
from models.organisations import Organisation
from models.requests import RequestStatus, ReviewRequest
from models.verifications import AttemptStatus, VerificationAttempt
from service.accounts.reviews import scoped_reviews
from service.accounts.scopes import account_predicate


@dataclass
class DayOutcomes:
    """One day's finished attempts (passed / failed / error) and its failure reasons by count."""

    day: dt.date
    passed: int = 0
    failed: int = 0
    error: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def pass_rate(self) -> float | None:
        total = self.passed + self.failed + self.error
        return self.passed / total if total else None


def pending_by_city(admin: Account) -> list[tuple[str, int]]:
    """(city code, pending requests) in ``admin``'s scope; "430000" holds the provincial departments."""
    region = func.coalesce(Organisation.region_code, Account.admin_region_code)
    # Grouped over a subquery's plain column: PostgreSQL refuses GROUP BY substr(..., $1, $2).
    per_request = (
        scoped_reviews(admin)
        .where(ReviewRequest.status == RequestStatus.PENDING)
        .with_only_columns(func.substr(region, 1, 4).label("city"))
        .subquery()
    )
    query = select(per_request.c.city, func.count()).group_by(per_request.c.city)
    return sorted(((prefix or "4300") + "00", count) for prefix, count in db.session.execute(query))


def daily_outcomes(viewer: Account, days: int = 14) -> list[DayOutcomes]:
    """The last ``days`` days (Beijing time), oldest first, of attempts finished in scope."""
    today = utcnow().astimezone(CHINA_TIME).date()
    table = {today - dt.timedelta(days=n): DayOutcomes(today - dt.timedelta(days=n)) for n in range(days)}
    # In UTC: SQLite compares stored times as text, without their offset.
    since = dt.datetime.combine(min(table), dt.time(), CHINA_TIME).astimezone(dt.UTC)
    query = (
        select(VerificationAttempt.finished_at, VerificationAttempt.status, VerificationAttempt.reasons)
        .join(Account, VerificationAttempt.account_id == Account.id)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .where(VerificationAttempt.finished_at >= since)
        .where(
            VerificationAttempt.status.in_((AttemptStatus.PASSED, AttemptStatus.FAILED, AttemptStatus.ERROR))
        )
    )
    if viewer.role is not Role.SUPPORT:
        query = query.where(account_predicate(viewer))
    for finished_at, status, reasons in db.session.execute(query):
        entry = table.get(as_utc(finished_at).astimezone(CHINA_TIME).date()) if finished_at else None
        if entry is None:
            continue
        setattr(entry, status.value, getattr(entry, status.value) + 1)
        if status is not AttemptStatus.PASSED:
            entry.reasons.update(reasons or [])
    return [table[day] for day in sorted(table)]


def top_reasons(outcomes: list[DayOutcomes], limit: int = 5) -> list[tuple[str, int]]:
    """The commonest failure reasons over the whole period."""
    total: Counter[str] = Counter()
    for entry in outcomes:
        total.update(entry.reasons)
    return total.most_common(limit)
