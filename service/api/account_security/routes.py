"""What an admin does to the security of an account in scope: end its sessions, suspend and
reactivate it, register or remove its CA certificates. Lives under /api/v1/admin/accounts/<id>/."""

from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.accounts.scopes import get_account_in_scope
from service.api.base import BaseSchema
from service.api.me.routes import CertificateInSchema, CertificateSchema
from service.api.schemas import AdminAccountSchema
from service.auth import account_security, certificate_login
from service.auth.guard import admin_required

blp = Blueprint("account_security", __name__, description="账号安全: 会话、停用、数字证书")


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500, error="请填写原因"))


class RevokedSchema(Schema):
    sessions_revoked = fields.Integer()


@blp.route("/admin/accounts/<int:account_id>/sessions/revocation")
class SessionRevocation(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, RevokedSchema)
    def post(self, args, account_id):
        """End every session of an account in scope (强制下线)"""
        account = get_account_in_scope(g.account, account_id)
        return {"sessions_revoked": account_security.end_sessions(account, args["reason"])}


@blp.route("/admin/accounts/<int:account_id>/suspension")
class Suspension(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, AdminAccountSchema)
    def post(self, args, account_id):
        """Suspend an account (停用): it cannot log in and its sessions end"""
        return account_security.suspend(get_account_in_scope(g.account, account_id), args["reason"])


@blp.route("/admin/accounts/<int:account_id>/reactivation")
class Reactivation(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, AdminAccountSchema)
    def post(self, args, account_id):
        """Reactivate a suspended account (启用); also clears its failed-login lock"""
        return account_security.reactivate(get_account_in_scope(g.account, account_id), args["reason"])


@blp.route("/admin/accounts/<int:account_id>/certificates")
class AccountCertificates(MethodView):
    @admin_required
    @blp.arguments(CertificateInSchema)
    @blp.response(201, CertificateSchema)
    def post(self, args, account_id):
        """Register a CA USB-key certificate (PEM) for an account in scope"""
        account = get_account_in_scope(g.account, account_id)
        return certificate_login.register(account, args["certificate"], actor=g.account)

    @admin_required
    @blp.response(200, CertificateSchema(many=True))
    def get(self, account_id):
        """The certificates registered for an account in scope"""
        return certificate_login.live_certificates(get_account_in_scope(g.account, account_id).id)


@blp.route("/admin/accounts/<int:account_id>/certificates/<int:certificate_id>")
class AccountCertificate(MethodView):
    @admin_required
    @blp.response(204)
    def delete(self, account_id, certificate_id):
        """Remove a certificate of an account in scope"""
        account = get_account_in_scope(g.account, account_id)
        certificate_login.remove(account, certificate_id, actor=g.account)
