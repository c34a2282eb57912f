"""Six-digit one-time codes: stored only as a keyed hash in Redis, 5 minutes, single use, 5 tries.

Who may make the service send a text, and how often (README, 短信验证码):

- every send needs a solved image captcha (the one password login uses), so a script cannot send
  texts in bulk; the demo-only switch ``CAPTCHA_REQUIRED=false`` is refused outside the embedded
  demo (:func:`service.auth.captcha.required`);
- per client address, bursts are cut short (``SMS_LIMITS_PER_ADDRESS``: 3 in 10 s, 10 a minute)
  while a government office behind one address still gets hundreds of texts a day;
- per phone, the allowance (``SMS_LIMITS_PER_PHONE``: 1/min, 5/h, 10/day) is counted per requesting
  address and separately for login and for the other purposes, so nobody elsewhere can use up the
  login codes a person asks for themselves; a ceiling across addresses
  (``SMS_LIMITS_PER_PHONE_CEILING``) keeps a phone from being flooded, and it counts only sends
  nobody completed: a code entered correctly gives the phone's ceiling back.
"""

from __future__ import annotations

import secrets
from typing import cast

from flask import current_app
from sqlalchemy import select

from models.accounts import Account
from models.base import db
from service.auth import captcha
from service.auth.sessions import LOGIN_STATUSES
from service.auth.sms_senders import get_sender
from service.platform import ratelimit
from service.platform.crypto import hash_code
from service.platform.errors import InvalidInput
from service.platform.extensions import redis_store

PURPOSES = ("register", "login", "confirm", "change_phone")
_TOO_OFTEN = {"reason": "sms_rate_limited", "message": "验证码发送过于频繁,请稍后再试"}

# Atomically check a code: 1 ok (consumed), 0 missing/expired, -1 wrong, -2 tries exhausted.
_CHECK_SCRIPT = """
local h = redis.call('HGET', KEYS[1], 'h')
if not h then return 0 end
local tries = tonumber(redis.call('HGET', KEYS[1], 'tries') or '0')
if tries >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]); return -2 end
if h == ARGV[1] then redis.call('DEL', KEYS[1]); return 1 end
tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if tries >= tonumber(ARGV[2]) then redis.call('DEL', KEYS[1]); return -2 end
return -1
"""

_FAILURES = {
    0: ("sms_code_expired", "验证码已过期或未发送,请重新获取"),
    -1: ("sms_code_invalid", "验证码错误"),
    -2: ("sms_code_exhausted", "验证码错误次数过多,请重新获取"),
}


def _key(phone: str, purpose: str) -> str:
    return f"xjy:sms:{purpose}:{phone}"


def message_text(code: str, minutes: int) -> str:
    return f"【湘建云】您的验证码为{code},{minutes}分钟内有效。如非本人操作,请忽略本短信。"


def allowance(purpose: str) -> str:
    """Which per-phone allowance a purpose spends: login codes have their own, so codes sent for a
    registration (to any number one likes) never use up a person's logins."""
    return "login" if purpose == "login" else "enrol"


def send_code(phone: str, purpose: str, address: str | None, *, deliver: bool = True) -> None:
    """Issue a new code (replacing any earlier one) and deliver it; the captcha is the caller's.

    ``deliver=False`` still spends the limits but sends nothing: used when the phone has no
    account for a login code, so the answer does not reveal which phones are registered.
    """
    cfg = current_app.config
    group = allowance(purpose)
    limits = [
        (cfg["SMS_LIMITS_PER_PHONE"], ("sms-phone", group, phone, address or "-")),
        (cfg["SMS_LIMITS_PER_PHONE_CEILING"], ("sms-phone-all", group, phone)),
    ]
    if address:  # requests always have one; commands and tests may send without
        limits.append((cfg["SMS_LIMITS_PER_ADDRESS"], ("sms-addr", address)))
    ratelimit.enforce_all(limits, **_TOO_OFTEN)
    if not deliver:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = cfg["SMS_CODE_TTL"]
    key = _key(phone, purpose)
    client = redis_store.client
    pipe = client.pipeline()
    pipe.delete(key)
    pipe.hset(key, mapping={"h": hash_code(code, f"{purpose}:{phone}"), "tries": 0})
    pipe.expire(key, ttl)
    pipe.execute()
    try:
        get_sender().send(phone, message_text(code, ttl // 60), purpose)
    except Exception:
        client.delete(key)  # an undelivered code must not linger
        raise


def request_code(
    phone: str, purpose: str, address: str | None, captcha_id: str | None, captcha_answer: str | None
) -> int:
    """Send a code for ``purpose`` once the captcha is solved; returns its lifetime in seconds. Commits.

    A login code goes only to a phone with an account that may log in; the answer is the same
    either way, so it does not reveal which phones are registered.
    """
    if captcha.required():
        captcha.check(captcha_id, captcha_answer)
    deliver = purpose != "login" or _phone_has_account(phone)
    send_code(phone, purpose, address, deliver=deliver)
    db.session.commit()
    ttl: int = current_app.config["SMS_CODE_TTL"]
    return ttl


def _phone_has_account(phone: str) -> bool:
    query = select(Account.id).where(Account.phone == phone, Account.status.in_(LOGIN_STATUSES)).limit(1)
    return db.session.scalar(query) is not None


def check_code(phone: str, purpose: str, code: str) -> None:
    """Consume a code or raise InvalidInput with reason sms_code_expired / _invalid / _exhausted."""
    digest = hash_code(code.strip(), f"{purpose}:{phone}")
    # redis-py types EVAL's reply as str (sync or asyncio); the script returns a Lua integer, i.e. an int.
    reply = cast(
        int,
        redis_store.client.eval(
            _CHECK_SCRIPT, 1, _key(phone, purpose), digest, current_app.config["SMS_CODE_MAX_TRIES"]
        ),
    )
    result = int(reply)
    if result != 1:
        reason, message = _FAILURES[result]
        raise InvalidInput(reason, message, errors={"sms_code": [message]})
    # The phone's holder completed a send: what was sent to it was asked for, not a flood.
    ratelimit.clear(
        current_app.config["SMS_LIMITS_PER_PHONE_CEILING"], "sms-phone-all", allowance(purpose), phone
    )
