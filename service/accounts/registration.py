"""Account life cycle: registration, creation by operators, changes, cancellation.

Plain functions that own their unit of work; views and CLI commands call them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import IntegrityError

from idverify.idnumber import mask_id_number
from models.accounts import LIVE_STATUSES, Account, AccountStatus, AdminPost, Role
from models.base import db, utcnow
from models.organisations import Organisation
from models.requests import RequestKind, ReviewRequest
from service import audit
from service.accounts.identity import check_credit_code, check_id_number
from service.auth.passwords import check_new_password
from service.auth.sessions import revoke_all
from service.auth.sms_codes import check_code
from service.platform.crypto import encrypt_id_number, hash_password, lookup_hash
from service.platform.errors import Conflict, InvalidInput

# What a change request or an admin edit may touch. Everything else is out of reach by design.
CHANGEABLE_FIELDS = ("department", "position", "organisation_id")


def id_number_taken(id_hash: str, *, except_account_id: int | None = None) -> bool:
    """Does a live account (other than ``except_account_id``) already hold this ID number?"""
    query = select(Account.id).where(Account.id_number_hash == id_hash, Account.status.in_(LIVE_STATUSES))
    if except_account_id is not None:
        query = query.where(Account.id != except_account_id)
    return db.session.scalar(query.limit(1)) is not None


def _ensure_unique(username: str, id_hash: str | None) -> None:
    if db.session.scalar(select(Account.id).where(Account.username == username)):
        raise Conflict("username_taken", "该用户名已被使用", errors={"username": ["该用户名已被使用"]})
    if id_hash is not None and id_number_taken(id_hash):
        raise Conflict(
            "id_number_registered",
            "该身份证号码已有审批账号,如需变更请提交变更申请",
            errors={"id_number": ["该身份证号码已有审批账号"]},
        )


def organisation_by_id(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidInput(
            "organisation_unknown", "所选单位不存在", errors={"organisation_id": ["所选单位不存在"]}
        )
    return organisation


def build_account(
    *,
    username: str,
    password: str | None,
    phone: str | None,
    real_name: str | None,
    id_number: str | None,
    role: Role = Role.APPROVER,
    status: AccountStatus = AccountStatus.PENDING,
    organisation: Organisation | None = None,
    department: str | None = None,
    position: str | None = None,
    admin_post: AdminPost | None = None,
    admin_region_code: str | None = None,
    legacy: bool = False,
) -> Account:
    """Validate and add a new account to the session (the caller commits)."""
    number = check_id_number(id_number).number if id_number else None
    id_hash = lookup_hash(number) if number else None
    _ensure_unique(username, id_hash)
    account = Account(
        username=username,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
        phone=phone,
        real_name=real_name,
        id_number_enc=encrypt_id_number(number) if number else None,
        id_number_hash=id_hash,
        id_number_masked=mask_id_number(number) if number else None,
        organisation=organisation,
        department=department,
        position=position,
        role=role,
        status=status,
        admin_post=admin_post,
        admin_region_code=admin_region_code,
        legacy=legacy,
    )
    db.session.add(account)
    return account


def register(form: dict[str, Any]) -> tuple[Account, ReviewRequest]:
    """Online registration (the seed's 账号基本信息填写): a pending account and its 'new' request.

    The SMS code is consumed after every other check passed, so a typo elsewhere does not cost
    the user a fresh code.
    """
    check_new_password(form["password"], username=form["username"])
    credit_code = check_credit_code(form["credit_code"])
    organisation = organisation_by_id(form["organisation_id"])
    if organisation.credit_code != credit_code:
        message = "统一社会信用代码与所选单位不一致"
        raise InvalidInput("credit_code_mismatch", message, errors={"credit_code": [message]})
    try:
        account = build_account(
            username=form["username"],
            password=form["password"],
            phone=form["phone"],
            real_name=form["real_name"],
            id_number=form["id_number"],
            organisation=organisation,
            department=form["department"],
            position=form["position"],
        )
        check_code(form["phone"], "register", form["sms_code"])
        db.session.flush()
        request = ReviewRequest(kind=RequestKind.NEW, account_id=account.id, submitted_by_id=account.id)
        db.session.add(request)
        db.session.flush()
        audit.record("account.register", target_type="account", target_id=account.id, actor=account)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("account_exists", "用户名或身份证号码已被注册") from None
    return account, request


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
    account.status = AccountStatus.CANCELLED
    account.cancelled_at = utcnow()
    return revoke_all(account.id, "account_cancelled")


def search_filter(query: Select[tuple[Account]], q: str | None) -> Select[tuple[Account]]:
    """Match a username, real name or organisation name fragment, a full phone, or a full ID number.

    An ID number is matched through its keyed hash: it is never compared in clear.
    """
    if not q:
        return query
    q = q.strip()
    if len(q) == 18 and q[:17].isdigit():
        return query.where(Account.id_number_hash == lookup_hash(q.upper()))
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
    from service.accounts.scopes import organisation_in_scope

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
