"""The ``verify_attempt`` job: claim the attempt, run the engine on its uploads, record the outcome.

Idempotent: a finished attempt is left alone, so a duplicate or re-delivered job does nothing.
Bad images are not errors (the engine answers with reason codes); only unexpected exceptions
(database, Redis, a crash) are retried, and when the retries run out ``record_job_failure`` marks
the attempt ``error`` for support to re-run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from idverify.types import VerificationResult
from models.accounts import VerificationStatus
from models.base import db
from models.verifications import AttemptStatus, VerificationAttempt
from service.platform import metrics
from service.platform.crypto import decrypt_id_number
from service.platform.jobcontext import after_fork, get_app
from service.verification import lifecycle
from service.verification.engine import EngineInputs, get_engine
from service.verification.storage import load_uploads

log = logging.getLogger(__name__)


def verify_attempt(attempt_id: int) -> str:
    """Run one attempt. Returns its final status (for the job's result)."""
    with get_app().app_context():
        after_fork()
        try:
            attempt = _claim(attempt_id)
            if attempt is None:
                existing = db.session.get(VerificationAttempt, attempt_id)
                return existing.status.value if existing else "missing"
            result = get_engine()(_inputs(attempt))
            record_outcome(attempt, result)
            db.session.commit()
            return attempt.status.value
        finally:
            db.session.remove()


def _claim(attempt_id: int) -> VerificationAttempt | None:
    """Lock the row and mark it running; None when it is already finished (or gone)."""
    query = (
        select(VerificationAttempt)
        .where(VerificationAttempt.id == attempt_id)
        .with_for_update(of=VerificationAttempt)
    )
    attempt = db.session.scalar(query)
    if attempt is None or attempt.status.terminal:
        return None
    lifecycle.transition(attempt, AttemptStatus.RUNNING, stage="engine")
    db.session.commit()
    return attempt


def _inputs(attempt: VerificationAttempt) -> EngineInputs:
    images = load_uploads(attempt.id)
    account = attempt.account
    return EngineInputs(
        front=images["front"][0],
        back=images["back"][0],
        live=images["video"][0] if "video" in images else tuple(images["frame"]),
        challenge=tuple(attempt.challenge),
        declared_name=account.real_name,
        declared_id_number=decrypt_id_number(account.id_number_enc) if account.id_number_enc else None,
        today=dt.date.today(),
    )


def record_outcome(attempt: VerificationAttempt, result: VerificationResult) -> None:
    """Write the engine's outcome to the attempt and, on a pass, to the account. Caller commits."""
    reasons = list(result.reasons)
    status = AttemptStatus.PASSED if result.ok else AttemptStatus.FAILED
    lifecycle.transition(
        attempt, status, reasons=reasons, evidence=result.to_dict(), detail={"reasons": reasons}
    )
    if result.ok:
        lifecycle.set_account_verification(attempt.account, VerificationStatus.REAL_PERSON)
    _observe(status, reasons, result.timings)


def _observe(status: AttemptStatus, reasons: list[str], timings: Mapping[str, float]) -> None:
    """Outcomes by reason and time by stage, for /metrics (codes and stage names only)."""
    for reason in reasons or ["none"]:
        metrics.OUTCOMES.labels(status.value, reason).inc()
    for stage, ms in timings.items():
        metrics.JOB_SECONDS.labels(stage.removesuffix("_ms")).observe(ms / 1000)


def record_job_failure(job: Any, connection: Any, exc_type: Any, value: Any, traceback: Any) -> None:
    """rq's on_failure: after the retries, the attempt becomes ``error`` (support re-runs it)."""
    if job.retries_left:
        return  # rq will run it again
    attempt_id = int(job.args[0])
    log.error("verification job %s failed: %s", attempt_id, exc_type)
    with get_app().app_context():
        after_fork()
        attempt = db.session.get(VerificationAttempt, attempt_id)
        if attempt is not None and not attempt.status.terminal:
            lifecycle.transition(
                attempt,
                AttemptStatus.ERROR,
                reasons=["engine_error"],
                detail={"error": getattr(exc_type, "__name__", str(exc_type))},
            )
            db.session.commit()
        db.session.remove()
