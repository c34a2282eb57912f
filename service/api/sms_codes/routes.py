from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from models.accounts import Account
from models.base import db
from service.api.base import PHONE, BaseSchema
from service.auth.sessions import LOGIN_STATUSES
from service.auth.sms_codes import PURPOSES, send_code

blp = Blueprint("sms_codes", __name__, description="短信验证码")


class SmsCodeRequestSchema(BaseSchema):
    phone = fields.String(required=True, validate=PHONE)
    purpose = fields.String(
        required=True, validate=validate.OneOf(PURPOSES, error="用途须为 " + "/".join(PURPOSES))
    )


class SmsCodeSentSchema(Schema):
    sent = fields.Boolean()
    expires_in = fields.Integer()


def _phone_has_account(phone: str) -> bool:
    query = select(Account.id).where(Account.phone == phone, Account.status.in_(LOGIN_STATUSES)).limit(1)
    return db.session.scalar(query) is not None


@blp.route("/sms-codes")
class SmsCodes(MethodView):
    @blp.arguments(SmsCodeRequestSchema)
    @blp.response(202, SmsCodeSentSchema)
    def post(self, args):
        """Send a six-digit code to a phone"""
        phone, purpose = args["phone"], args["purpose"]
        # A login code goes only to a registered phone; the answer is the same either way.
        deliver = purpose != "login" or _phone_has_account(phone)
        send_code(phone, purpose, request.remote_addr, deliver=deliver)
        db.session.commit()
        return {"sent": True, "expires_in": current_app.config["SMS_CODE_TTL"]}
