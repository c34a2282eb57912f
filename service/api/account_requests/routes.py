from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from models.requests import ReviewRequest
from service.accounts import reviews
from service.api.base import BaseSchema, record_id
from service.api.schemas import ReviewRequestSchema
from service.auth.guard import login_required

blp = Blueprint("account_requests", __name__, url_prefix="/api/v1", description="账号变更与注销申请")


class AccountChangesSchema(BaseSchema):
    department = fields.String(validate=validate.Length(min=1, max=64))
    position = fields.String(validate=validate.Length(min=1, max=64))
    organisation_id = record_id()


class AccountRequestInSchema(BaseSchema):
    kind = fields.String(
        required=True, validate=validate.OneOf(["change", "cancel"], error="申请类型须为 change 或 cancel")
    )
    changes = fields.Nested(AccountChangesSchema, load_default=None)
    note = fields.String(load_default=None, validate=validate.Length(max=500))


@blp.route("/account-requests")
class AccountRequests(MethodView):
    @login_required(active=True)
    @blp.arguments(AccountRequestInSchema)
    @blp.response(201, ReviewRequestSchema)
    def post(self, args: dict[str, Any]) -> ReviewRequest:
        """Ask an administrator to change or cancel the signed-in account"""
        return reviews.submit_account_request(g.account, args["kind"], args["changes"], args["note"])
