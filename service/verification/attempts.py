"""Real-person verification (实名实人认证) as the app drives it:

1. ``start``: the person consents to biometric processing; we issue a random liveness challenge.
2. ``upload_card``: both sides of the ID card.
3. ``upload_liveness``: the challenge frames (4-12 JPEGs) or a short clip; the attempt is queued.
4. The ``verify_attempt`` job runs the engine and writes the outcome here; the web hall polls.

Attempts are limited per account and per ID number per day. Uploads are sniffed by content and
stored encrypted. Support staff re-run an attempt or decide it by hand, with a written reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from idverify.images import sniff_format, sniff_video
from idverify.liveness import new_challenge
from models.accounts import Account, VerificationStatus
from models.base import as_utc, db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt, VerificationImage
from service import audit
from service.auth.sessions import revoke_all
from service.platform import ratelimit
from service.platform.crypto import seal
from service.platform.errors import Conflict, InvalidInput, NotFound

CONSENT_VERSION = "2026-11"
IMAGE_PURPOSE = b"verification-image"


@dataclass(frozen=True)
class Upload:
    """One uploaded file, already read (views turn FileStorage into this)."""

    data: bytes
    filename: str | None = None


def start(account: Account, consent: bool) -> VerificationAttempt:
    """Record consent and issue a challenge; refuses without basic info or past the daily limits."""
    if not consent:
        message = "进行人脸识别前须同意采集和处理您的人脸信息"
        raise InvalidInput("consent_required", message, errors={"consent": [message]})
    if not (account.real_name and account.id_number_hash):
        raise Conflict("basic_info_required", "请先完善真实姓名和身份证号码等基本信息")
    cfg = current_app.config
    message = "今日认证次数已达上限,请明天再试或联系运维客服"
    ratelimit.enforce(cfg["VERIFY_LIMIT_PER_ACCOUNT"], "verify-account", str(account.id),
                      reason="verification_attempts_exceeded", message=message)  # fmt: skip
    ratelimit.enforce(cfg["VERIFY_LIMIT_PER_ID_NUMBER"], "verify-id", account.id_number_hash,
                      reason="verification_attempts_exceeded", message=message)  # fmt: skip
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
    audit.record("verification.start", target_type="verification", target_id=attempt.id,
                 detail={"consent_version": CONSENT_VERSION, "challenge": attempt.challenge})  # fmt: skip
    db.session.commit()
    return attempt


def own_attempt(account: Account, attempt_id: int) -> VerificationAttempt:
    attempt = db.session.get(VerificationAttempt, attempt_id)
    if attempt is None or attempt.account_id != account.id:
        raise NotFound()
    return attempt


def latest(account: Account) -> VerificationAttempt | None:
    query = select(VerificationAttempt).where(VerificationAttempt.account_id == account.id)
    return db.session.scalar(query.order_by(VerificationAttempt.id.desc()).limit(1))


def _open_for_upload(account: Account, attempt_id: int) -> VerificationAttempt:
    attempt = own_attempt(account, attempt_id)
    if attempt.status is not AttemptStatus.CREATED:
        raise Conflict("verification_submitted", "本次认证已提交,请查看结果或重新开始")
    if utcnow() >= as_utc(attempt.challenge_expires_at):
        attempt.status = AttemptStatus.EXPIRED
        attempt.reasons = ["challenge_expired"]
        attempt.finished_at = utcnow()
        db.session.commit()
        raise Conflict("challenge_expired", "认证已超时,请重新开始")
    return attempt


def _image(kind: str, position: int, upload: Upload, content_type: str) -> VerificationImage:
    return VerificationImage(
        kind=kind,
        position=position,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        sealed=seal(upload.data, IMAGE_PURPOSE),
        created_at=utcnow(),
    )


def _check_image(field: str, upload: Upload) -> str:
    """Sniff by content, not name: only JPEG, PNG and WebP pass, within the byte limit."""
    if len(upload.data) > current_app.config["VERIFY_MAX_IMAGE_BYTES"]:
        raise InvalidInput(
            "image_too_large_bytes", "图片文件过大,请压缩后重新上传", errors={field: ["图片文件过大"]}
        )
    fmt = sniff_format(upload.data)
    if fmt is None:
        message = "仅支持 JPEG、PNG、WebP 格式的图片"
        raise InvalidInput("image_format_unsupported", message, errors={field: [message]})
    return f"image/{fmt}"


def upload_card(account: Account, attempt_id: int, front: Upload, back: Upload) -> VerificationAttempt:
    """Store both card sides (replacing earlier ones of this attempt)."""
    attempt = _open_for_upload(account, attempt_id)
    types = {"front": _check_image("front", front), "back": _check_image("back", back)}
    attempt.images = [i for i in attempt.images if i.kind not in ("front", "back")]
    attempt.images += [_image("front", 0, front, types["front"]), _image("back", 0, back, types["back"])]
    db.session.commit()
    return attempt


def upload_liveness(
    account: Account, attempt_id: int, frames: Sequence[Upload], video: Upload | None
) -> VerificationAttempt:
    """Store the challenge frames or clip and queue the attempt (the cards must be there)."""
    attempt = _open_for_upload(account, attempt_id)
    if not {"front", "back"} <= {i.kind for i in attempt.images}:
        raise Conflict("card_images_missing", "请先上传身份证人像面和国徽面")
    attempt.images = [i for i in attempt.images if i.kind in ("front", "back")]
    if video is not None and frames:
        raise InvalidInput("liveness_input_ambiguous", "请上传动作照片或视频其中一种")
    if video is not None:
        if len(video.data) > current_app.config["VERIFY_MAX_VIDEO_BYTES"] or sniff_video(video.data) is None:
            raise InvalidInput("video_format_unsupported", "仅支持 MP4、WebM 格式且不超过大小限制的视频")
        attempt.images.append(_image("video", 0, video, f"video/{sniff_video(video.data)}"))
    else:
        if not 4 <= len(frames) <= 12:
            raise InvalidInput(
                "liveness_frame_count", "请上传4到12张动作照片", errors={"frames": ["须为4到12张"]}
            )
        attempt.images += [_image("frame", n, f, _check_image("frames", f)) for n, f in enumerate(frames)]
    queue(attempt)
    db.session.commit()
    return attempt


def queue(attempt: VerificationAttempt) -> None:
    """Mark queued in the database and put the job on the queue. The caller commits.

    The database row is the source of truth: if the enqueue is lost, the sweeper finds the
    queued row and enqueues it again.
    """
    from service.verification.queue import enqueue_verification

    attempt.status = AttemptStatus.QUEUED
    attempt.stage = None
    attempt.queued_at = utcnow()
    db.session.flush()
    db.session.commit()  # the job must find the row committed
    enqueue_verification(attempt.id)


def mark_passed(attempt: VerificationAttempt) -> None:
    account = attempt.account
    account.verification_status = VerificationStatus.REAL_PERSON
    account.verified_at = utcnow()


def get_attempt(attempt_id: int) -> VerificationAttempt:
    attempt = db.session.get(VerificationAttempt, attempt_id)
    if attempt is None:
        raise NotFound()
    return attempt


def support_query(status: str | None, account_id: int | None):  # -> Select
    query = select(VerificationAttempt).order_by(VerificationAttempt.id.desc())
    if status:
        query = query.where(VerificationAttempt.status == AttemptStatus(status))
    if account_id:
        query = query.where(VerificationAttempt.account_id == account_id)
    return query


def rerun(staff: Account, attempt_id: int) -> VerificationAttempt:
    """Support re-runs a finished attempt on the same uploads, as a new attempt (history kept)."""
    original = get_attempt(attempt_id)
    if not original.status.terminal or original.status is AttemptStatus.EXPIRED:
        raise Conflict("verification_not_rerunnable", "只能重新处理已结束的认证")
    if original.images_purged_at is not None:
        raise Conflict("verification_images_purged", "该次认证的图片已按保存期限删除,请用户重新认证")
    now = utcnow()
    attempt = VerificationAttempt(
        account_id=original.account_id,
        challenge=list(original.challenge),
        challenge_expires_at=now,
        consent_at=original.consent_at,
        consent_version=original.consent_version,
        rerun_of_id=original.id,
        requested_by_id=staff.id,
    )
    attempt.images = [
        VerificationImage(kind=i.kind, position=i.position, content_type=i.content_type, size=i.size,
                          sha256=i.sha256, sealed=i.sealed, created_at=now)
        for i in original.images
    ]  # fmt: skip
    db.session.add(attempt)
    db.session.flush()
    audit.record("verification.rerun", target_type="verification", target_id=attempt.id,
                 detail={"rerun_of": original.id, "account_id": original.account_id})  # fmt: skip
    queue(attempt)
    return attempt


def decide_manually(staff: Account, attempt_id: int, decision: str, reason: str) -> VerificationAttempt:
    """A support decision, with a written reason, for people who cannot pass online (seed, point 3)."""
    attempt = get_attempt(attempt_id)
    if not attempt.status.terminal:
        raise Conflict("verification_in_progress", "认证尚在处理中,请稍后再试")
    overturned = attempt.status is AttemptStatus.PASSED and decision == "fail"
    attempt.manual_decision = decision
    attempt.manual_reason = reason
    attempt.decided_by_id = staff.id
    attempt.status = AttemptStatus.PASSED if decision == "pass" else AttemptStatus.FAILED
    if decision == "pass":
        mark_passed(attempt)
    else:
        attempt.reasons = [*(attempt.reasons or []), "manual_rejected"]
    if overturned:
        # A pass found to be wrong (e.g. fraud) takes the verification back and ends the sessions.
        attempt.account.verification_status = VerificationStatus.NONE
        attempt.account.verified_at = None
        revoke_all(attempt.account_id, "verification_revoked")
    detail = {"account_id": attempt.account_id, "reason": reason, "overturned": overturned}
    audit.record(
        f"verification.manual_{decision}", target_type="verification", target_id=attempt.id, detail=detail
    )
    db.session.commit()
    return attempt


def purge_images(older_than_days: int) -> int:
    """Delete the uploads of attempts finished before the retention cut-off; returns attempts purged."""
    cutoff = utcnow() - dt.timedelta(days=older_than_days)
    query = select(VerificationAttempt).where(
        VerificationAttempt.finished_at < cutoff, VerificationAttempt.images_purged_at.is_(None)
    )
    purged = 0
    for attempt in db.session.scalars(query):
        attempt.images = []
        attempt.images_purged_at = utcnow()
        purged += 1
    if purged:
        audit.record(
            "verification.purge", actor="system", detail={"attempts": purged, "cutoff": cutoff.isoformat()}
        )
    db.session.commit()
    return purged


def sweep(stale_after_seconds: int) -> list[int]:
    """Re-enqueue attempts the database says are queued or running but the queue has lost.

    The queue only carries work: a Redis restart, a crashed worker or a failed enqueue must never
    lose a verification. Returns the ids re-enqueued.
    """
    from service.verification.queue import LIVE_STATUSES, enqueue_verification, job_status

    cutoff = utcnow() - dt.timedelta(seconds=stale_after_seconds)
    query = select(VerificationAttempt).where(
        VerificationAttempt.status.in_((AttemptStatus.QUEUED, AttemptStatus.RUNNING)),
        VerificationAttempt.queued_at < cutoff,
    )
    revived = []
    for attempt in db.session.scalars(query).all():
        if job_status(attempt.id) not in LIVE_STATUSES:
            attempt.status = AttemptStatus.QUEUED
            db.session.commit()
            enqueue_verification(attempt.id)
            revived.append(attempt.id)
    return revived
