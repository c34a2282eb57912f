"""The verification flow as the app drives it: start (consent + challenge), card, liveness, status."""

from __future__ import annotations

from typing import Any

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, fields
from werkzeug.datastructures import FileStorage

from idverify.liveness import ACTIONS
from models.accounts import VerificationStatus
from models.verifications import AttemptStatus, VerificationAttempt
from service.api.base import REASON_LIST, BaseSchema, StrictBoolean, UtcDateTime, enum_value, typed
from service.auth.guard import login_required
from service.platform.errors import InvalidInput
from service.verification import attempts, storage
from service.verification.attempts import CARD_FIELDS, MAX_FRAMES, MIN_FRAMES
from service.verification.lifecycle import CARD_STATES
from service.verification.reasons import describe, describe_problems

blp = Blueprint("verifications", __name__, url_prefix="/api/v1", description="实名实人认证")


class StartSchema(BaseSchema):
    consent = StrictBoolean(
        required=True,
        metadata={"description": "同意采集和处理人脸信息(单独同意), 须为 JSON 的 true"},
    )


class CardUploadSchema(BaseSchema):
    front = Upload(required=True, metadata={"description": "身份证人像面"})
    back = Upload(required=True, metadata={"description": "身份证国徽面"})


class LivenessUploadSchema(BaseSchema):
    frames = fields.List(
        Upload(),
        load_default=list,
        metadata={"description": f"按动作顺序拍摄的{MIN_FRAMES}到{MAX_FRAMES}张照片"},
    )
    video = Upload(load_default=None, metadata={"description": "或一段 MP4/WebM 短视频"})


UPLOAD_KINDS = ["front", "back", "frame", "video"]
PROBLEM_LIST = {
    "type": "array",
    "description": "需处理的问题: 原因码, 严重程度, 证件面, 字段与中文说明",
    "items": {
        "type": "object",
        "required": ["reason", "severity", "message"],
        "properties": {
            "reason": {"type": "string"},
            "severity": {"type": "string", "enum": ["fail", "review", "warning"], "nullable": True},
            "side": {"type": "string", "enum": ["front", "back"], "nullable": True},
            "field": {"type": "string", "nullable": True},
            "message": {"type": "string"},
        },
    },
}
CARD_READ = {
    "type": "object",
    "nullable": True,
    "description": "身份证识别 (上传证件前为 null): 状态与识别出的信息, 供本人核对, 号码已脱敏",
    "required": ["status", "fields"],
    "properties": {
        "status": {"type": "string", "enum": list(CARD_STATES)},
        "fields": {
            "type": "object",
            "properties": {name: {"type": "string"} for name in CARD_FIELDS},
            "additionalProperties": False,
        },
    },
}


class AttemptSchema(Schema):
    """What the app and the web hall see: status, progress and reasons; never scores."""

    id = fields.Integer(required=True)
    status = enum_value("status", AttemptStatus, required=True)
    stage = fields.String(allow_none=True, metadata={"enum": ["engine", None], "description": "处理中的阶段"})
    challenge = fields.List(
        fields.String(metadata={"enum": list(ACTIONS)}), metadata={"description": "动作顺序"}
    )
    challenge_expires_at = UtcDateTime()
    uploaded = typed(
        lambda a: sorted({i.kind for i in a.images}),
        {"type": "array", "items": {"type": "string", "enum": UPLOAD_KINDS}, "description": "已上传的内容"},
    )
    reasons = typed(lambda a: describe(attempts.reasons_for_person(a)), REASON_LIST)
    problems = typed(lambda a: describe_problems(attempts.problems_for_person(a)), PROBLEM_LIST)
    card = typed(attempts.card_for_person, CARD_READ)
    account_verification_status = enum_value("account.verification_status", VerificationStatus)
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


def _read(file: FileStorage) -> storage.Upload:
    return storage.Upload(file.read(), file.filename)


def _refuse_form_fields() -> None:
    """An upload is files only: a text part beside them is refused, as an unknown file is."""
    if request.form:
        message = "不允许提交该字段"
        raise InvalidInput("upload_field_unknown", message, errors={name: [message] for name in request.form})


@blp.route("/verifications")
class Verifications(MethodView):
    @login_required(scope="verification")
    @blp.arguments(StartSchema)
    @blp.response(201, AttemptSchema)
    def post(self, args: dict[str, Any]) -> VerificationAttempt:
        """Start a verification: record consent, get the liveness challenge"""
        return attempts.start(g.account, args["consent"])


@blp.route("/verifications/current")
class CurrentVerification(MethodView):
    @login_required(scope="verification")
    @blp.response(200, AttemptSchema)
    def get(self) -> VerificationAttempt:
        """The latest attempt of the signed-in account (polled by the app and the web hall)"""
        return attempts.latest(g.account)


@blp.route("/verifications/<int:attempt_id>")
class Verification(MethodView):
    @login_required(scope="verification")
    @blp.response(200, AttemptSchema)
    def get(self, attempt_id: int) -> VerificationAttempt:
        """One of the signed-in account's attempts"""
        return attempts.own_attempt(g.account, attempt_id)


@blp.route("/verifications/<int:attempt_id>/card")
class CardUpload(MethodView):
    @login_required(scope="verification")
    @blp.arguments(CardUploadSchema, location="files", unknown=RAISE)
    @blp.response(200, AttemptSchema)
    def put(self, files: dict[str, FileStorage], attempt_id: int) -> VerificationAttempt:
        """Upload both sides of the ID card (人像面 and 国徽面)"""
        _refuse_form_fields()
        return attempts.upload_card(g.account, attempt_id, _read(files["front"]), _read(files["back"]))


@blp.route("/verifications/<int:attempt_id>/liveness")
class LivenessUpload(MethodView):
    @login_required(scope="verification")
    @blp.arguments(LivenessUploadSchema, location="files", unknown=RAISE)
    @blp.response(202, AttemptSchema)
    def post(self, files: dict[str, Any], attempt_id: int) -> VerificationAttempt:
        """Upload the challenge frames or clip; the attempt is queued for checking"""
        _refuse_form_fields()
        frames = [_read(f) for f in files.get("frames") or []]
        video = _read(files["video"]) if files.get("video") else None
        return attempts.upload_liveness(g.account, attempt_id, frames, video)
