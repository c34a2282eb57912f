"""Real-person verification (实名实人认证) as the app drives it:

1. ``start``: the person consents to biometric processing; we issue a random liveness challenge.
2. ``upload_card``: both sides of the ID card, each pre-checked at once; the ``read_cards`` job reads
   them straight away, so the person can check what was read (``card_for_person``).
3. ``upload_liveness``: the challenge frames or a short clip; the attempt is queued.
4. The ``verify_attempt`` job runs face and liveness and records the outcome; the web hall follows.

Attempts are limited per account and per ID number per day. Uploads are sniffed by content and
stored encrypted (``storage``); every status change goes through ``lifecycle``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from idverify.idnumber import mask_id_number
from idverify.liveness import LivenessConfig, new_challenge
from models.accounts import Account
from models.base import CHINA_TIME, as_utc, db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service import audit
from service.platform import ratelimit
from service.platform.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from service.platform.offload import off_the_loop
from service.verification import lifecycle, queue, refusals, storage
from service.verification.engine import get_engine
from service.verification.reasons import message_for
from service.verification.storage import Upload, image_type, sealed_image, video_type

log = logging.getLogger(__name__)

CONSENT_VERSION = "2026-11"
#: How many liveness frames an upload may hold: the engine's own limits, written nowhere else.
MIN_FRAMES, MAX_FRAMES = LivenessConfig().min_frames, LivenessConfig().max_frames
CARD_KINDS = ("front", "back")


def start(account: Account, consent: bool) -> VerificationAttempt:
    """Record consent and issue a challenge; refuses without basic info or past the daily limits."""
    if not consent:
        message = "进行人脸识别前须同意采集和处理您的人脸信息"
        raise InvalidInput("consent_required", message, errors={"consent": [message]})
    if not (account.real_name and account.id_number_hash):
        raise Conflict("basic_info_required", "请先完善真实姓名和身份证号码等基本信息")
    cfg = current_app.config
    check_daily_submissions(account)
    ratelimit.enforce(
        cfg["VERIFY_START_LIMIT"],
        "verify-start",
        str(account.id),
        reason="verification_starts_exceeded",
        message="开始认证过于频繁,请稍后再试",
    )
    now = utcnow()
    attempt = VerificationAttempt(
        account_id=account.id,
        status=AttemptStatus.CREATED,
        challenge=list(new_challenge()),
        challenge_expires_at=now + dt.timedelta(seconds=cfg["VERIFY_CHALLENGE_TTL"]),
        consent_at=now,
        consent_version=CONSENT_VERSION,
    )
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        "verification.start",
        target_type="verification",
        target_id=attempt.id,
        detail={"consent_version": CONSENT_VERSION, "challenge": attempt.challenge},
    )
    db.session.commit()
    return attempt


def own_attempt(account: Account, attempt_id: int) -> VerificationAttempt:
    """One of ``account``'s attempts (expired if its challenge ran out); another account's is not found."""
    attempt = db.session.get(VerificationAttempt, attempt_id)
    if attempt is None or attempt.account_id != account.id:
        raise NotFound()
    expire_if_overdue(attempt)
    return attempt


def latest(account: Account) -> VerificationAttempt:
    """The account's newest attempt (expired if its challenge ran out)."""
    query = select(VerificationAttempt).where(VerificationAttempt.account_id == account.id)
    attempt = db.session.scalar(query.order_by(VerificationAttempt.id.desc()).limit(1))
    if attempt is None:
        raise NotFound("verification_not_started", "尚未开始实名实人认证")
    expire_if_overdue(attempt)
    return attempt


def expire_if_overdue(attempt: VerificationAttempt) -> bool:
    """An attempt still waiting for uploads past its challenge's deadline becomes ``expired`` (commits).

    Called wherever an attempt is read, so it never reads as ``created`` after its deadline.
    """
    if attempt.status is not AttemptStatus.CREATED or utcnow() < as_utc(attempt.challenge_expires_at):
        return False
    lifecycle.transition(attempt, AttemptStatus.EXPIRED, reasons=["challenge_expired"])
    db.session.commit()
    return True


