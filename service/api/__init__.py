"""The REST API under /api/v1: one flask-smorest blueprint package per resource, each a thin layer
(parse, call one domain function, respond) over the domain packages."""

from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api

from service.api import examples
from service.api.openapi import ErrorResponsesPlugin, error_responses
from service.platform.http import IdConverter, id_param_schema

# Swagger UI's files come from a wheel and are served here: the docs page fetches nothing from
# a CDN, which an air-gapped government network could not reach.
docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.route("/api/v1/docs-assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)


def register(app: Flask, api: Api) -> None:
    """Register every resource's blueprint (each carries its own URL prefix) and the docs assets.

    ``<int:...>`` in every route is the bounded id converter: it must be in place before the routes.
    """
    app.url_map.converters["int"] = IdConverter
    api.register_converter(IdConverter, id_param_schema)
    _declare_security(api)
    error_responses(api.spec.components)
    plugin = ErrorResponsesPlugin(app)
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
    examples.install(api.spec)
    from service.api import (
        account_requests,
        admin_accounts,
        admin_organisations,
        city_admin_applications,
        events,
        hall,
        me,
        oauth,
        ops,
        permission_requests,
        reference,
        registrations,
        reviews,
        sessions,
        sms_codes,
        support,
        verifications,
        webhooks,
    )

    for package in (
        sms_codes,
        registrations,
        sessions,
        me,
        reference,
        permission_requests,
        account_requests,
        reviews,
        admin_accounts,
        admin_organisations,
        city_admin_applications,
        verifications,
        support,
        oauth,
        hall,
        events,
        webhooks,
        ops,
    ):
        api.register_blueprint(package.blp)
    app.register_blueprint(docs_assets)


def _declare_security(api: Api) -> None:
    """The ways in, so Swagger UI can authorize and a generated client knows them: a person's or
    staff member's bearer token from ``POST /sessions``, or a service client's from the OAuth 2.0
    client-credentials grant."""
    from service.clients.registry import SCOPES

    components = api.spec.components
    components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "POST /api/v1/sessions 的令牌"}
    )
    components.security_scheme(
        "clientBasic", {"type": "http", "scheme": "basic", "description": "服务客户端 id 与密钥"}
    )
    components.security_scheme(
        "oauth2ClientCredentials",
        {
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": "/api/v1/oauth/token", "scopes": SCOPES}},
        },
    )
    # No document-wide requirement: each operation states its own (none for the public ones).
