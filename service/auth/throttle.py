"""Failed-login throttling, counted on Redis by the ``limits`` library (moving windows).

Three brakes, all keyed on what the client submitted so an unknown user name is throttled exactly
like a real one (the answers never tell them apart):

- a growing delay: after ``LOGIN_DELAY_AFTER`` failures within the hour, each further try must wait
  2^k seconds (k = failures beyond that), at most ``LOGIN_DELAY_MAX_SECONDS``: answered with 429
  ``login_throttled`` and Retry-After instead of sleeping in a worker;
- a temporary lock: ``LOGIN_FAILURE_LIMIT`` (100/hour) failures lock the account's logins until the
  oldest failure leaves the window: 429 ``login_locked``;
- per client address, ``LOGIN_FAILURE_LIMITS_PER_ADDRESS`` failures: 429 ``login_throttled``.

The delay is itself a ``limits`` item, "1 per 2^k seconds", hit at each failure for the delay
that the new failure count calls for.
"""

from __future__ import annotations

import time

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerSecond, parse, parse_many

from service.platform.errors import TooManyRequests
from service.platform.ratelimit import limiter

THROTTLED = ("login_throttled", "登录失败次数过多,请稍后再试")
#: Subjects of known accounts start with this; others name what was typed (a user name, a phone).
KNOWN_PREFIX = "account:"


def account_subject(account_id: int) -> str:
    """The throttle subject of a known account."""
    return f"{KNOWN_PREFIX}{account_id}"


LOCKED = ("login_locked", "登录失败次数过多,账号已临时锁定,请稍后再试或使用其他方式登录")


def _cap() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURE_LIMIT"])


def _delay_item(failures: int) -> RateLimitItem | None:
    cfg = current_app.config
    beyond = failures - cfg["LOGIN_DELAY_AFTER"]
    if beyond < 0 or cfg["LOGIN_DELAY_MAX_SECONDS"] <= 0:
        return None
    return RateLimitItemPerSecond(1, min(2**beyond, cfg["LOGIN_DELAY_MAX_SECONDS"]))


def failures(subject: str) -> int:
    """Failed logins of ``subject`` within the cap's window."""
    cap = _cap()
    return cap.amount - limiter().get_window_stats(cap, "login-fail", subject).remaining


def _retry_after(item: RateLimitItem, *keys: str) -> int:
    return max(1, int(limiter().get_window_stats(item, *keys).reset_time - time.time()) + 1)


def check(subject: str) -> None:
    """Refuse the attempt (TooManyRequests) if ``subject`` must wait. Counts nothing."""
    lim, cap = limiter(), _cap()
    if not lim.test(cap, "login-fail", subject):
        raise TooManyRequests(*LOCKED, retry_after=_retry_after(cap, "login-fail", subject))
    delay = _delay_item(failures(subject))
    if delay is not None and not lim.test(delay, "login-delay", subject):
        raise TooManyRequests(*THROTTLED, retry_after=_retry_after(delay, "login-delay", subject))


def refuse_if_address_throttled(address: str | None) -> None:
    """After a *failed* secret: refuse (429) when the address has failed too often for names nobody
    holds. Called only on failure, so the right secret of a known account still logs in from an
    office where many people share one address, and a failure looks the same known or unknown."""
    if not address:
        return
    lim = limiter()
    for item in parse_many(current_app.config["LOGIN_FAILURE_LIMITS_PER_ADDRESS"]):
        if not lim.test(item, "login-fail-addr", address):
            raise TooManyRequests(*THROTTLED, retry_after=_retry_after(item, "login-fail-addr", address))


def record_failure(subject: str, address: str | None) -> bool:
    """Count one failure (against the address only when no account holds the submitted name, phone
    or challenge: a known account has its own limits). Returns True when it is the one that locks
    ``subject``."""
    lim, cap = limiter(), _cap()
    lim.hit(cap, "login-fail", subject)
    count = failures(subject)
    delay = _delay_item(count)
    if delay is not None:
        lim.hit(delay, "login-delay", subject)
    if address and not subject.startswith(KNOWN_PREFIX):
        for item in parse_many(current_app.config["LOGIN_FAILURE_LIMITS_PER_ADDRESS"]):
            lim.hit(item, "login-fail-addr", address)
    return count >= cap.amount


def clear(subject: str) -> None:
    """Forget ``subject``'s failures (an admin unlocking an account)."""
    lim, cap = limiter(), _cap()
    lim.clear(cap, "login-fail", subject)
    longest = current_app.config["LOGIN_DELAY_MAX_SECONDS"]
    for seconds in {min(2**k, longest) for k in range(16)} if longest > 0 else ():
        lim.clear(RateLimitItemPerSecond(1, seconds), "login-delay", subject)
