"""The REST API under /api/v1: one flask-smorest blueprint package per resource."""

from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api

# Swagger UI's files come from a wheel and are served here: the docs page fetches nothing from
# a CDN, which an air-gapped government network could not reach.
docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.route("/api/v1/docs-assets/<path:filename>")
def docs_asset(filename: str):
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def register(app: Flask, api: Api) -> None:
    from service.api import (
        account_requests,
        account_security,
        admin,
        me,
        permission_requests,
        reference,
        registrations,
        sessions,
        sms_codes,
        support,
        verifications,
    )

    for package in (
        sms_codes,
        registrations,
        sessions,
        me,
        reference,
        permission_requests,
        account_requests,
        admin,
        account_security,
        verifications,
        support,
    ):
        prefix = "/api/v1/admin" if package is admin else "/api/v1"
        api.register_blueprint(package.blp, url_prefix=prefix)
    app.register_blueprint(docs_assets)
