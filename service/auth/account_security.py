"""What ends sessions besides logout: suspension, an admin's revocation, a password change; and the
gate's confirmation of basic information (信息完善: phone + SMS code, real name, ID number).

Plain functions owning their unit of work; the admin ones expect an account already scope-checked.
"""

from __future__ import annotations

from idverify.idnumber import mask_id_number
from models.accounts import Account, AccountStatus, Session, VerificationStatus
from models.base import db, utcnow
from service import audit
from service.accounts.identity import check_id_number
from service.accounts.registration import id_number_taken
from service.auth import throttle
from service.auth.passwords import check_new_password
from service.auth.sessions import revoke_all
from service.auth.sms_codes import check_code
from service.platform.crypto import encrypt_id_number, hash_password, lookup_hash, verify_password
from service.platform.errors import Conflict, InvalidInput, TooManyRequests


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
    account.status = AccountStatus.SUSPENDED
    revoked = revoke_all(account.id, "account_suspended")
    audit.record("account.suspend", target_type="account", target_id=account.id,
                 detail={"reason": reason, "sessions_revoked": revoked})  # fmt: skip
    db.session.commit()
    return account


def reactivate(account: Account, reason: str) -> Account:
    if account.status is not AccountStatus.SUSPENDED:
        raise Conflict("account_not_suspended", "该账号未被停用")
    account.status = AccountStatus.ACTIVE
    throttle.clear(f"account:{account.id}")
    audit.record("account.reactivate", target_type="account", target_id=account.id, detail={"reason": reason})
    db.session.commit()
    return account


def change_password(account: Account, session: Session, current: str, new: str, address: str | None) -> int:
    """Check the current password (throttled like a login), set the new one, end the other sessions."""
    subject = f"account:{account.id}"
    throttle.check(subject, address)
    if not verify_password(account.password_hash, current):
        locked = throttle.record_failure(subject, address)
        audit.record("account.password_change_failed", target_type="account", target_id=account.id)
        db.session.commit()
        if locked:
            raise TooManyRequests(*throttle.LOCKED, retry_after=3600)
        message = "当前密码错误"
        raise InvalidInput("current_password_invalid", message, errors={"current_password": [message]})
    check_new_password(new, username=account.username, field="new_password")
    if verify_password(account.password_hash, new):
        message = "新密码不能与当前密码相同"
        raise InvalidInput("password_unchanged", message, errors={"new_password": [message]})
    account.password_hash = hash_password(new)
    account.password_changed_at = utcnow()
    account.must_change_password = False
    revoked = revoke_all(account.id, "password_changed", keep=session.id)
    audit.record("account.password_change", target_type="account", target_id=account.id,
                 detail={"sessions_revoked": revoked})  # fmt: skip
    db.session.commit()
    return revoked


def confirm_basic_information(account: Account, form: dict) -> Account:
    """The gate's 信息完善: set phone (proven by an SMS code), real name and ID number.

    Allowed until the account has passed real-person verification; a change to the ID number of a
    real-name-checked account sends it back to the start of verification.
    """
    if account.verification_status is VerificationStatus.REAL_PERSON:
        raise Conflict("already_verified", "账号已完成实名实人认证,基本信息不能在此修改")
    number = check_id_number(form["id_number"]).number
    id_hash = lookup_hash(number)
    if id_number_taken(id_hash, except_account_id=account.id):
        message = "该身份证号码已有审批账号"
        raise Conflict("id_number_registered", "该身份证号码已有审批账号,请联系运维客服",
                       errors={"id_number": [message]})  # fmt: skip
    check_code(form["phone"], "confirm", form["sms_code"])  # last: a typo elsewhere keeps the code
    changed = sorted(
        name
        for name, old, new in (
            ("phone", account.phone, form["phone"]),
            ("real_name", account.real_name, form["real_name"]),
            ("id_number", account.id_number_hash, id_hash),
        )
        if old != new
    )
    if "id_number" in changed and account.verification_status is VerificationStatus.REAL_NAME:
        account.verification_status = VerificationStatus.NONE
    account.phone = form["phone"]
    account.real_name = form["real_name"]
    account.id_number_enc = encrypt_id_number(number)
    account.id_number_hash = id_hash
    account.id_number_masked = mask_id_number(number)
    audit.record("account.confirm_information", target_type="account", target_id=account.id, actor=account,
                 detail={"changed": changed})  # fmt: skip
    db.session.commit()
    return account
