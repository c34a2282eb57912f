from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.api.base import PHONE, BaseSchema, PageArgsSchema, PageSchema, mask_phone
from service.api.schemas import AdminAccountSchema, GrantSchema, PermissionItemSchema


class ReviewArgsSchema(PageArgsSchema):
    kind = fields.String(load_default=None, validate=validate.OneOf(["account", "permission"]))
    status = fields.String(
        load_default="pending", validate=validate.OneOf(["pending", "approved", "rejected", "withdrawn"])
    )


class DecisionSchema(BaseSchema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["approve", "reject"], error="须为 approve 或 reject")
    )
    reason = fields.String(load_default=None, validate=validate.Length(max=500))


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
    role = fields.Function(lambda a: a.role.value)
    status = fields.Function(lambda a: a.status.value)
    face_verification = fields.Function(lambda a: a.verification_status.value)


class ReviewSchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda r: r.kind.value)
    category = fields.Function(lambda r: r.kind.category)
    status = fields.Function(lambda r: r.status.value)
    account = fields.Nested(ReviewAccountSchema)
    items = fields.List(fields.Nested(PermissionItemSchema))
    payload = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)
    submitted_at = fields.DateTime(attribute="created_at")
    reviewer = fields.Function(lambda r: r.reviewer.username if r.reviewer else None)
    decision_reason = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class ReviewPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReviewSchema))


class AccountArgsSchema(PageArgsSchema):
    q = fields.String(load_default=None, validate=validate.Length(max=64))
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(["pending", "active", "rejected", "suspended", "cancelled"]),
    )
    verification_status = fields.String(
        load_default=None, validate=validate.OneOf(["none", "real_name", "real_person"])
    )
    organisation_id = fields.Integer(load_default=None)


class AccountPageSchema(PageSchema):
    items = fields.List(fields.Nested(AdminAccountSchema))


class AccountDetailSchema(AdminAccountSchema):
    grants = fields.List(fields.Nested(GrantSchema))


class AccountPatchSchema(BaseSchema):
    """What an admin may change directly; the ID number, role and verification are not here."""

    department = fields.String(validate=validate.Length(min=1, max=64))
    position = fields.String(validate=validate.Length(min=1, max=64))
    organisation_id = fields.Integer()
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class CancellationSchema(BaseSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


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
    status = fields.String()
    account_id = fields.Integer(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class CityAdminDecisionResultSchema(Schema):
    application = fields.Nested(CityAdminApplicationSchema)
    initial_password = fields.String(allow_none=True)
