from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_load, validate

from models.accounts import Role
from models.verifications import AttemptStatus, VerificationAttempt
from service.api.base import (
    REASON_LIST,
    BaseSchema,
    PageArgsSchema,
    PageSchema,
    UtcDateTime,
    enum_value,
    paginate,
    record_id,
    typed,
)
from service.auth.guard import login_required
from service.verification import support
from service.verification.evidence import masked, reveal_card_fields
from service.verification.reasons import describe

blp = Blueprint("support", __name__, url_prefix="/api/v1", description="运维客服: 认证复核")
support_required = login_required(Role.SUPPORT, active=True)


class SupportListArgsSchema(PageArgsSchema):
    status = fields.String(
        load_default=None,
        validate=validate.OneOf([s.value for s in AttemptStatus]),
    )
    account_id = record_id(load_default=None)

    @post_load
    def _status(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        data["status"] = AttemptStatus(data["status"]) if data["status"] else None
        return data


class EvidenceAttemptSchema(Schema):
    """Everything support staff need to judge an attempt, scores included (never shown to clients)."""

    id = fields.Integer()
    account_id = fields.Integer()
    username = fields.Function(lambda a: a.account.username)
    real_name = fields.Function(lambda a: a.account.real_name)
    id_number = fields.Function(lambda a: a.account.id_number_masked)
    status = enum_value("status", AttemptStatus)
    stage = fields.String(allow_none=True, metadata={"enum": ["engine", None]})
    challenge = fields.List(fields.String())
    reasons = typed(lambda a: describe(a.reasons), REASON_LIST)
    # The card's ID number and address stay masked here; the console's audited reveal shows them.
    evidence = fields.Function(lambda a: masked(a.evidence), allow_none=True)
    runs = fields.Integer()
    rerun_of_id = fields.Integer(allow_none=True)
    manual_decision = fields.String(allow_none=True, metadata={"enum": ["pass", "fail", None]})
    manual_reason = fields.String(allow_none=True)
    images_purged_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


class EvidencePageSchema(PageSchema):
    items = fields.List(fields.Nested(EvidenceAttemptSchema))


class ManualDecisionSchema(BaseSchema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["pass", "fail"], error="须为 pass 或 fail")
    )
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=500, error="请填写2到500字的理由")
    )


@blp.route("/support/verifications")
class SupportVerifications(MethodView):
    @support_required
    @blp.arguments(SupportListArgsSchema, location="query")
    @blp.response(200, EvidencePageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Verification attempts, newest first, filtered by status or account"""
        query = support.support_query(args["status"], args["account_id"])
        return paginate(query, args["page"], args["page_size"])


@blp.route("/support/verifications/<int:attempt_id>")
class SupportVerification(MethodView):
    @support_required
    @blp.response(200, EvidenceAttemptSchema)
    def get(self, attempt_id: int) -> VerificationAttempt:
        """One attempt with its evidence"""
        return support.get_attempt(attempt_id)


@blp.route("/support/verifications/<int:attempt_id>/rerun")
class Rerun(MethodView):
    @support_required
    @blp.response(202, EvidenceAttemptSchema)
    def post(self, attempt_id: int) -> VerificationAttempt:
        """Re-run a finished attempt on its uploads (as a new attempt)"""
        return support.rerun(g.account, attempt_id)


@blp.route("/support/verifications/<int:attempt_id>/decision")
class ManualDecision(MethodView):
    @support_required
    @blp.arguments(ManualDecisionSchema)
    @blp.response(200, EvidenceAttemptSchema)
    def post(self, args: dict[str, Any], attempt_id: int) -> VerificationAttempt:
        """Decide an attempt by hand, with a written reason"""
        return support.decide_manually(g.account, attempt_id, args["decision"], args["reason"])


class OverturnSchema(BaseSchema):
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=500, error="请填写2到500字的改判理由")
    )


@blp.route("/support/verifications/<int:attempt_id>/overturn")
class Overturn(MethodView):
    @support_required
    @blp.arguments(OverturnSchema)
    @blp.response(200, EvidenceAttemptSchema)
    def post(self, args: dict[str, Any], attempt_id: int) -> VerificationAttempt:
        """Reverse an earlier decision by hand (pass <-> fail), with its own written reason"""
        return support.overturn(g.account, attempt_id, args["reason"])


class RevealSchema(BaseSchema):
    reason = fields.String(
        required=True, validate=validate.Length(min=2, max=500, error="请填写2到500字的查看理由")
    )


class RevealedSchema(Schema):
    id_number = fields.String()
    address = fields.String()


@blp.route("/support/verifications/<int:attempt_id>/reveal")
class Reveal(MethodView):
    @support_required
    @blp.arguments(RevealSchema)
    @blp.response(200, RevealedSchema)
    def post(self, args: dict[str, Any], attempt_id: int) -> dict[str, str]:
        """The card's ID number and address in full (masked elsewhere); audited with the reason"""
        return reveal_card_fields(g.account, attempt_id, args["reason"])
