"""Rate limits on Redis through the maintained ``limits`` library (moving windows)."""

from __future__ import annotations

import time

from flask import Flask, current_app
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from service.errors import TooManyRequests


def _limiter() -> MovingWindowRateLimiter:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    limiter = app.extensions.get("xjy_limiter")
    if limiter is None:
        url = app.config["REDIS_URL"]
        if url.startswith("unix://"):
            url = "redis+" + url
        limiter = MovingWindowRateLimiter(RedisStorage(url))
        app.extensions["xjy_limiter"] = limiter
    return limiter


def enforce(limits_spec: str, *keys: str, reason: str, message: str) -> None:
    """Count one hit against every limit in ``limits_spec`` (e.g. "1/minute;5/hour") for ``keys``.

    All limits are tested first and only then hit, so a refused attempt does not eat the budget
    of the wider windows.
    """
    limiter = _limiter()
    items: list[RateLimitItem] = parse_many(limits_spec)
    for item in items:
        if not limiter.test(item, *keys):
            reset = limiter.get_window_stats(item, *keys).reset_time
            raise TooManyRequests(reason, message, retry_after=max(1, int(reset - time.time())))
    for item in items:
        limiter.hit(item, *keys)


def clear(limits_spec: str, *keys: str) -> None:
    limiter = _limiter()
    for item in parse_many(limits_spec):
        limiter.clear(item, *keys)
