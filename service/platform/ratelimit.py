"""Rate limits on Redis through the maintained ``limits`` library (moving windows)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from flask import Flask, current_app
from limits import parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

from service.platform.errors import TooManyRequests


def limiter() -> MovingWindowRateLimiter:
    """The app's moving-window limiter on Redis (one per app)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    window = app.extensions.get("xjy_limiter")
    if window is None:
        url = app.config["REDIS_URL"]
        if url.startswith("unix://"):
            url = "redis+" + url
        window = MovingWindowRateLimiter(RedisStorage(url))
        app.extensions["xjy_limiter"] = window
    return window


def enforce(limits_spec: str, *keys: str, reason: str, message: str) -> None:
    """Count one hit against every limit in ``limits_spec`` (e.g. "1/minute;5/hour") for ``keys``.

    All limits are tested first and only then hit, so a refused attempt does not eat the budget
    of the wider windows.
    """
    enforce_all([(limits_spec, keys)], reason=reason, message=message)


def enforce_all(specs: Sequence[tuple[str, Sequence[str]]], *, reason: str, message: str) -> None:
    """:func:`enforce` over several (limits, keys) pairs at once: nothing is counted unless all pass,
    so a send refused by one limit spends none of the others."""
    window = limiter()
    items = [(item, tuple(keys)) for spec, keys in specs for item in parse_many(spec)]
    for item, keys in items:
        if not window.test(item, *keys):
            reset = window.get_window_stats(item, *keys).reset_time
            raise TooManyRequests(reason, message, retry_after=max(1, int(reset - time.time())))
    for item, keys in items:
        window.hit(item, *keys)


def clear(limits_spec: str, *keys: str) -> None:
    window = limiter()
    for item in parse_many(limits_spec):
        window.clear(item, *keys)
