"""Schemas of the city-admin application (附件2)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_load, validate

from service.accounts.city_admins import CityAdminApplicationForm
from service.accounts.identity import mask_phone
from service.api.base import PHONE, BaseSchema, UtcDateTime


class CityAdminApplicationInSchema(BaseSchema):
    """The seed's 附件2 form.

    Fields: 市州, 单位, 经办处室, 账号使用人, 联系方式, 分管事项, 身份证号, 备注 (新增/删除).
    """

    city_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    action = fields.String(
        required=True, validate=validate.OneOf(["add", "delete"], error="须为 add(新增) 或 delete(删除)")
    )
    department = fields.String(required=True, validate=validate.Length(min=1, max=128))
    office = fields.String(load_default=None, validate=validate.Length(max=64))
    holder_name = fields.String(required=True, validate=validate.Length(min=2, max=30))
    contact = fields.String(required=True, validate=PHONE)
    matters_in_charge = fields.String(load_default=None, validate=validate.Length(max=500))
    id_number = fields.String(required=True, validate=validate.Length(min=15, max=20))
    username = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{3,31}$"))
    remark = fields.String(load_default=None, validate=validate.Length(max=500))

    @post_load
    def _form(self, data: dict[str, Any], **kwargs: Any) -> CityAdminApplicationForm:
        return CityAdminApplicationForm(**data)


class CityAdminApplicationSchema(Schema):
    id = fields.Integer()
    city_code = fields.String()
    action = fields.String()
    department = fields.String()
    office = fields.String(allow_none=True)
    holder_name = fields.String()
    contact = fields.Function(lambda a: mask_phone(a.contact))
    matters_in_charge = fields.String(allow_none=True)
    id_number = fields.String(attribute="id_number_masked")
    username = fields.String(allow_none=True)
    remark = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": ["pending", "approved", "rejected"]})
    account_id = fields.Integer(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    decided_at = UtcDateTime(allow_none=True)


class CityAdminDecisionResultSchema(Schema):
    application = fields.Nested(CityAdminApplicationSchema)
    initial_password = fields.String(allow_none=True)
