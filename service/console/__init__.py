"""The admin and support web console (人员机构管理) under /console: server-rendered pages over the same
domain functions the API calls, with cookie sessions and CSRF-protected forms."""

from __future__ import annotations

from flask import Flask

from service.console.web import bp


def init_app(app: Flask) -> None:
    """Register the console's blueprint and its cookie settings (the API itself sets no cookie)."""
    from service.console import (  # noqa: F401 (their routes register on the blueprint)
        account_views,
        auth_views,
        insight_views,
        oversight_views,
        review_views,
        support_views,
    )
    from service.console.web import ConsoleSessionInterface
    from service.platform.http import allow_form_bodies

    if app.config["SESSION_COOKIE_NAME"] == "session":  # Flask's default: name it, unless configured
        app.config["SESSION_COOKIE_NAME"] = "xjy_console"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_PATH"] = "/console"
    app.session_interface = ConsoleSessionInterface()
    allow_form_bodies(app, "/console/")
    app.register_blueprint(bp)
