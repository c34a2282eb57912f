"""Output schemas shared by several resources (accounts, organisations, matters)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from models.accounts import AccountStatus, AdminPost, Role, VerificationStatus
from models.requests import RequestKind, RequestStatus
from service.accounts.identity import mask_phone
from service.api.base import BaseSchema, UtcDateTime, enum_value


class RegionSchema(Schema):
    code = fields.String()
    name = fields.String()
    level = fields.String()
    parent_code = fields.String(allow_none=True)


class OrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    short_name = fields.String(allow_none=True)
    credit_code = fields.String()
    region_code = fields.String()
    region_name = fields.Function(lambda o: o.region.name)


class AccountSchema(Schema):
    """The account as its owner sees it (the app's 个人信息 page)."""

    id = fields.Integer()
    username = fields.String()
    real_name = fields.String()
    id_type = fields.Constant("居民身份证")
    id_number = fields.String(attribute="id_number_masked")
    phone: fields.Field[Any] = fields.String()  # AdminAccountSchema dumps it masked, through a Function
    organisation = fields.Nested(OrganisationSchema, allow_none=True)
    department = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    role = enum_value("role", Role)
    status = enum_value("status", AccountStatus)
    verification_status = enum_value("verification_status", VerificationStatus)
    legacy = fields.Boolean()
    created_at = UtcDateTime()


class AdminAccountSchema(AccountSchema):
    """What an admin list shows: phone masked too (151****9315)."""

    phone = fields.Function(lambda a: mask_phone(a.phone))
    admin_region_code = fields.String(allow_none=True)
    admin_post = enum_value("admin_post", AdminPost, allow_none=True)


class MatterSchema(Schema):
    code = fields.String()
    name = fields.String()
    stage_code = fields.String()
    stage_name = fields.Function(lambda m: m.stage.name)
    project_types = fields.Function(lambda m: [{"code": p.code, "name": p.name} for p in m.project_types])
    department = fields.String(allow_none=True)


class GrantSchema(Schema):
    matter = fields.Nested(MatterSchema)
    role = fields.String(metadata={"enum": ["acceptor", "handler"]})
    granted_at = UtcDateTime()


class PermissionItemSchema(Schema):
    matter = fields.Nested(MatterSchema)
    acceptor = fields.Boolean()
    handler = fields.Boolean()


class ReviewRequestSchema(Schema):
    """A request as its owner sees it."""

    id = fields.Integer()
    kind = enum_value("kind", RequestKind)
    status = enum_value("status", RequestStatus)
    items = fields.List(fields.Nested(PermissionItemSchema))
    payload = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)


class DecisionSchema(BaseSchema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["approve", "reject"], error="须为 approve 或 reject")
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=500))
