from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, post_load, validate

from models.requests import ReviewRequest
from service.accounts import permissions
from service.accounts.permissions import PermissionChoice
from service.api.base import BaseSchema
from service.api.schemas import ReviewRequestSchema
from service.auth.guard import login_required

blp = Blueprint("permission_requests", __name__, url_prefix="/api/v1", description="事项权限申请")


class PermissionItemInSchema(BaseSchema):
    matter_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    acceptor = fields.Boolean(load_default=False)
    handler = fields.Boolean(load_default=False)

    @post_load
    def _choice(self, data: dict[str, Any], **kwargs: Any) -> PermissionChoice:
        return PermissionChoice(**data)


class PermissionRequestInSchema(BaseSchema):
    items = fields.List(
        fields.Nested(PermissionItemInSchema),
        required=True,
        validate=validate.Length(min=1, max=200, error="请选择1到200个事项"),
    )
    note = fields.String(load_default=None, validate=validate.Length(max=500))


@blp.route("/permission-requests")
class PermissionRequests(MethodView):
    @login_required()
    @blp.arguments(PermissionRequestInSchema)
    @blp.response(201, ReviewRequestSchema)
    def post(self, args: dict[str, Any]) -> ReviewRequest:
        """Apply for acceptor and/or handler roles on several matters"""
        return permissions.submit(g.account, args["items"], args["note"])

    @login_required()
    @blp.response(200, ReviewRequestSchema(many=True))
    def get(self) -> Sequence[ReviewRequest]:
        """The signed-in account's permission requests"""
        return permissions.own_requests(g.account.id)
