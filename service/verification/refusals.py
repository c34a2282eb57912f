"""How many times in a row the upload pre-check has refused each side of an attempt.

The pre-check judges a photo in a tenth of a second from a few measures (sharpness, glare, an
outline, the side's pictures); the early card read, which reads the print, has the last word. Where
the two disagree about a card the person cannot photograph differently (a scanner app's output, a
card or camera unlike any measured), refusing it every time would leave the person stuck at the
first step. So after ``VERIFY_PRECHECK_REFUSALS`` refusals of a side in a row, the next photo of it
is let through with the pre-check's reason as a warning, and the early read decides (a photo it
cannot read fails there, naming what is wrong, before the face step). A file that cannot be decoded
is a fact about the file, not a judgement, and is never let through.

The count lives in Redis for the attempt's challenge lifetime: it decides nothing lasting, and
losing it only means being asked to reshoot again. With Redis down, uploads go on (they are kept
and read later) and no refusal is counted.
"""

from __future__ import annotations

import logging
from typing import cast

from flask import current_app
from redis.exceptions import RedisError

from service.platform.extensions import redis_store

log = logging.getLogger(__name__)


def let_through(attempt_id: int, side: str, reason: str) -> bool:
    """Whether a photo of ``side`` the pre-check refuses for ``reason`` goes on to the card read:
    the side was refused ``VERIFY_PRECHECK_REFUSALS`` times in a row already (0: never)."""
    limit = int(current_app.config["VERIFY_PRECHECK_REFUSALS"])
    if not limit or reason.startswith("image_"):
        return False
    try:
        # redis-py types sync and asyncio replies alike; this sync client gives bytes or None.
        count = cast("bytes | None", redis_store.client.get(_key(attempt_id, side)))
    except RedisError as exc:
        log.warning("pre-check refusals not read (%s): refused as usual", type(exc).__name__)
        return False
    return int(count or 0) >= limit


def refused(attempt_id: int, side: str) -> None:
    """Count one more refusal of ``side`` in a row."""
    try:
        client, key = redis_store.client, _key(attempt_id, side)
        client.incr(key)
        client.expire(key, int(current_app.config["VERIFY_CHALLENGE_TTL"]))
    except RedisError as exc:
        log.warning("pre-check refusal not counted (%s)", type(exc).__name__)


def accepted(attempt_id: int, side: str) -> None:
    """``side`` was stored and goes on to the card read: its count starts again."""
    try:
        redis_store.client.delete(_key(attempt_id, side))
    except RedisError as exc:
        log.warning("pre-check refusals not cleared (%s)", type(exc).__name__)


def _key(attempt_id: int, side: str) -> str:
    return f"verify:precheck-refusals:{attempt_id}:{side}"
