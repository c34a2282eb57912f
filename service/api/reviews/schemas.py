"""Schemas of the review queue (待办审核)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from models.accounts import AccountStatus, Role, VerificationStatus
from models.requests import RequestKind, RequestStatus
from service.accounts.identity import mask_phone
from service.accounts.reviews import KIND_FILTERS
from service.api.base import PageArgsSchema, PageSchema, UtcDateTime, enum_value
from service.api.schemas import PermissionItemSchema


class ReviewArgsSchema(PageArgsSchema):
    kind = fields.String(
        load_default=None,
        validate=validate.OneOf(KIND_FILTERS, error="须为 " + "/".join(KIND_FILTERS)),
        metadata={
            "description": "account (new, change, cancel) or one kind: new, change, cancel, permission"
        },
    )
    status = fields.String(
        load_default="pending", validate=validate.OneOf(["pending", "approved", "rejected", "withdrawn"])
    )


class ReviewAccountSchema(Schema):
    """The columns of the seed's 待办审核 list; ID number and phone masked."""

    id = fields.Integer()
    username = fields.String()
    real_name = fields.String()
    id_number = fields.String(attribute="id_number_masked")
    phone = fields.Function(lambda a: mask_phone(a.phone))
    credit_code = fields.Function(lambda a: a.organisation.credit_code if a.organisation else None)
    organisation = fields.Function(lambda a: a.organisation.name if a.organisation else None)
    department = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    role = enum_value("role", Role)
    status = enum_value("status", AccountStatus)
    face_verification = enum_value("verification_status", VerificationStatus)


class ReviewSchema(Schema):
    id = fields.Integer()
    kind = enum_value("kind", RequestKind)
    category = enum_value("kind.category", ["account", "permission"])
    status = enum_value("status", RequestStatus)
    account = fields.Nested(ReviewAccountSchema)
    items = fields.List(fields.Nested(PermissionItemSchema))
    payload = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    submitted_at = UtcDateTime(attribute="created_at")
    reviewer = fields.Function(lambda r: r.reviewer.username if r.reviewer else None)
    decision_reason = fields.String(allow_none=True)
    decided_at = UtcDateTime(allow_none=True)


class ReviewPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReviewSchema))
