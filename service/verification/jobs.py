"""The verification jobs: ``read_cards`` right after the card upload, ``verify_attempt`` after the
liveness upload. Each claims its row, calls the engine and records the outcome through the lifecycle.

Idempotent: a finished attempt is left alone, and a card read is applied only to the photos it read,
so a duplicate or re-delivered job does nothing. Bad images are not errors (the engine answers with
reason codes); only unexpected exceptions are retried, and when the retries run out
``record_job_failure`` marks the attempt ``error`` for support to re-run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update

from idverify.types import CardsResult, Problem, VerificationResult
from models.accounts import VerificationStatus
from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.platform import logs, metrics
from service.platform.crypto import decrypt_id_number
from service.platform.jobcontext import after_fork, get_app
from service.verification import authority, lease, lifecycle, storage
from service.verification.engine import CardInputs, EngineInputs, get_engine

log = logging.getLogger(__name__)


def read_cards(attempt_id: int) -> str:
    """Read both card sides of an attempt still waiting for its liveness frames; returns the card state."""
    logs.bind_attempt(attempt_id)
    with get_app().app_context():
        after_fork()
        try:
            attempt = _locked(attempt_id)
            if (
                attempt is None
                or attempt.status is not AttemptStatus.CREATED
                or attempt.card_status != "reading"
            ):
                return "skipped"
            uploads = storage.card_uploads(attempt.images)
            if uploads != attempt.card_uploads:
                return "skipped"  # the photos were replaced; their own read is on its way
            result = get_engine().read_cards(_card_inputs(attempt))
            state = "failed" if result.reasons else "review" if result.needs_review else "read"
            lifecycle.record_card_state(
                attempt,
                state,
                problems=problem_rows(result.problems),
                sealed=storage.seal_card_read(result.to_dict()),
            )
            db.session.commit()
            return state
        finally:
            db.session.remove()


def verify_attempt(attempt_id: int) -> str:
    """Run one attempt. Returns its final status (for the job's result)."""
    logs.bind_attempt(attempt_id)
    with get_app().app_context():
        after_fork()
        try:
            attempt = _claim(attempt_id)
            if attempt is None:
                existing = db.session.get(VerificationAttempt, attempt_id)
                return existing.status.value if existing else "missing"
            run = attempt.runs
            try:
                with lease.heartbeat(get_app(), attempt_id, run):
                    inputs = _inputs(attempt)
                    db.session.commit()  # no transaction (nor SQLite's lock) held while the engine works
                    checked = _ask_authority(attempt_id, inputs)
                    waiting = checked is not None and checked.outcome == authority.RETRY
                    result = None if waiting else get_engine().verify(inputs)
            except Exception:
                # Give the lease up at once: a retry may claim the attempt, and after the last one
                # record_job_failure ends it in error.
                db.session.rollback()
                lease.renew(attempt_id, run, for_seconds=0)
                raise
            attempt = _locked(attempt_id)
            if attempt is None or attempt.status is not AttemptStatus.RUNNING or attempt.runs != run:
                # The lease was lost and another run holds (or finished) the attempt: its outcome counts.
                log.warning("verification %s run %s lost its lease; outcome dropped", attempt_id, run)
                db.session.rollback()
                return "superseded"
            if result is None and checked is not None:
                return _wait_for_authority(attempt, checked)
            if result is not None:
                record_outcome(attempt, result, checked)
            db.session.commit()
            return attempt.status.value
        finally:
            db.session.remove()


def _ask_authority(attempt_id: int, inputs: EngineInputs) -> authority.AuthorityAnswer | None:
    """The authority check (when on), after the card read and before the face match; asked while no
    transaction is open, as it may wait on the provider for seconds."""
    card = inputs.card
    return authority.check_attempt(attempt_id, card.declared_name, card.declared_id_number, inputs.live)


def _wait_for_authority(attempt: VerificationAttempt, checked: authority.AuthorityAnswer) -> str:
    """The provider cannot answer now (limit, outage, open circuit): the attempt goes back to
    queued, and the scheduler's sweep runs it again once it has waited ``VERIFY_SWEEP_AFTER_SECONDS``."""
    detail = {"authority": checked.code}
    lifecycle.transition(
        attempt, AttemptStatus.QUEUED, stage="authority", action="verification.authority_wait", detail=detail
    )
    db.session.commit()
    return attempt.status.value


def _locked(attempt_id: int) -> VerificationAttempt | None:
    """The attempt as it is now, locked until the commit (SQLite has no row locks: a write that
    touches nothing takes its database lock first, so two jobs cannot both claim the attempt)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(update(VerificationAttempt).where(VerificationAttempt.id == -1).values(stage=None))
    query = select(VerificationAttempt).where(VerificationAttempt.id == attempt_id)
    return db.session.scalar(
        query.with_for_update(of=VerificationAttempt).execution_options(populate_existing=True)
    )


def _claim(attempt_id: int) -> VerificationAttempt | None:
    """Lock the row, mark it running and take its lease; None when it is finished (or gone) or another
    job's lease on it is still alive."""
    attempt = _locked(attempt_id)
    if attempt is None or attempt.status.terminal:
        db.session.rollback()
        return None
    if attempt.status is AttemptStatus.RUNNING and not lease.expired(attempt, utcnow()):
        db.session.rollback()
        return None
    lifecycle.transition(attempt, AttemptStatus.RUNNING, stage="engine")
    lease.grant(attempt)
    db.session.commit()
    return attempt


def _card_inputs(attempt: VerificationAttempt, images: Mapping[str, list[bytes]] | None = None) -> CardInputs:
    images = images or storage.load_uploads(attempt.id)
    account = attempt.account
    return CardInputs(
        front=images["front"][0],
        back=images["back"][0],
        declared_name=account.real_name,
        declared_id_number=decrypt_id_number(account.id_number_enc) if account.id_number_enc else None,
        today=dt.date.today(),
    )


def _inputs(attempt: VerificationAttempt) -> EngineInputs:
    images = storage.load_uploads(attempt.id)
    return EngineInputs(
        card=_card_inputs(attempt, images),
        live=images["video"][0] if "video" in images else tuple(images["frame"]),
        challenge=tuple(attempt.challenge),
        cards=_cards_read(attempt),
    )


def _cards_read(attempt: VerificationAttempt) -> CardsResult | None:
    """The early read, when it finished on these very photos (else the job reads them itself)."""
    if attempt.card_status not in ("read", "review") or attempt.card_uploads != storage.card_uploads(
        attempt.images
    ):
        return None
    sealed = attempt.card_sealed
    return CardsResult.from_dict(storage.unseal_card_read(sealed)) if sealed else None


def problem_rows(problems: tuple[Problem, ...]) -> list[dict[str, Any]]:
    """Problems as stored for the person: codes, severity, side, field; nothing read off the card."""
    return [
        {
            "code": p.code,
            "severity": p.severity.value,
            "side": p.side.value if p.side else None,
            "field": p.field,
        }
        for p in problems
    ]


def record_outcome(
    attempt: VerificationAttempt,
    result: VerificationResult,
    checked: authority.AuthorityAnswer | None = None,
) -> None:
    """Write the engine's outcome (with the authority's answer, when it was asked) to the attempt and,
    on a pass, to the account. Caller commits.

    Failed when anything proves against the identity; needs review when nothing failed but an
    identity field is in doubt or the authority has no record or photo (support decides); passed
    otherwise.
    """
    failures, review = authority.merge(list(result.reasons), list(result.review_reasons), checked)
    if failures:
        status, reasons = AttemptStatus.FAILED, failures
    elif review:
        status, reasons = AttemptStatus.NEEDS_REVIEW, review
    else:
        status, reasons = AttemptStatus.PASSED, []
    evidence = result.to_dict()
    if checked is not None:
        evidence["authority"] = checked.to_dict()  # support reads the provider's answer here
    attempt.problems = problem_rows(result.problems)
    lifecycle.transition(attempt, status, reasons=reasons, evidence=evidence, detail={"reasons": reasons})
    if status is AttemptStatus.PASSED:
        lifecycle.set_account_verification(attempt.account, VerificationStatus.REAL_PERSON)
    _observe(status, reasons, result.timings)


def _observe(status: AttemptStatus, reasons: list[str], timings: Mapping[str, float]) -> None:
    """Outcomes by reason and time by stage, for /metrics (codes and stage names only)."""
    for reason in reasons or ["none"]:
        metrics.OUTCOMES.labels(status.value, reason).inc()
    for stage, ms in timings.items():
        metrics.JOB_SECONDS.labels(stage.removesuffix("_ms")).observe(ms / 1000)


def record_job_failure(job: Any, connection: Any, exc_type: Any, value: Any, traceback: Any) -> None:
    """rq's on_failure: after the retries, the attempt becomes ``error`` (support re-runs it); a card
    read that failed is left for the final job to read again."""
    if job.retries_left or job.func_name != "service.verification.jobs.verify_attempt":
        return
    attempt_id = int(job.args[0])
    log.error("verification job %s failed: %s", attempt_id, exc_type)
    with get_app().app_context():
        after_fork()
        attempt = _locked(attempt_id)
        if attempt is not None and attempt.status is AttemptStatus.RUNNING:
            if not lease.expired(attempt, utcnow()):
                attempt = None  # another run holds it now (this job's attempt was revived): leave it
        if attempt is not None and not attempt.status.terminal:
            lifecycle.transition(
                attempt,
                AttemptStatus.ERROR,
                reasons=["engine_error"],
                detail={"error": getattr(exc_type, "__name__", str(exc_type))},
            )
            db.session.commit()
        db.session.remove()
