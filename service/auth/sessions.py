"""Opaque bearer sessions: 256-bit tokens stored as SHA-256, with idle and absolute expiry.

A session's ``scope`` says what it may do: ``full`` for normal work, ``verification`` for the
short-lived token of an account that must first prove who it is (the login gate).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import current_app, has_request_context, request
from sqlalchemy import CursorResult, select, update

from models.accounts import Account, AccountStatus, Session
from models.base import as_utc, db, utcnow
from service.platform.crypto import new_token, token_digest
from service.platform.errors import Unauthorized

# Don't write last_seen_at on every request: once a minute is precise enough for a 30-minute idle limit.
_TOUCH_EVERY = dt.timedelta(seconds=60)
LOGIN_STATUSES = (AccountStatus.PENDING, AccountStatus.ACTIVE)


def open_session(
    account: Account, method: str, scope: str = "full", lifetime: int | None = None
) -> tuple[str, Session]:
    """Create a session and return the token (shown once) with its row. The caller commits.

    ``lifetime`` (seconds) defaults to ``SESSION_ABSOLUTE_SECONDS``.
    """
    token, digest = new_token()
    now = utcnow()
    lifetime = lifetime or current_app.config["SESSION_ABSOLUTE_SECONDS"]
    session = Session(
        account_id=account.id,
        token_hash=digest,
        scope=scope,
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=lifetime),
        address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(session)
    db.session.flush()
    return token, session


def idle_deadline(session: Session) -> dt.datetime:
    return as_utc(session.last_seen_at) + dt.timedelta(seconds=current_app.config["SESSION_IDLE_SECONDS"])


def resolve(token: str) -> Session:
    """The live session for a bearer token, touched; raises Unauthorized otherwise."""
    session = db.session.scalar(select(Session).where(Session.token_hash == token_digest(token)))
    now = utcnow()
    if session is None or session.revoked_at is not None:
        raise Unauthorized("session_invalid", "登录已失效,请重新登录")
    if now >= as_utc(session.expires_at) or now >= idle_deadline(session):
        raise Unauthorized("session_expired", "登录已超时,请重新登录")
    if session.account.status not in LOGIN_STATUSES:
        raise Unauthorized("session_invalid", "登录已失效,请重新登录")
    if now - as_utc(session.last_seen_at) >= _TOUCH_EVERY:
        session.last_seen_at = now
        db.session.commit()
    return session


def revoke(session: Session, reason: str) -> None:
    session.revoked_at = utcnow()
    session.revoked_reason = reason


def revoke_all(account_id: int, reason: str, keep: int | None = None) -> int:
    """End every live session of an account (cancel, suspend, password change) but ``keep``.

    The caller commits.
    """
    query = update(Session).where(Session.account_id == account_id, Session.revoked_at.is_(None))
    if keep is not None:
        query = query.where(Session.id != keep)
    # An UPDATE gives a CursorResult (rowcount); Session.execute is typed as returning a plain Result.
    result = cast(
        "CursorResult[Any]", db.session.execute(query.values(revoked_at=utcnow(), revoked_reason=reason))
    )
    return result.rowcount or 0
