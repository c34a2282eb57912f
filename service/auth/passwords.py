"""The password rule of OWASP ASVS 4.0 section 2.1: length and a common-password list, nothing else.

At least 8 characters, up to 128 (ASVS asks that at least 64 be allowed), any characters, no
composition rules (no "one digit, one capital"), and not one of the 30,000 most common passwords
(the list zxcvbn ships, taken from the xato.net corpus of leaked passwords; read offline, matched
case-insensitively) nor the user name itself.
"""

from __future__ import annotations

import functools

from service.platform.errors import InvalidInput

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
