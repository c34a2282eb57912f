"""What an admin does to accounts in scope (用户权限管理): find them, change and cancel them, end their
sessions, suspend and reactivate them. The functions expect an account already scope-checked
(``scopes.get_account_in_scope``) and own their unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_

from models.accounts import Account, AccountStatus, VerificationStatus
from models.base import db, utcnow
from models.organisations import Organisation
from service import audit
from service.accounts.registration import organisation_by_id
from service.accounts.scopes import organisation_in_scope, scoped_accounts
from service.accounts.status import set_account_status
from service.auth import throttle
from service.auth.sessions import revoke_all
from service.platform.crypto import lookup_hashes
from service.platform.errors import Conflict, InvalidInput

# What a change request or an admin edit may touch. Everything else is out of reach by design.
CHANGEABLE_FIELDS = ("department", "position", "organisation_id")


@dataclass(frozen=True)
class AccountFilters:
    """The account list's filters (all optional)."""

    q: str | None = None
    status: AccountStatus | None = None
    verification_status: VerificationStatus | None = None
    organisation_id: int | None = None


def list_in_scope(admin: Account, filters: AccountFilters) -> Select[Account]:
    """Accounts in ``admin``'s scope matching ``filters``, in id order."""
    query = search_filter(scoped_accounts(admin), filters.q)
    if filters.status:
        query = query.where(Account.status == filters.status)
    if filters.verification_status:
        query = query.where(Account.verification_status == filters.verification_status)
    if filters.organisation_id:
        query = query.where(Account.organisation_id == filters.organisation_id)
    return query.order_by(Account.id)


def apply_change(account: Account, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply allow-listed changes; returns {field: [old, new]} for the audit log. Caller commits."""
    diff: dict[str, Any] = {}
    for field in CHANGEABLE_FIELDS:
        if field in changes and changes[field] != getattr(account, field):
            if field == "organisation_id":
                organisation_by_id(changes[field])
            diff[field] = [getattr(account, field), changes[field]]
            setattr(account, field, changes[field])
    return diff


def cancel(account: Account) -> int:
    """Disable the account and end all its sessions. Caller commits. Returns sessions revoked."""
    set_account_status(account, AccountStatus.CANCELLED)
    account.cancelled_at = utcnow()
    return revoke_all(account.id, "account_cancelled")


def search_filter(query: Select[Account], q: str | None) -> Select[Account]:
    """Match a username, real name or organisation name fragment, a full phone, or a full ID number.

    An ID number is matched through its keyed hash: it is never compared in clear.
    """
    if not q:
        return query
    q = q.strip()
    if len(q) == 18 and q[:17].isdigit():
        return query.where(Account.id_number_hash.in_(lookup_hashes(q.upper())))
    pattern = f"%{q.replace('%', '').replace('_', '')}%"
    return query.where(
        or_(
            Account.username.ilike(pattern),
            Account.real_name.like(pattern),
            Account.phone == q,
            Organisation.name.like(pattern),
        )
    )


def admin_change(admin: Account, account: Account, changes: dict[str, Any], reason: str) -> Account:
    """A direct change by an admin (already scope-checked); a transfer must stay within scope."""
    if "organisation_id" in changes and not organisation_in_scope(admin, changes["organisation_id"]):
        raise InvalidInput(
            "organisation_out_of_scope",
            "目标单位不在本管理员管辖范围内",
            errors={"organisation_id": ["目标单位不在管辖范围内"]},
        )
    diff = apply_change(account, changes)
    audit.record(
        "account.change",
        target_type="account",
        target_id=account.id,
        detail={"changes": diff, "reason": reason},
    )
    db.session.commit()
    return account


def admin_cancel(account: Account, reason: str) -> Account:
    if account.status is AccountStatus.CANCELLED:
        raise Conflict("account_cancelled", "该账号已注销")
    revoked = cancel(account)
    audit.record("account.cancel", target_type="account", target_id=account.id,
                 detail={"reason": reason, "sessions_revoked": revoked})  # fmt: skip
    db.session.commit()
    return account


def end_sessions(account: Account, reason: str) -> int:
    """An admin ends every session of ``account``. Returns how many were live."""
    revoked = revoke_all(account.id, "admin_revoked")
    audit.record("session.revoked_by_admin", target_type="account", target_id=account.id,
                 detail={"reason": reason, "sessions_revoked": revoked})  # fmt: skip
    db.session.commit()
    return revoked


def suspend(account: Account, reason: str) -> Account:
    if account.status is not AccountStatus.ACTIVE:
        raise Conflict("account_not_suspendable", "只能停用已启用的账号")
    set_account_status(account, AccountStatus.SUSPENDED)
    revoked = revoke_all(account.id, "account_suspended")
    audit.record("account.suspend", target_type="account", target_id=account.id,
                 detail={"reason": reason, "sessions_revoked": revoked})  # fmt: skip
    db.session.commit()
    return account


def reactivate(account: Account, reason: str) -> Account:
    if account.status is not AccountStatus.SUSPENDED:
        raise Conflict("account_not_suspended", "该账号未被停用")
    set_account_status(account, AccountStatus.ACTIVE)
    throttle.clear(throttle.account_subject(account.id))
    audit.record("account.reactivate", target_type="account", target_id=account.id, detail={"reason": reason})
    db.session.commit()
    return account
