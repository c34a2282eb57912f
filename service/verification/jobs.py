"""The ``verify_attempt`` job: run the engine on an attempt's uploads and write the outcome.

Idempotent: a finished attempt is left alone, so a duplicate or re-delivered job does nothing.
Bad images are not errors (the engine answers with reason codes); only unexpected exceptions
(database, Redis, a crash) are retried, and when the retries run out ``record_job_failure`` marks
the attempt ``error`` for support to re-run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt, VerificationImage
from service import audit
from service.platform.crypto import decrypt_id_number, unseal
from service.platform.jobcontext import after_fork, get_app

log = logging.getLogger(__name__)
Engine = Callable[..., Any]


def _idverify_engine(
    front: bytes, back: bytes, live: list[bytes] | bytes, challenge: list[str], **kwargs: Any
) -> Any:
    from idverify.pipeline import verify

    return verify(front, back, live, challenge, **kwargs)


def engine() -> Engine:
    """The verification engine: idverify, unless a test installed a fake in ``app.extensions``."""
    from flask import current_app

    return current_app.extensions.get("xjy_verify_engine") or _idverify_engine


def _inputs(attempt: VerificationAttempt) -> dict[str, Any]:
    from service.verification.attempts import IMAGE_PURPOSE

    # One query for every upload with its bytes (they are deferred on the model for status polls).
    query = (
        select(VerificationImage)
        .where(VerificationImage.attempt_id == attempt.id)
        .order_by(VerificationImage.position)
        .options(undefer(VerificationImage.sealed))
    )
    images: dict[str, list[bytes]] = {}
    for image in db.session.scalars(query):
        images.setdefault(image.kind, []).append(unseal(image.sealed, IMAGE_PURPOSE))
    account = attempt.account
    return {
        "front": images["front"][0],
        "back": images["back"][0],
        "live": images["video"][0] if "video" in images else images["frame"],
        "challenge": list(attempt.challenge),
        "declared_name": account.real_name,
        "declared_id_number": decrypt_id_number(account.id_number_enc) if account.id_number_enc else None,
    }


def _claim(attempt_id: int) -> VerificationAttempt | None:
    query = (
        select(VerificationAttempt)
        .where(VerificationAttempt.id == attempt_id)
        .with_for_update(of=VerificationAttempt)
    )
    attempt = db.session.scalar(query)
    if attempt is None or attempt.status.terminal:
        return None
    attempt.status = AttemptStatus.RUNNING
    attempt.stage = "engine"
    attempt.started_at = utcnow()
    attempt.runs += 1
    db.session.commit()
    return attempt


def record_outcome(
    attempt: VerificationAttempt, ok: bool, reasons: list[str], evidence: dict[str, Any]
) -> None:
    """Write the engine's outcome to the attempt and, on a pass, to the account. Caller commits."""
    from service.verification.attempts import mark_passed

    attempt.status = AttemptStatus.PASSED if ok else AttemptStatus.FAILED
    attempt.reasons = reasons
    attempt.evidence = evidence
    attempt.stage = None
    attempt.finished_at = utcnow()
    if ok:
        mark_passed(attempt)
    audit.record(f"verification.{attempt.status.value}", target_type="verification", target_id=attempt.id,
                 actor="system", detail={"account_id": attempt.account_id, "reasons": reasons})  # fmt: skip


def verify_attempt(attempt_id: int) -> str:
    """Run one attempt. Returns its final status (for the job's result)."""
    app = get_app()
    with app.app_context():
        after_fork()
        try:
            attempt = _claim(attempt_id)
            if attempt is None:
                existing = db.session.get(VerificationAttempt, attempt_id)
                return existing.status.value if existing else "missing"
            inputs = _inputs(attempt)
            result = engine()(
                inputs.pop("front"), inputs.pop("back"), inputs.pop("live"), inputs.pop("challenge"),
                today=dt.date.today(), **inputs,
            )  # fmt: skip
            record_outcome(attempt, bool(result.ok), list(result.reasons), result.to_dict())
            db.session.commit()
            return attempt.status.value
        finally:
            db.session.remove()


def record_job_failure(job: Any, connection: Any, exc_type: Any, value: Any, traceback: Any) -> None:
    """rq's on_failure: after the retries, the attempt becomes ``error`` (support re-runs it)."""
    if job.retries_left:
        return  # rq will run it again
    attempt_id = int(job.args[0])
    log.error("verification job %s failed: %s", attempt_id, exc_type)
    app = get_app()
    with app.app_context():
        after_fork()
        attempt = db.session.get(VerificationAttempt, attempt_id)
        if attempt is not None and not attempt.status.terminal:
            attempt.status = AttemptStatus.ERROR
            attempt.reasons = ["engine_error"]
            attempt.stage = None
            attempt.finished_at = utcnow()
            audit.record("verification.error", target_type="verification", target_id=attempt_id,
                         actor="system",
                         detail={"error": getattr(exc_type, "__name__", str(exc_type))})  # fmt: skip
            db.session.commit()
        db.session.remove()
