"""Schemas of the admin's account list and account page (用户权限管理)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from models.accounts import AccountStatus, VerificationStatus
from service.accounts.management import AccountFilters
from service.accounts.permissions import grants_of
from service.api.base import BaseSchema, PageArgsSchema, PageSchema, record_id
from service.api.schemas import AdminAccountSchema, GrantSchema


class AccountArgsSchema(PageArgsSchema):
    """Paging plus the list's filters, loaded as ``{"page", "page_size", "filters": AccountFilters}``."""

    q = fields.String(load_default=None, validate=validate.Length(max=64))
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in AccountStatus]))
    verification_status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in VerificationStatus])
    )
    organisation_id = record_id(load_default=None)

    @post_load
    def _filters(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        status, verification = data.pop("status"), data.pop("verification_status")
        data["filters"] = AccountFilters(
            q=data.pop("q"),
            status=AccountStatus(status) if status else None,
            verification_status=VerificationStatus(verification) if verification else None,
            organisation_id=data.pop("organisation_id"),
        )
        return data


class AccountPageSchema(PageSchema):
    items = fields.List(fields.Nested(AdminAccountSchema))


class AccountDetailSchema(AdminAccountSchema):
    grants = fields.Function(lambda a: GrantSchema(many=True).dump(grants_of(a.id)))


class AccountPatchSchema(BaseSchema):
    """What an admin may change directly; the ID number, role and verification are not here."""

    department = fields.String(validate=validate.Length(min=1, max=64))
    position = fields.String(validate=validate.Length(min=1, max=64))
    organisation_id = record_id()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CancellationSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ReasonSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500, error="请填写原因"))


class RevokedSchema(Schema):
    sessions_revoked = fields.Integer()
