"""What an admin's account page reads about one account (用户权限管理 → 查看): its requests of every
kind and its live sessions. The account must already be scope-checked (``get_account_in_scope``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from models.accounts import Session
from models.base import db, utcnow
from models.requests import ReviewRequest


def request_history(account_id: int) -> Sequence[ReviewRequest]:
    """Every request about the account (new, change, cancel, permission), newest first."""
    query = select(ReviewRequest).where(ReviewRequest.account_id == account_id)
    return db.session.scalars(query.order_by(ReviewRequest.id.desc())).all()


def live_sessions(account_id: int) -> Sequence[Session]:
    """Sessions neither ended nor past their absolute expiry (idle ones end on their next use)."""
    query = select(Session).where(
        Session.account_id == account_id, Session.revoked_at.is_(None), Session.expires_at > utcnow()
    )
    return db.session.scalars(query.order_by(Session.id.desc())).all()
