"""Response headers every answer carries: nothing personal is cached, nothing is sniffed."""

from __future__ import annotations

from flask import Flask, Response


def _harden(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_harden)