def expire_overdue() -> int:
    """Expire every attempt whose challenge ran out before its uploads were complete; returns how many."""
    query = select(VerificationAttempt).where(
        VerificationAttempt.status == AttemptStatus.CREATED,
        VerificationAttempt.challenge_expires_at <= utcnow(),
    )
    overdue = db.session.scalars(query).all()
    for attempt in overdue:
        lifecycle.transition(attempt, AttemptStatus.EXPIRED, reasons=["challenge_expired"])
    db.session.commit()
    return len(overdue)


def check_daily_submissions(account: Account) -> None:
    """Refuse once today's submissions (liveness uploads, China's calendar day) reach the limit for the
    account or for its ID number; 429 with Retry-After up to the next midnight. Support's re-runs and
    abandoned starts do not count."""
    cfg = current_app.config
    now = utcnow().astimezone(CHINA_TIME)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    submitted_today = select(func.count(VerificationAttempt.id)).where(
        VerificationAttempt.queued_at >= midnight.astimezone(dt.UTC),
        VerificationAttempt.requested_by_id.is_(None),
    )
    own = db.session.scalar(submitted_today.where(VerificationAttempt.account_id == account.id)) or 0
    same_person = (
        db.session.scalar(
            submitted_today.join(Account, Account.id == VerificationAttempt.account_id).where(
                Account.id_number_hash == account.id_number_hash
            )
        )
        or 0
    )
    if (
        own >= cfg["VERIFY_DAILY_SUBMISSIONS_PER_ACCOUNT"]
        or same_person >= cfg["VERIFY_DAILY_SUBMISSIONS_PER_ID_NUMBER"]
    ):
        reset = int((midnight + dt.timedelta(days=1) - now).total_seconds()) + 1
        raise TooManyRequests(
            "verification_attempts_exceeded",
            "今日认证次数已达上限,请明天再试或联系运维客服",
            retry_after=reset,
        )


def reasons_for_person(attempt: VerificationAttempt) -> list[str]:
    """The reason codes the person is shown: none on a pass (the engine's stay in support's evidence)."""
    return [] if attempt.status is AttemptStatus.PASSED else list(attempt.reasons or [])


def problems_for_person(attempt: VerificationAttempt) -> list[dict[str, Any]]:
    """What to fix, with side and field; on a pass only the hints (warnings) remain."""
    problems = attempt.problems or []
    if attempt.status is AttemptStatus.PASSED:
        problems = [p for p in problems if p.get("severity") == "warning"]
    return problems


#: The card fields shown to the person to check (请核对), in the card's order.
CARD_FIELDS = (
    *("name", "sex", "nation", "birth_date", "address", "id_number"),  # 人像面
    *("authority", "valid_from", "valid_until"),  # 国徽面
)


def card_for_person(attempt: VerificationAttempt) -> dict[str, Any] | None:
    """The early card read as the person checks it: its state and the fields read (the ID number
    masked), or None before the cards are uploaded. Only the person themself is shown this."""
    if attempt.card_status is None:
        return None
    fields: dict[str, str] = {}
    if attempt.card_sealed is not None:
        read = storage.unseal_card_read(attempt.card_sealed)
        for side in ("front", "back"):
            for name, value in (read.get(side) or {}).get("fields", {}).items():
                fields[name] = value.get("text", "")
        if fields.get("id_number"):
            fields["id_number"] = (
                mask_id_number(fields["id_number"]) if len(fields["id_number"]) == 18 else "****"
            )
    return {"status": attempt.card_status, "fields": {k: fields[k] for k in CARD_FIELDS if fields.get(k)}}


def _open_for_upload(account: Account, attempt_id: int) -> VerificationAttempt:
    attempt = own_attempt(account, attempt_id)
    if attempt.status is AttemptStatus.EXPIRED:
        raise Conflict("challenge_expired", "认证已超时,请重新开始")
    if attempt.status is not AttemptStatus.CREATED:
        raise Conflict("verification_submitted", "本次认证已提交,请查看结果或重新开始")
    return attempt


