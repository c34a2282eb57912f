from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api.base import BaseSchema
from service.api.schemas import AccountSchema
from service.auth import login
from service.auth.guard import login_required

blp = Blueprint("sessions", __name__, description="登录与会话")


class LoginSchema(BaseSchema):
    """``method`` selects the login way; each method reads its own fields."""

    method = fields.String(
        load_default="password", validate=validate.OneOf(["password"], error="不支持的登录方式")
    )
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class SessionSchema(Schema):
    token = fields.String()
    token_type = fields.Constant("Bearer")
    scope = fields.String()
    expires_at = fields.DateTime()
    idle_timeout = fields.Integer()
    account = fields.Nested(AccountSchema)


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(201, SessionSchema)
    def post(self, args):
        """Log in and get a bearer token"""
        return login.password_login(args["username"], args["password"])


@blp.route("/sessions/current")
class CurrentSession(MethodView):
    @login_required(scope="verification")
    @blp.response(204)
    def delete(self):
        """Log out (end this session)"""
        login.logout(g.session)
