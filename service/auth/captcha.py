"""Image captchas for password login (the seed's 验证码 box), drawn by the ``captcha`` library.

The answer is stored only as a keyed hash in Redis with a short TTL; checking consumes it whether
right or wrong (``GETDEL``), so each captcha gets exactly one guess. Answers are case-insensitive and
drawn from an alphabet without look-alikes (no 0/O, 1/I/L).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from flask import current_app

from models.base import utcnow
from service.platform import ratelimit
from service.platform.config import is_demo
from service.platform.crypto import hash_code
from service.platform.errors import InvalidInput
from service.platform.extensions import redis_store

if TYPE_CHECKING:
    from captcha.image import ImageCaptcha

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CAPTCHA_FAILED = ("captcha_invalid", "图形验证码错误或已过期,请重新获取")


@dataclass(frozen=True)
class Captcha:
    captcha_id: str
    png: bytes
    expires_at: dt.datetime

    @property
    def image_base64(self) -> str:
        return base64.b64encode(self.png).decode()


def _key(captcha_id: str) -> str:
    return f"xjy:captcha:{captcha_id}"


def _digest(captcha_id: str, answer: str) -> bytes:
    return hash_code(answer.strip().upper(), f"captcha:{captcha_id}").encode()


@functools.cache
def _image_captcha() -> ImageCaptcha:
    from captcha.image import ImageCaptcha

    return ImageCaptcha(width=160, height=60)  # loads its bundled fonts once per process


def _draw(text: str) -> bytes:
    return _image_captcha().generate(text, format="png").getvalue()


def issue(address: str | None) -> Captcha:
    """Draw a new captcha and remember its answer's hash for ``CAPTCHA_TTL`` seconds."""
    cfg = current_app.config
    if address:
        ratelimit.enforce(cfg["CAPTCHA_LIMITS_PER_ADDRESS"], "captcha-addr", address,
                          reason="captcha_rate_limited", message="获取验证码过于频繁,请稍后再试")  # fmt: skip
    captcha_id = secrets.token_urlsafe(16)
    text = "".join(secrets.choice(ALPHABET) for _ in range(cfg["CAPTCHA_LENGTH"]))
    ttl = cfg["CAPTCHA_TTL"]
    redis_store.client.set(_key(captcha_id), _digest(captcha_id, text), ex=ttl)
    return Captcha(captcha_id, _draw(text), utcnow() + dt.timedelta(seconds=ttl))


def required() -> bool:
    """Whether a captcha must be solved (password login, SMS sends).

    ``CAPTCHA_REQUIRED=false`` lets scripts drive the embedded demo (they cannot read images); it
    holds only there (``DEMO``, set by ``make run``, whose texts go to the outbox, never to a phone).
    Anywhere else the switch is refused: the app does not start with it (config.load), and a
    request asks for the captcha all the same.
    """
    cfg = current_app.config
    return bool(cfg["CAPTCHA_REQUIRED"]) or not is_demo(cfg)


def check(captcha_id: str | None, answer: str | None) -> None:
    """Consume the captcha; raise InvalidInput ``captcha_invalid`` unless ``answer`` was right.

    Missing, expired, already used and wrong all answer the same.
    """
    if not captcha_id or not answer:
        raise InvalidInput(*CAPTCHA_FAILED, errors={"captcha": [CAPTCHA_FAILED[1]]})
    # redis-py types sync and asyncio replies alike; this sync client (decode_responses=False) gives bytes.
    stored = cast("bytes | None", redis_store.client.getdel(_key(captcha_id)))
    if stored is None or not secrets.compare_digest(stored, _digest(captcha_id, answer)):
        raise InvalidInput(*CAPTCHA_FAILED, errors={"captcha": [CAPTCHA_FAILED[1]]})
