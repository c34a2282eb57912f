"""Six-digit one-time codes: stored only as a keyed hash in Redis, 5 minutes, single use, 5 tries.

Sending is limited per phone (1/min, 5/h, 10/day by default) and per client address.
"""

from __future__ import annotations

import secrets
from typing import cast

from flask import current_app
from sqlalchemy import select

from models.accounts import Account
from models.base import db
from service.auth.sessions import LOGIN_STATUSES
from service.auth.sms_senders import get_sender
from service.platform import ratelimit
from service.platform.crypto import hash_code
from service.platform.errors import InvalidInput
from service.platform.extensions import redis_store

PURPOSES = ("register", "login", "confirm", "change_phone")

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


def send_code(phone: str, purpose: str, address: str | None, *, deliver: bool = True) -> None:
    """Issue a new code (replacing any earlier one) and deliver it.

    ``deliver=False`` still spends the rate limit but sends nothing: used when the phone has no
    account for a login code, so the answer does not reveal which phones are registered.
    """
    cfg = current_app.config
    ratelimit.enforce(
        cfg["SMS_LIMITS_PER_PHONE"], "sms-phone", phone,
        reason="sms_rate_limited", message="验证码发送过于频繁,请稍后再试",
    )  # fmt: skip
    if address:
        ratelimit.enforce(
            cfg["SMS_LIMITS_PER_ADDRESS"], "sms-addr", address,
            reason="sms_rate_limited", message="验证码发送过于频繁,请稍后再试",
        )  # fmt: skip
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


def request_code(phone: str, purpose: str, address: str | None) -> int:
    """Send a code for ``purpose``; returns its lifetime in seconds. Commits.

    A login code goes only to a phone with an account that may log in; the answer is the same
    either way, so it does not reveal which phones are registered.
    """
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
