"""One-time SMS codes for registration, login, the gate's confirmation and a phone change."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api.base import PHONE, BaseSchema
from service.auth.sms_codes import PURPOSES, request_code

blp = Blueprint("sms_codes", __name__, url_prefix="/api/v1", description="短信验证码")


class SmsCodeRequestSchema(BaseSchema):
    phone = fields.String(required=True, validate=PHONE)
    purpose = fields.String(
        required=True, validate=validate.OneOf(PURPOSES, error="用途须为 " + "/".join(PURPOSES))
    )
    # A solved image captcha (GET /api/v1/captchas) for every send; single use, like at login.
    captcha_id = fields.String(validate=validate.Length(min=1, max=64))
    captcha = fields.String(load_only=True, validate=validate.Length(min=1, max=16))


class SmsCodeSentSchema(Schema):
    sent = fields.Boolean()
    expires_in = fields.Integer()


@blp.route("/sms-codes")
class SmsCodes(MethodView):
    @blp.arguments(SmsCodeRequestSchema)
    @blp.response(202, SmsCodeSentSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Send a six-digit code to a phone (after a solved image captcha)"""
        expires_in = request_code(
            args["phone"], args["purpose"], request.remote_addr, args.get("captcha_id"), args.get("captcha")
        )
        return {"sent": True, "expires_in": expires_in}
