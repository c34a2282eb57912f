"""The OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) on authlib's authorization server.

A client authenticates with HTTP Basic (``client_secret_basic``) or in the form body
(``client_secret_post``) and gets a short-lived bearer token limited to the scopes it asked for and
holds. Tokens are stored only as their SHA-256. Errors keep RFC 6749's ``error`` member and add the
service's envelope (``reason`` and a Chinese ``message``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from flask import Flask
from sqlalchemy import select

from models.base import db, utcnow
from models.clients import ClientToken, ServiceClient
from service.clients.guard import remember
from service.platform.crypto import token_digest, verify_password
from service.platform.errors import envelope
from service.platform.http import allow_form_bodies

_MESSAGES = {
    "invalid_client": "客户端认证失败",
    "invalid_request": "请求参数有误",
    "invalid_scope": "请求的权限范围无效",
    "unauthorized_client": "该客户端不允许使用此授权方式",
    "unsupported_grant_type": "仅支持 client_credentials 授权方式",
}


class OAuthClient(ClientMixin):  # type: ignore[misc]  # authlib is untyped
    """authlib's view of a ``ServiceClient`` row."""

    def __init__(self, row: ServiceClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        held = set(self.row.scopes)
        wanted = set(scope.split()) if scope else held
        return " ".join(sorted(wanted & held))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_password(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class TokenServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's server with the service's error envelope beside RFC 6749's ``error``."""

    def handle_error_response(self, request: Any, error: Any) -> Any:
        status, body, headers = error(self.get_error_uri(request, error))
        code = body.get("error", "invalid_request")
        merged = {**body, **envelope(status, f"oauth_{code}", _MESSAGES.get(code, "授权请求无法处理"))}
        return self.handle_response(status, merged, headers)


server = TokenServer()


def _query_client(client_id: str) -> OAuthClient | None:
    row = db.session.scalar(select(ServiceClient).where(ServiceClient.client_id == client_id))
    if row is None or row.revoked_at is not None:
        return None
    return OAuthClient(row)


def _save_token(token: dict[str, Any], request: Any) -> None:
    client: ServiceClient = request.client.row
    now = utcnow()
    digest, scopes, seconds = (
        token_digest(token["access_token"]),
        token.get("scope", "").split(),
        int(token["expires_in"]),
    )
    db.session.add(
        ClientToken(
            client_pk=client.id,
            token_hash=digest,
            scopes=scopes,
            issued_at=now,
            expires_at=now + dt.timedelta(seconds=seconds),
        )
    )
    client.last_used_at = now
    db.session.commit()
    remember(digest, client, scopes, seconds)


def init_app(app: Flask) -> None:
    """Bind the token server (token lifetime: ``CLIENT_TOKEN_SECONDS``)."""
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials": app.config["CLIENT_TOKEN_SECONDS"]}
    )
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    allow_form_bodies(app, "/api/v1/oauth/token")  # RFC 6749 sends the token request as a form
    server.register_grant(ClientCredentialsGrant)


def token_response() -> Any:
    """Answer a token request from the current request (the view calls this)."""
    return server.create_token_response()
