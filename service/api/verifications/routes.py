"""The verification flow as the app drives it: start (consent + challenge), card, liveness, status."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import Schema, fields
from werkzeug.datastructures import FileStorage

from models.verifications import VerificationAttempt
from service.api.base import BaseSchema, StrictBoolean, UtcDateTime
from service.auth.guard import login_required
from service.verification import attempts, storage
from service.verification.attempts import MAX_FRAMES, MIN_FRAMES
from service.verification.reasons import describe, describe_problems

blp = Blueprint("verifications", __name__, url_prefix="/api/v1", description="实名实人认证")


class StartSchema(BaseSchema):
    consent = StrictBoolean(
        required=True,
        metadata={"description": "同意采集和处理人脸信息(单独同意), 须为 JSON 的 true"},
    )


class CardUploadSchema(Schema):
    front = Upload(required=True, metadata={"description": "身份证人像面"})
    back = Upload(required=True, metadata={"description": "身份证国徽面"})


class LivenessUploadSchema(Schema):
    frames = fields.List(
        Upload(),
        load_default=list,
        metadata={"description": f"按动作顺序拍摄的{MIN_FRAMES}到{MAX_FRAMES}张照片"},
    )
    video = Upload(load_default=None, metadata={"description": "或一段 MP4/WebM 短视频"})


class AttemptSchema(Schema):
    """What the app and the web hall see: status, progress and reasons; never scores."""

    id = fields.Integer()
    status = fields.Function(lambda a: a.status.value)
    stage = fields.String(allow_none=True)
    challenge = fields.List(fields.String())
    challenge_expires_at = UtcDateTime()
    uploaded = fields.Function(lambda a: sorted({i.kind for i in a.images}))
    reasons = fields.Function(lambda a: describe(attempts.reasons_for_person(a)))
    problems = fields.Function(
        lambda a: describe_problems(attempts.problems_for_person(a)),
        metadata={
            "description": "需处理的问题: reason, severity (fail/review/warning), "
            "side (front/back), field, message"
        },
    )
    card = fields.Function(
        attempts.card_for_person,
        metadata={
            "description": "身份证识别: status (reading/read/review/failed) "
            "与识别出的信息(供本人核对, 号码已脱敏)"
        },
    )
    account_verification_status = fields.Function(lambda a: a.account.verification_status.value)
    created_at = UtcDateTime()
    finished_at = UtcDateTime(allow_none=True)


def _read(file: FileStorage) -> storage.Upload:
    return storage.Upload(file.read(), file.filename)


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
    @blp.arguments(CardUploadSchema, location="files")
    @blp.response(200, AttemptSchema)
    def put(self, files: dict[str, FileStorage], attempt_id: int) -> VerificationAttempt:
        """Upload both sides of the ID card (人像面 and 国徽面)"""
        return attempts.upload_card(g.account, attempt_id, _read(files["front"]), _read(files["back"]))


@blp.route("/verifications/<int:attempt_id>/liveness")
class LivenessUpload(MethodView):
    @login_required(scope="verification")
    @blp.arguments(LivenessUploadSchema, location="files")
    @blp.response(202, AttemptSchema)
    def post(self, files: dict[str, Any], attempt_id: int) -> VerificationAttempt:
        """Upload the challenge frames or clip; the attempt is queued for checking"""
        frames = [_read(f) for f in files.get("frames") or []]
        video = _read(files["video"]) if files.get("video") else None
        return attempts.upload_liveness(g.account, attempt_id, frames, video)
