"""The OAuth 2.0 token endpoint for service clients (client-credentials grant, RFC 6749 section 4.4)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from service.clients import oauth

blp = Blueprint("oauth", __name__, url_prefix="/api/v1", description="服务客户端授权 (OAuth 2.0 客户端凭据)")


class TokenRequestSchema(Schema):
    grant_type = fields.String(required=True, metadata={"enum": ["client_credentials"]})
    scope = fields.String(
        metadata={"description": "以空格分隔, 如 'accounts:read verifications:read'; 省略则为全部"}
    )
    client_id = fields.String(metadata={"description": "client_secret_post 方式时填写; 也可用 HTTP Basic"})
    client_secret = fields.String(metadata={"description": "client_secret_post 方式时填写"})


class TokenSchema(Schema):
    access_token = fields.String()
    token_type = fields.String(metadata={"enum": ["Bearer"]})
    expires_in = fields.Integer()
    scope = fields.String()


@blp.route("/oauth/token")
class Token(MethodView):
    @blp.doc(
        requestBody={"content": {"application/x-www-form-urlencoded": {"schema": TokenRequestSchema}}},
        security=[{"clientBasic": []}, {}],
    )
    @blp.response(200, TokenSchema)
    def post(self) -> Any:
        """Get a short-lived bearer token with the client's id and secret (HTTP Basic or form fields)"""
        return oauth.token_response()
