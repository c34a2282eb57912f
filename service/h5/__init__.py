"""The H5 capture flow (/h5/verify): the verification as a page the app opens in its web view, over
the same JSON API the app calls, with a one-time code instead of a token in the URL (``handover``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the H5 pages (they set no cookie: the page keeps the person's token in memory)."""
    from service.h5.views import bp

    app.register_blueprint(bp)
