"""Reading the audit log (审计日志) with filters, for the console's viewer. Read-only by design:
the log is append-only, and nothing here can change it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, select

from models.audit import AuditEvent


@dataclass(frozen=True)
class AuditFilters:
    """All optional: an action or its prefix (``review.``), an actor's name, a target, a day range."""

    action: str | None = None
    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def query(filters: AuditFilters) -> Select[AuditEvent]:
    """Events matching ``filters``, newest first (days are UTC calendar days)."""
    stmt = select(AuditEvent)
    if filters.action:
        prefix = filters.action.replace("%", "").replace("_", r"\_")
        stmt = stmt.where(AuditEvent.action.like(prefix + "%", escape="\\"))
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor == filters.actor)
    if filters.target_type:
        stmt = stmt.where(AuditEvent.target_type == filters.target_type)
    if filters.target_id:
        stmt = stmt.where(AuditEvent.target_id == filters.target_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(filters.since, dt.time(), dt.UTC))
    if filters.until:
        end = dt.datetime.combine(filters.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        stmt = stmt.where(AuditEvent.at < end)
    return stmt.order_by(AuditEvent.id.desc())
