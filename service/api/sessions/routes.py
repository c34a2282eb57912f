"""Login (three methods through one resource), the gate's continuation, logout, captchas and
certificate challenges."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.api.base import PHONE, BaseSchema, UtcDateTime
from service.api.schemas import AccountSchema
from service.auth import captcha, login
from service.auth.certificates import SCHEMES
from service.auth.guard import login_required

blp = Blueprint("sessions", __name__, url_prefix="/api/v1", description="登录与会话")

METHOD_FIELDS = {
    "password": ("username", "password", "captcha_id", "captcha"),
    "sms": ("phone", "sms_code"),
    "certificate": ("challenge_id", "signature", "scheme"),
}


class LoginSchema(BaseSchema):
    """``method`` selects the login way (用户名登录 / 手机短信验证码登录 / 数字证书登录)."""

    method = fields.String(
        load_default="password", validate=validate.OneOf(list(METHOD_FIELDS), error="不支持的登录方式")
    )
    username = fields.String(validate=validate.Length(min=1, max=64))
    password = fields.String(load_only=True, validate=validate.Length(min=1, max=128))
    captcha_id = fields.String(validate=validate.Length(min=1, max=64))
    captcha = fields.String(load_only=True, validate=validate.Length(min=1, max=16))
    phone = fields.String(validate=PHONE)
    sms_code = fields.String(load_only=True, validate=validate.Regexp(r"^\d{6}$", error="验证码为6位数字"))
    challenge_id = fields.String(validate=validate.Length(min=1, max=64))
    signature = fields.String(load_only=True, validate=validate.Length(min=1, max=2048))
    scheme = fields.String(validate=validate.OneOf(list(SCHEMES), error="不支持的签名算法"))

    @validates_schema
    def _fields_of_method(self, data: dict[str, Any], **kwargs: Any) -> None:
        wanted = METHOD_FIELDS[data.get("method", "password")]
        # The captcha is checked (and its absence answered) by the login itself: captcha_invalid.
        missing = {name: ["此项为必填项"] for name in wanted if not data.get(name) and "captcha" not in name}
        stray = {
            name: ["该登录方式不使用此项"]
            for fields_ in METHOD_FIELDS.values()
            for name in fields_
            if name in data and name not in wanted
        }
        if missing or stray:
            raise ValidationError({**stray, **missing})


class SessionSchema(Schema):
    token = fields.String()
    token_type = fields.Constant("Bearer")
    scope = fields.String(
        metadata={
            "description": "full, or verification (the gate's limited token)",
            "enum": ["full", "verification"],
        }
    )
    method = fields.String(metadata={"enum": list(METHOD_FIELDS)})
    expires_at = UtcDateTime()
    idle_timeout = fields.Integer()
    password_change_required = fields.Boolean()
    account = fields.Nested(AccountSchema)


class GateSchema(Schema):
    """403 ``verification_required``: the error envelope plus the verification-scoped session."""

    code = fields.Integer()
    status = fields.String()
    reason = fields.String()
    message = fields.String()
    session = fields.Nested(SessionSchema)


def answer(result: dict[str, Any]) -> dict[str, Any]:
    """201 with a full session, or the gate's 403 carrying a verification-scoped one."""
    if result["scope"] != "full":
        raise login.gate(SessionSchema().dump(result))
    return result


@blp.route("/sessions")
class Sessions(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(201, SessionSchema)
    @blp.alt_response(403, schema=GateSchema, description="账号未实名: 仅可完善信息和认证的临时令牌")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Log in with a password + captcha, an SMS code or a CA certificate; get a bearer token"""
        method = args["method"]
        if method == "password":
            result = login.password_login(
                args["username"], args["password"], args.get("captcha_id"), args.get("captcha")
            )
        elif method == "sms":
            result = login.sms_login(args["phone"], args["sms_code"])
        else:
            result = login.certificate_login_answer(args["challenge_id"], args["signature"], args["scheme"])
        return answer(result)


@blp.route("/sessions/continue")
class ContinueSession(MethodView):
    @login_required(scope="verification")
    @blp.response(201, SessionSchema)
    def post(self) -> dict[str, Any]:
        """After verification passed: trade the verification-scoped token for a full session"""
        return login.continue_login(g.session)


@blp.route("/sessions/current")
class CurrentSession(MethodView):
    @login_required(scope="verification")
    @blp.response(204)
    def delete(self) -> None:
        """Log out (end this session)"""
        login.logout(g.session)


class CaptchaSchema(Schema):
    captcha_id = fields.String()
    image = fields.String(metadata={"description": "PNG, base64"})
    mime_type = fields.Constant("image/png")
    expires_at = UtcDateTime()


@blp.route("/captchas")
class Captchas(MethodView):
    @blp.response(200, CaptchaSchema)
    def get(self) -> dict[str, Any]:
        """A new single-use image captcha for password login"""
        issued = captcha.issue(request.remote_addr)
        response = {
            "captcha_id": issued.captcha_id,
            "image": issued.image_base64,
            "expires_at": issued.expires_at,
        }
        return response


class ChallengeRequestSchema(BaseSchema):
    fingerprint = fields.String(validate=validate.Regexp(r"^[0-9A-Fa-f]{64}$", error="应为64位十六进制"))
    serial = fields.String(validate=validate.Regexp(r"^[0-9A-Fa-f]{1,64}$", error="应为十六进制序列号"))

    @validates_schema
    def _one_name(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("fingerprint")) == bool(data.get("serial")):
            raise ValidationError("请提供证书指纹或序列号之一", "_schema")


class ChallengeSchema(Schema):
    challenge_id = fields.String()
    nonce = fields.String(metadata={"description": "base64; the USB key signs these bytes"})
    expires_at = UtcDateTime()


@blp.route("/certificate-challenges")
class CertificateChallenges(MethodView):
    @blp.arguments(ChallengeRequestSchema)
    @blp.response(201, ChallengeSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """A single-use nonce for certificate login (sign it with the CA USB key)"""
        return login.certificate_challenge(args.get("fingerprint"), args.get("serial"))
