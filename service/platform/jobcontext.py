"""The app a job runs in. The worker builds it once before forking (so every forked job shares the
loaded models); tests hand in theirs."""

from __future__ import annotations

import os

from flask import Flask

_app: Flask | None = None
_pid: int | None = None


def set_app(app: Flask) -> None:
    global _app, _pid
    _app, _pid = app, os.getpid()


def get_app() -> Flask:
    if _app is None:
        from service import create_app

        app = create_app()
        set_app(app)
        return app
    return _app


def after_fork() -> None:
    """In a job forked from the worker, drop the parent's pooled database connections (without
    closing them: they belong to the parent) so the child opens its own."""
    if _pid is not None and os.getpid() != _pid:
        from models.base import db

        db.engine.dispose(close=False)
