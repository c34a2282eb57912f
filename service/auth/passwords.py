"""The password rule of OWASP ASVS 4.0 section 2.1: length and a common-password list, nothing else.

At least 8 characters, up to 128 (ASVS asks that at least 64 be allowed), any characters, no
composition rules (no "one digit, one capital"), and not one of the 30,000 most common passwords
(the list zxcvbn ships, taken from the xato.net corpus of leaked passwords; read offline, matched
case-insensitively) nor the user name itself.
"""

from __future__ import annotations

import functools

from models.accounts import Account, Session
from models.base import db, utcnow
from service import audit
from service.auth import throttle
from service.auth.sessions import revoke_all
from service.platform.crypto import hash_password, verify_password
from service.platform.errors import InvalidInput, TooManyRequests

MIN_LENGTH = 8
MAX_LENGTH = 128


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    # Entries shorter than MIN_LENGTH are refused by the length rule anyway.
    return frozenset(p for p in FREQUENCY_LISTS["passwords"] if len(p) >= MIN_LENGTH)


def is_common(password: str) -> bool:
    return password.lower() in _common_passwords()


def check_new_password(password: str, *, username: str | None = None, field: str = "password") -> None:
    """Raise InvalidInput (``password_too_short`` / ``password_too_long`` / ``password_too_common``)."""
    if len(password) < MIN_LENGTH:
        reason, message = "password_too_short", f"密码至少{MIN_LENGTH}位"
    elif len(password) > MAX_LENGTH:
        reason, message = "password_too_long", f"密码不能超过{MAX_LENGTH}位"
    elif is_common(password) or (username and password.lower() == username.lower()):
        reason, message = "password_too_common", "该密码过于常见,容易被猜中,请换一个"
    else:
        return
    raise InvalidInput(reason, message, errors={field: [message]})


def change_password(account: Account, session: Session, current: str, new: str, address: str | None) -> int:
    """Check the current password (throttled like a login), set the new one, end the other sessions."""
    subject = throttle.account_subject(account.id)
    throttle.check(subject)
    if not verify_password(account.password_hash, current):
        throttle.refuse_if_address_throttled(address)
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
