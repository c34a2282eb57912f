"""What the web hall reads: account records and verification states (masked, never a score)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from models.accounts import AccountStatus, VerificationStatus
from models.requests import RequestKind, RequestStatus
from models.verifications import AttemptStatus
from service.api.base import PHONE, BaseSchema, UtcDateTime, record_id
from service.api.schemas import AdminAccountSchema, GrantSchema
from service.hall.records import BATCH_MAX
from service.verification.reasons import describe


def _value(attribute: str, values: type[Any]) -> fields.Function:
    """An enum attribute dumped as its value, documented with every value it can take."""
    return fields.Function(
        lambda obj: getattr(obj, attribute).value, metadata={"enum": [v.value for v in values]}
    )


class ReviewStateSchema(Schema):
    id = fields.Integer()
    kind = _value("kind", RequestKind)
    status = _value("status", RequestStatus)
    submitted_at = UtcDateTime(attribute="created_at")
    decided_at = UtcDateTime(allow_none=True)


class VerificationSummarySchema(Schema):
    status = _value("verification_status", VerificationStatus)
    verified_at = UtcDateTime(allow_none=True)


class AccountRecordSchema(Schema):
    """The record the hall shows: status, review, verification, grants; ID number and phone masked."""

    account = fields.Nested(AdminAccountSchema)
    review = fields.Nested(ReviewStateSchema, attribute="latest_review", allow_none=True)
    verification = fields.Nested(VerificationSummarySchema, attribute="account", dump_only=True)
    grants = fields.List(fields.Nested(GrantSchema))


class AttemptStateSchema(Schema):
    id = fields.Integer()
    status = _value("status", AttemptStatus)
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


class VerificationStateSchema(Schema):
    """An account's verification state and its latest attempt's, with reasons in Chinese; no scores."""

    account_id = fields.Function(lambda s: s.account.id)
    account_status = fields.Function(
        lambda s: s.account.status.value, metadata={"enum": [v.value for v in AccountStatus]}
    )
    verification = fields.Nested(VerificationSummarySchema, attribute="account", dump_only=True)
    attempt = fields.Nested(AttemptStateSchema, allow_none=True)
    reasons = fields.Function(lambda s: describe(s.reasons))


class BatchInSchema(BaseSchema):
    account_ids = fields.List(
        record_id(),
        required=True,
        validate=validate.Length(min=1, max=BATCH_MAX, error=f"须为1到{BATCH_MAX}个账号"),
    )


class BatchSchema(Schema):
    items = fields.List(fields.Nested(VerificationStateSchema))
    missing = fields.List(fields.Integer(), metadata={"description": "不存在或不在本客户端辖区内的账号"})


class LookupArgsSchema(BaseSchema):
    username = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    phone = fields.String(load_default=None, validate=PHONE)
    id_number = fields.String(load_default=None, validate=validate.Length(min=15, max=18))

    @validates_schema
    def _one_key(self, data: dict[str, Any], **kwargs: Any) -> None:
        if sum(1 for k in ("username", "phone", "id_number") if data.get(k)) != 1:
            raise ValidationError("请提供 username、phone 或 id_number 之一", "_schema")


class LookupSchema(Schema):
    items = fields.List(fields.Nested(AdminAccountSchema))
