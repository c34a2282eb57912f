"""Login methods. Each proves a secret, then ends in one place (``_finish``) that applies the gate.

Every method answers a wrong secret and an unknown account alike (``login_failed``), throttles
both alike (``service.auth.throttle``, keyed on the account or, when there is none, on what was
submitted) and audits every login, failure, lock and session end.

The gate (the seed's point three): an account that has not passed real-person verification gets no
normal session. Its login succeeds with a short-lived, verification-scoped token and the answer
``verification_required``; that token reaches only its profile, the confirmation of its basic
information and the verification flow. Once verification has passed, ``continue_login`` trades the
token for a full session without asking for the secret again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy import select

from models.accounts import Account, Session, VerificationStatus
from models.base import db
from service import audit
from service.auth import captcha, certificate_login, throttle
from service.auth.sessions import LOGIN_STATUSES, open_session, revoke
from service.auth.sms_codes import check_code
from service.platform.crypto import hash_password, password_needs_rehash, verify_password
from service.platform.errors import Conflict, Forbidden, InvalidInput, Unauthorized

LOGIN_FAILED = ("login_failed", "用户名或密码错误")
SMS_LOGIN_FAILED = ("login_failed", "手机号或验证码错误,或验证码已失效")
CERTIFICATE_LOGIN_FAILED = ("login_failed", "证书签名验证失败")
VERIFICATION_REQUIRED = ("verification_required", "账号未实名,请完善信息后进行认证")


def _address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _subject(account: Account | None, submitted: str) -> str:
    return throttle.account_subject(account.id) if account is not None else f"name:{submitted[:64]}"


def _fail(method: str, subject: str, account: Account | None, actor: str, failure: tuple[str, str]) -> None:
    """Count, audit and raise a failed login (429 instead of 401 from an address that failed too often)."""
    throttle.refuse_if_address_throttled(_address())
    locked = throttle.record_failure(subject, _address())
    target_id = account.id if account else None
    audit.record("session.login_failed", target_type="account", target_id=target_id, actor=actor[:64],
                 detail={"method": method})  # fmt: skip
    if locked:
        limit = current_app.config["LOGIN_FAILURE_LIMIT"]
        audit.record("session.login_locked", target_type="account", target_id=target_id, actor=actor[:64],
                     detail={"method": method, "limit": limit})  # fmt: skip
    db.session.commit()
    raise Unauthorized(*failure)


def _session_body(token: str, session: Session, account: Account) -> dict[str, Any]:
    idle = current_app.config["SESSION_IDLE_SECONDS"]
    return {
        "token": token,
        "scope": session.scope,
        "method": session.method,
        "expires_at": session.expires_at,
        "idle_timeout": idle,
        "password_change_required": account.must_change_password,
        "account": account,
    }


def _finish(account: Account, method: str) -> dict[str, Any]:
    """The secret is proven: refuse a disabled account, gate an unverified one, else open a session."""
    if account.status not in LOGIN_STATUSES:
        audit.record("session.login_refused", target_type="account", target_id=account.id, actor=account,
                     detail={"method": method, "status": account.status.value})  # fmt: skip
        db.session.commit()
        raise Unauthorized("account_disabled", "账号已停用或注销,请联系管理员")
    gated = account.verification_status is not VerificationStatus.REAL_PERSON
    if gated:
        lifetime = current_app.config["VERIFICATION_SESSION_SECONDS"]
        token, session = open_session(account, method, scope="verification", lifetime=lifetime)
    else:
        token, session = open_session(account, method)
    audit.record("session.login", target_type="account", target_id=account.id, actor=account,
                 detail={"method": method, "scope": session.scope})  # fmt: skip
    db.session.commit()
    return _session_body(token, session, account)


def password_login(
    username: str, password: str, captcha_id: str | None, captcha_answer: str | None
) -> dict[str, Any]:
    """Username + password + image captcha. Unknown user and wrong password cost the same argon2."""
    account = db.session.scalar(select(Account).where(Account.username == username))
    subject = _subject(account, username)
    throttle.check(subject)
    if captcha.required():
        captcha.check(captcha_id, captcha_answer)
    if not verify_password(account.password_hash if account else None, password) or account is None:
        _fail("password", subject, account, username, LOGIN_FAILED)
    assert account is not None and account.password_hash is not None  # noqa: S101 (narrowing)
    if password_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return _finish(account, "password")


def _account_by_phone(phone: str) -> tuple[Account | None, int]:
    """The live account with this phone, and how many live accounts have it."""
    query = select(Account).where(Account.phone == phone, Account.status.in_(LOGIN_STATUSES))
    found = db.session.scalars(query.limit(2)).all()
    return (found[0] if found else None), len(found)


def sms_login(phone: str, code: str) -> dict[str, Any]:
    """Phone + six-digit code (purpose ``login``). Codes only ever reach registered phones."""
    account, count = _account_by_phone(phone)
    subject = _subject(account, f"phone:{phone}")
    throttle.check(subject)
    try:
        check_code(phone, "login", code)
    except InvalidInput:  # expired, wrong or exhausted: one answer, which does not tell phones apart
        _fail("sms", subject, account, phone, SMS_LOGIN_FAILED)
    if account is None:  # no live account: no code was ever delivered, so this is not reached in practice
        _fail("sms", subject, account, phone, SMS_LOGIN_FAILED)
    assert account is not None  # noqa: S101 (narrowing)
    if count > 1:
        raise Conflict("phone_ambiguous", "该手机号关联多个账号,请使用用户名和密码登录")
    return _finish(account, "sms")


def certificate_challenge(fingerprint: str | None, serial: str | None) -> dict[str, Any]:
    return certificate_login.issue_challenge(fingerprint, serial, _address())


def certificate_login_answer(challenge_id: str, signature: str, scheme: str) -> dict[str, Any]:
    """Answer of a certificate challenge: the USB key's signature over the nonce."""
    certificate, nonce = certificate_login.take_challenge(challenge_id)
    account = certificate.account if certificate else None
    subject = _subject(account, f"challenge:{challenge_id}")
    throttle.check(subject)
    if certificate is None or not certificate_login.signature_matches(certificate, nonce, signature, scheme):
        actor = certificate.fingerprint_sha256 if certificate else "certificate"
        _fail("certificate", subject, account, actor, CERTIFICATE_LOGIN_FAILED)
    assert certificate is not None and account is not None  # noqa: S101 (narrowing)
    try:
        certificate_login.check_still_valid(certificate)
    except Unauthorized as exc:
        audit.record("session.login_refused", target_type="account", target_id=account.id, actor=account,
                     detail={"method": "certificate", "reason": exc.reason})  # fmt: skip
        db.session.commit()
        raise
    return _finish(account, "certificate")


def continue_login(session: Session) -> dict[str, Any]:
    """Trade a verification-scoped session for a full one once the account is verified."""
    account = session.account
    if session.scope == "full":
        raise Conflict("session_already_full", "当前登录已是完整会话")
    if account.verification_status is not VerificationStatus.REAL_PERSON:
        raise Forbidden(*VERIFICATION_REQUIRED)
    revoke(session, "continued")
    token, full = open_session(account, session.method)
    audit.record("session.continue", target_type="account", target_id=account.id, actor=account,
                 detail={"method": session.method, "from_session": session.id})  # fmt: skip
    db.session.commit()
    return _session_body(token, full, account)


def gate(session: Mapping[str, Any]) -> Forbidden:
    """The gate's 403 ``verification_required``, carrying the verification-scoped session (JSON-ready)."""
    return Forbidden(*VERIFICATION_REQUIRED, extra={"session": dict(session)})


def logout(session: Session) -> None:
    revoke(session, "logout")
    audit.record("session.logout", target_type="account", target_id=session.account_id)
    db.session.commit()
