"""Accounts in the admin's scope (用户权限管理): list, view, change, cancel; end sessions, suspend and
reactivate; register or remove CA certificates. Out of scope answers 404."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from models.accounts import Account
from models.certificates import Certificate
from service.accounts import management
from service.accounts.scopes import get_account_in_scope
from service.api.admin_accounts.schemas import (
    AccountArgsSchema,
    AccountDetailSchema,
    AccountPageSchema,
    AccountPatchSchema,
    CancellationSchema,
    ReasonSchema,
    RevokedSchema,
)
from service.api.base import paginate
from service.api.me.routes import CertificateInSchema, CertificateSchema
from service.api.schemas import AdminAccountSchema
from service.auth import certificate_login
from service.auth.guard import admin_required

blp = Blueprint("admin_accounts", __name__, url_prefix="/api/v1/admin", description="管理员: 用户权限管理")


@blp.route("/accounts")
class Accounts(MethodView):
    @admin_required
    @blp.arguments(AccountArgsSchema, location="query")
    @blp.response(200, AccountPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Accounts in this admin's scope (用户权限管理), searchable"""
        query = management.list_in_scope(g.account, args["filters"])
        return paginate(query, args["page"], args["page_size"])


@blp.route("/accounts/<int:account_id>")
class AccountDetail(MethodView):
    @admin_required
    @blp.response(200, AccountDetailSchema)
    def get(self, account_id: int) -> Account:
        """One account in scope, with its grants (查看)"""
        return get_account_in_scope(g.account, account_id)

    @admin_required
    @blp.arguments(AccountPatchSchema)
    @blp.response(200, AccountDetailSchema)
    def patch(self, args: dict[str, Any], account_id: int) -> Account:
        """Change an account's department, position or organisation (变更)"""
        account = get_account_in_scope(g.account, account_id)
        reason = args.pop("reason")
        return management.admin_change(g.account, account, args, reason)


@blp.route("/accounts/<int:account_id>/cancellation")
class Cancellation(MethodView):
    @admin_required
    @blp.arguments(CancellationSchema)
    @blp.response(200, AccountDetailSchema)
    def post(self, args: dict[str, Any], account_id: int) -> Account:
        """Cancel an account (注销): it can no longer log in and its sessions end"""
        return management.admin_cancel(get_account_in_scope(g.account, account_id), args["reason"])


@blp.route("/accounts/<int:account_id>/sessions/revocation")
class SessionRevocation(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, RevokedSchema)
    def post(self, args: dict[str, Any], account_id: int) -> dict[str, int]:
        """End every session of an account in scope (强制下线)"""
        account = get_account_in_scope(g.account, account_id)
        return {"sessions_revoked": management.end_sessions(account, args["reason"])}


@blp.route("/accounts/<int:account_id>/suspension")
class Suspension(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, AdminAccountSchema)
    def post(self, args: dict[str, Any], account_id: int) -> Account:
        """Suspend an account (停用): it cannot log in and its sessions end"""
        return management.suspend(get_account_in_scope(g.account, account_id), args["reason"])


@blp.route("/accounts/<int:account_id>/reactivation")
class Reactivation(MethodView):
    @admin_required
    @blp.arguments(ReasonSchema)
    @blp.response(200, AdminAccountSchema)
    def post(self, args: dict[str, Any], account_id: int) -> Account:
        """Reactivate a suspended account (启用); also clears its failed-login lock"""
        return management.reactivate(get_account_in_scope(g.account, account_id), args["reason"])


@blp.route("/accounts/<int:account_id>/certificates")
class AccountCertificates(MethodView):
    @admin_required
    @blp.arguments(CertificateInSchema)
    @blp.response(201, CertificateSchema)
    def post(self, args: dict[str, Any], account_id: int) -> Certificate:
        """Register a CA USB-key certificate (PEM) for an account in scope"""
        account = get_account_in_scope(g.account, account_id)
        return certificate_login.register(account, args["certificate"], actor=g.account)

    @admin_required
    @blp.response(200, CertificateSchema(many=True))
    def get(self, account_id: int) -> Sequence[Certificate]:
        """The certificates registered for an account in scope"""
        return certificate_login.live_certificates(get_account_in_scope(g.account, account_id).id)


@blp.route("/accounts/<int:account_id>/certificates/<int:certificate_id>")
class AccountCertificate(MethodView):
    @admin_required
    @blp.response(204)
    def delete(self, account_id: int, certificate_id: int) -> None:
        """Remove a certificate of an account in scope"""
        account = get_account_in_scope(g.account, account_id)
        certificate_login.remove(account, certificate_id, actor=g.account)
