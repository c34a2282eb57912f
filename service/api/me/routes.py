from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_load, validate

from models.accounts import Account, VerificationStatus
from models.certificates import Certificate
from service.accounts.confirmation import BasicInformation, confirm_basic_information
from service.accounts.permissions import grants_of
from service.api.base import PHONE, BaseSchema, UtcDateTime
from service.api.schemas import AccountSchema, GrantSchema
from service.auth import certificate_login
from service.auth.guard import login_required
from service.auth.passwords import change_password

blp = Blueprint("me", __name__, url_prefix="/api/v1", description="当前账号")


class MeSchema(AccountSchema):
    needs_verification = fields.Function(
        lambda a: a.verification_status is not VerificationStatus.REAL_PERSON
    )
    password_change_required = fields.Boolean(attribute="must_change_password")
    grants = fields.Function(lambda a: GrantSchema(many=True).dump(grants_of(a.id)))


@blp.route("/me")
class Me(MethodView):
    @login_required(scope="verification")
    @blp.response(200, MeSchema)
    def get(self) -> Account:
        """The signed-in account's profile and grants"""
        account: Account = g.account
        return account


class ConfirmationSchema(BaseSchema):
    """The seed's 信息完善 form (图 2.5.3)."""

    phone = fields.String(required=True, validate=PHONE)
    sms_code = fields.String(
        required=True, load_only=True, validate=validate.Regexp(r"^\d{6}$", error="验证码为6位数字")
    )
    real_name = fields.String(required=True, validate=validate.Length(min=2, max=32, error="姓名为2到32个字"))
    id_number = fields.String(required=True, load_only=True, validate=validate.Length(min=15, max=18))

    @post_load
    def _form(self, data: dict[str, Any], **kwargs: Any) -> BasicInformation:
        return BasicInformation(**data)


@blp.route("/me/confirmation")
class Confirmation(MethodView):
    @login_required(scope="verification")
    @blp.arguments(ConfirmationSchema)
    @blp.response(200, MeSchema)
    def post(self, form: BasicInformation) -> Account:
        """Confirm basic information (phone + SMS code of purpose confirm, real name, ID number)"""
        return confirm_basic_information(g.account, form)


class PasswordChangeSchema(BaseSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(max=128))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=1024))


class PasswordChangedSchema(Schema):
    sessions_revoked = fields.Integer()


@blp.route("/me/password")
class Password(MethodView):
    @login_required(initial_password_ok=True)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, PasswordChangedSchema)
    def post(self, args: dict[str, Any]) -> dict[str, int]:
        """Change the password; every other session of the account ends"""
        revoked = change_password(
            g.account, g.session, args["current_password"], args["new_password"], request.remote_addr
        )
        return {"sessions_revoked": revoked}


class CertificateInSchema(BaseSchema):
    certificate = fields.String(
        required=True, validate=validate.Length(min=1, max=16384), metadata={"description": "PEM"}
    )


class CertificateSchema(Schema):
    id = fields.Integer()
    fingerprint_sha256 = fields.String()
    serial = fields.String()
    subject = fields.String()
    issuer = fields.String()
    key_type = fields.String()
    not_before = UtcDateTime()
    not_after = UtcDateTime()
    created_at = UtcDateTime()


@blp.route("/me/certificates")
class MyCertificates(MethodView):
    @login_required()
    @blp.arguments(CertificateInSchema)
    @blp.response(201, CertificateSchema)
    def post(self, args: dict[str, Any]) -> Certificate:
        """Register a CA USB-key certificate (PEM) for certificate login"""
        return certificate_login.register(g.account, args["certificate"], actor=g.account)

    @login_required()
    @blp.response(200, CertificateSchema(many=True))
    def get(self) -> Sequence[Certificate]:
        """The certificates registered for this account"""
        return certificate_login.live_certificates(g.account.id)


@blp.route("/me/certificates/<int:certificate_id>")
class MyCertificate(MethodView):
    @login_required()
    @blp.response(204)
    def delete(self, certificate_id: int) -> None:
        """Remove a registered certificate"""
        certificate_login.remove(g.account, certificate_id, actor=g.account)
