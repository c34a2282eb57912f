"""Append events to the hash-chained audit log, and verify the chain.

``record`` adds the event to the caller's unit of work: it is committed (or rolled back) with the
change it describes, so the log never claims an act that did not happen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import select, text

from models.audit import AuditEvent
from models.base import db, utcnow

GENESIS = "0" * 64


def _canonical_time(at: dt.datetime) -> str:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: hash both as naive UTC.
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and every field a reader relies on."""
    body = {
        "prev": event.prev_hash,
        "at": _canonical_time(event.at),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "address": event.address,
        "detail": event.detail,
    }
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def _lock_chain() -> None:
    """Serialise appenders so two transactions never extend the same tail."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7233401)"))
    elif db.engine.dialect.name == "sqlite":
        # No advisory locks in SQLite: a write that touches no row takes the database's write lock
        # now, before the tail is read, so two requests (threads or processes) cannot both extend it.
        db.session.execute(text("UPDATE audit_events SET id = id WHERE 0 = 1"))


def record(
    action: str,
    *,
    target_type: str | None = None,
    target_id: Any = None,
    detail: dict[str, Any] | None = None,
    actor: Any = None,
    address: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` defaults to the signed-in account of the request, if any."""
    _lock_chain()
    actor = actor if actor is not None else (g.get("account") if has_request_context() else None)
    if address is None and has_request_context():
        address = request.remote_addr
    prev = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or (actor if isinstance(actor, str) else "system"),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        address=address,
        detail=detail,
        prev_hash=prev or GENESIS,
    )
    event.hash = event_hash(event)
    db.session.add(event)
    db.session.flush()
    return event


def verify_chain(batch: int = 1000) -> tuple[int, int | None]:
    """Walk the log in id order. Returns (events checked, id of the first broken event or None)."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return checked, None
        for event in rows:
            if event.prev_hash != prev or event_hash(event) != event.hash:
                return checked, event.id
            prev = event.hash
            checked += 1
            last_id = event.id
        db.session.expunge_all()