def upload_card(account: Account, attempt_id: int, front: Upload, back: Upload) -> VerificationAttempt:
    """Pre-check both sides at once (the person reshoots a bad photo now, not after the face step),
    store them (replacing earlier ones) and start reading them as a job of their own."""
    attempt = _open_for_upload(account, attempt_id)
    card_pixels = current_app.config["VERIFY_MAX_CARD_PIXELS"]
    types = {
        side: image_type(side, upload, max_pixels=card_pixels)
        for side, upload in (("front", front), ("back", back))
    }
    warnings = _precheck(attempt.id, {"front": front, "back": back})
    attempt.images = [i for i in attempt.images if i.kind not in CARD_KINDS]
    attempt.images += [
        sealed_image("front", 0, front, types["front"]),
        sealed_image("back", 0, back, types["back"]),
    ]
    db.session.flush()
    uploads = storage.card_uploads(attempt.images)
    if uploads == attempt.card_uploads and attempt.card_status in ("read", "review", "failed"):
        db.session.commit()  # the very same photos again: their read stands
        return attempt
    lifecycle.record_card_state(attempt, "reading", problems=warnings, uploads=uploads)
    db.session.commit()
    queue.enqueue_card_read(attempt.id, uploads or "")
    return attempt


def _precheck(attempt_id: int, uploads: dict[str, Upload]) -> list[dict[str, Any]]:
    """422 naming the side and the problem (人像面: 照片模糊 ...) for every side that fails; the
    refusals a side let through (see :mod:`refusals`) come back as warnings for the person.

    The pre-check may read the card's print (a few hundred ms, the first time also loading the OCR
    models): it runs off gevent's loop, so the process's other connections are served meanwhile."""
    engine = get_engine()
    results = {side: off_the_loop(engine.precheck, upload.data, side) for side, upload in uploads.items()}
    failures = {side: result for side, result in results.items() if not result.ok}
    passed = {s for s, r in failures.items() if refusals.let_through(attempt_id, s, r.reasons[0])}
    refused = {side: result for side, result in failures.items() if side not in passed}
    if refused:
        for side in refused:
            refusals.refused(attempt_id, side)
        side, first = next(iter(refused.items()))
        errors = {s: [message_for(r.reasons[0], s)] for s, r in refused.items()}
        raise InvalidInput(first.reasons[0], message_for(first.reasons[0], side), errors=errors)
    for side in results:  # both are stored: the counts start again
        refusals.accepted(attempt_id, side)
    if passed:
        log.info("attempt %s: pre-check refusals let through %s", attempt_id, sorted(passed))
    return [
        {"code": failures[side].reasons[0], "severity": "warning", "side": side, "field": None}
        for side in sorted(passed)
    ]


def upload_liveness(
    account: Account, attempt_id: int, frames: Sequence[Upload], video: Upload | None
) -> VerificationAttempt:
    """Store the challenge frames or clip (one of the two) and queue the attempt (the cards must be there)."""
    if not frames and video is None:
        raise InvalidInput(
            "liveness_missing", "请上传动作照片或视频", errors={"frames": ["请上传动作照片或视频"]}
        )
    attempt = _open_for_upload(account, attempt_id)
    if not set(CARD_KINDS) <= {i.kind for i in attempt.images}:
        raise Conflict("card_images_missing", "请先上传身份证人像面和国徽面")
    if attempt.card_status == "failed":
        raise Conflict("card_read_failed", "身份证识别未通过,请按提示重新拍摄后再进行人脸识别")
    attempt.images = [i for i in attempt.images if i.kind in CARD_KINDS]
    check_daily_submissions(account)
    if video is not None and frames:
        raise InvalidInput("liveness_input_ambiguous", "请上传动作照片或视频其中一种")
    if video is not None:
        attempt.images.append(sealed_image("video", 0, video, video_type(video)))
    else:
        _check_frame_count(len(frames))
        frame_pixels = current_app.config["VERIFY_MAX_FRAME_PIXELS"]
        attempt.images += [
            sealed_image("frame", n, f, image_type("frames", f, max_pixels=frame_pixels))
            for n, f in enumerate(frames)
        ]
    queue.submit(attempt, actor=account)
    return attempt


def _check_frame_count(count: int) -> None:
    if not MIN_FRAMES <= count <= MAX_FRAMES:
        message = f"请上传{MIN_FRAMES}到{MAX_FRAMES}张动作照片"
        raise InvalidInput(
            "liveness_frame_count", message, errors={"frames": [f"须为{MIN_FRAMES}到{MAX_FRAMES}张"]}
        )
