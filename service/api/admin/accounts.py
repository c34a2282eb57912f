from __future__ import annotations

from flask import g
from flask.views import MethodView

from models.accounts import Account, AccountStatus, VerificationStatus
from service.accounts import registration as accounts
from service.accounts.permissions import grants_of
from service.accounts.scopes import get_account_in_scope, scoped_accounts
from service.api.admin.routes import blp
from service.api.admin.schemas import (
    AccountArgsSchema,
    AccountDetailSchema,
    AccountPageSchema,
    AccountPatchSchema,
    CancellationSchema,
)
from service.api.base import paginate
from service.auth.guard import admin_required


@blp.route("/accounts")
class Accounts(MethodView):
    @admin_required
    @blp.arguments(AccountArgsSchema, location="query")
    @blp.response(200, AccountPageSchema)
    def get(self, args):
        """Accounts in this admin's scope (用户权限管理), searchable"""
        query = accounts.search_filter(scoped_accounts(g.account), args["q"])
        if args["status"]:
            query = query.where(Account.status == AccountStatus(args["status"]))
        if args["verification_status"]:
            query = query.where(
                Account.verification_status == VerificationStatus(args["verification_status"])
            )
        if args["organisation_id"]:
            query = query.where(Account.organisation_id == args["organisation_id"])
        return paginate(query.order_by(Account.id), args["page"], args["page_size"])


@blp.route("/accounts/<int:account_id>")
class AccountDetail(MethodView):
    @admin_required
    @blp.response(200, AccountDetailSchema)
    def get(self, account_id):
        """One account in scope, with its grants (查看)"""
        account = get_account_in_scope(g.account, account_id)
        account.grants = grants_of(account.id)
        return account

    @admin_required
    @blp.arguments(AccountPatchSchema)
    @blp.response(200, AccountDetailSchema)
    def patch(self, args, account_id):
        """Change an account's department, position or organisation (变更)"""
        account = get_account_in_scope(g.account, account_id)
        reason = args.pop("reason")
        accounts.admin_change(g.account, account, args, reason)
        account.grants = grants_of(account.id)
        return account


@blp.route("/accounts/<int:account_id>/cancellation")
class Cancellation(MethodView):
    @admin_required
    @blp.arguments(CancellationSchema)
    @blp.response(200, AccountDetailSchema)
    def post(self, args, account_id):
        """Cancel an account (注销): it can no longer log in and its sessions end"""
        account = get_account_in_scope(g.account, account_id)
        accounts.admin_cancel(account, args["reason"])
        account.grants = grants_of(account.id)
        return account
