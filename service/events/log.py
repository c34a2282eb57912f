"""Append to the event log, in the caller's transaction, and read it in order.

``emit`` is called only by the lifecycle functions (``service.verification.lifecycle`` for attempts
and account verification, ``service.accounts.status`` for account status), so there is no change
without its event and no event without its change: both commit or neither does.

Webhooks and event streams follow as soon as an event commits: the commit pushes a nudge onto a
Redis list (``NUDGE_KEY``) that ``flask scheduler`` blocks on between its ticks, so it pumps at once
instead of at its next tick, and publishes on ``COMMIT_CHANNEL``, which wakes every web process's
stream hub (``service.events.hub``). Both are hints: the scheduler's tick and the hub's poll still
come if Redis lost them.

Ordering: on PostgreSQL, appenders take a transaction-scoped advisory lock, so a later id never
commits before an earlier one and a reader that has seen id N has seen every id below N. SQLite
serialises writers anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import ColumnElement, Select, event, false, or_, select, text
from sqlalchemy.orm import Session

from models.accounts import Account
from models.base import db, utcnow
from models.events import Event
from models.regions import code_prefix
from service.platform.extensions import redis_store

_LOCK_KEY = 7233402  # beside the audit chain's 7233401
#: The Redis list a commit with events pushes onto (kept short: one nudge wakes one pump for all).
NUDGE_KEY = "xjy:events:committed"
#: The Redis channel a commit with events publishes on (every web process's hub listens).
COMMIT_CHANNEL = "xjy:events:commits"
_EMITTED = "xjy_events_emitted"
#: Every event type, with what it means (documented in the OpenAPI description and the README).
TYPES = {
    "verification.status": "an attempt's status changed (data: attempt status, previous status)",
    "account.verification": "an account's verification status changed (data: status, previous)",
    "account.status": "an account's status changed: reviewed, suspended, cancelled (data: status, previous)",
    "review.status": "a request's review status changed (data: review_id, kind, status, previous)",
    "verification.card": "the early card read of an attempt moved on (data: card_status)",
}


def emit(type_: str, account: Account, *, attempt_id: int | None = None, **data: Any) -> Event:
    """Append one event for ``account`` to the current transaction (the caller commits)."""
    if type_ not in TYPES:
        raise ValueError(f"unknown event type {type_}")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    event = Event(
        at=utcnow(),
        type=type_,
        account_id=account.id,
        attempt_id=attempt_id,
        region_code=account.region_code,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    _nudge_after_commit(db.session())
    return event


def _nudge_after_commit(session: Session) -> None:
    """Mark the transaction as carrying events; once it commits, ``_nudge`` wakes the deliveries."""
    session.info[_EMITTED] = True
    kind = type(session)
    if not event.contains(kind, "after_commit", _nudge):
        event.listen(kind, "after_commit", _nudge)
        event.listen(kind, "after_rollback", _forget)


def _nudge(session: Session) -> None:
    if session.info.pop(_EMITTED, False):
        wake_deliveries(streams=True)


def wake_deliveries(*, streams: bool = False) -> None:
    """Wake the scheduler's webhook pump now (and, with ``streams``, the web processes' stream hubs).
    Best effort: with Redis away (or none configured) the next tick delivers."""
    try:
        pipe = redis_store.client.pipeline(transaction=False)
        pipe.rpush(NUDGE_KEY, b"1")
        pipe.ltrim(NUDGE_KEY, -10, -1)
        if streams:
            pipe.publish(COMMIT_CHANNEL, b"1")
        pipe.execute()
    except (RedisError, RuntimeError):
        pass


def _forget(session: Session) -> None:
    session.info.pop(_EMITTED, None)


def region_predicate(regions: Sequence[str]) -> ColumnElement[bool]:
    """Events of accounts in ``regions`` (a province code covers the province, a city its counties)."""
    clauses = [Event.region_code.like(code_prefix(code) + "%") for code in regions]
    return or_(*clauses) if clauses else false()


def after(cursor: int, *, where: ColumnElement[bool], limit: int) -> Sequence[Event]:
    """Events after ``cursor`` matching ``where``, oldest first."""
    query: Select[Event] = select(Event).where(Event.id > cursor, where).order_by(Event.id).limit(limit)
    return db.session.scalars(query).all()


def latest_id() -> int:
    """The newest event's id (0 when the log is empty): where a new follower starts."""
    return db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
