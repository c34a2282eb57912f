"""Login methods. Each proves a secret, then opens a session through one path (``_open``)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from models.accounts import Account, Session
from models.base import db
from service import audit
from service.auth.sessions import LOGIN_STATUSES, open_session, revoke
from service.errors import Unauthorized
from service.security import hash_password, password_needs_rehash, verify_password

LOGIN_FAILED = ("login_failed", "用户名或密码错误")


def _open(account: Account, method: str) -> dict[str, Any]:
    token, session = open_session(account, method)
    audit.record(
        "session.login", target_type="account", target_id=account.id, actor=account, detail={"method": method}
    )
    db.session.commit()
    return {
        "token": token,
        "scope": session.scope,
        "expires_at": session.expires_at,
        "idle_timeout": current_app.config["SESSION_IDLE_SECONDS"],
        "account": account,
    }


def password_login(username: str, password: str) -> dict[str, Any]:
    """Unknown user and wrong password answer alike, and cost the same argon2 verification."""
    account = db.session.scalar(select(Account).where(Account.username == username))
    if not verify_password(account.password_hash if account else None, password) or account is None:
        audit.record("session.login_failed", target_type="account", target_id=getattr(account, "id", None),
                     actor=username[:64], detail={"method": "password"})  # fmt: skip
        db.session.commit()
        raise Unauthorized(*LOGIN_FAILED)
    if account.status not in LOGIN_STATUSES:
        audit.record("session.login_refused", target_type="account", target_id=account.id, actor=account,
                     detail={"status": account.status.value})  # fmt: skip
        db.session.commit()
        raise Unauthorized("account_disabled", "账号已停用或注销,请联系管理员")
    if password_needs_rehash(account.password_hash or ""):
        account.password_hash = hash_password(password)
    return _open(account, "password")


def logout(session: Session) -> None:
    revoke(session, "logout")
    audit.record("session.logout", target_type="account", target_id=session.account_id)
    db.session.commit()
