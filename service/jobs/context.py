"""The app a job runs in. The worker builds it once before forking (so every forked job shares the
loaded models); tests hand in theirs."""

from __future__ import annotations

from flask import Flask

_app: Flask | None = None


def set_app(app: Flask) -> None:
    global _app
    _app = app


def get_app() -> Flask:
    global _app
    if _app is None:
        from service import create_app

        _app = create_app()
    return _app
