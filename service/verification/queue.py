"""The one place verification jobs are enqueued: named queue, explicit connection, JSON serializer
(rq's pickle default would execute whatever a Redis writer put there), timeouts, retries for
transient errors, a deterministic job id per attempt, and a failure callback that records the
outcome. The database is the source of truth: ``sweep`` finds queued attempts the queue has lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from flask import current_app
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Callback, Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import or_, select

from models.accounts import Account
from models.base import as_utc, db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.platform.extensions import redis_store
from service.verification import lease, lifecycle

log = logging.getLogger(__name__)
VERIFICATION_QUEUE = "verification"
#: rq job statuses that mean the job will still run.
LIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def verification_queue() -> Queue:
    return Queue(VERIFICATION_QUEUE, connection=redis_store.client, serializer=JSONSerializer)


def job_id(attempt_id: int) -> str:
    return f"verification-{attempt_id}"


def job_state(job_id_: str) -> JobStatus | None:
    """The queue's view of a job, None when the queue has no such job."""
    try:
        job = Job.fetch(job_id_, connection=redis_store.client, serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    return job.get_status(refresh=False)


def job_status(attempt_id: int) -> JobStatus | None:
    """The queue's view of an attempt's verification job."""
    return job_state(job_id(attempt_id))


def enqueue_verification(attempt_id: int) -> None:
    """Enqueue ``verify_attempt(attempt_id)`` unless a live job for it is already there."""
    _enqueue(attempt_id, replace=False)


def _enqueue(attempt_id: int, *, replace: bool) -> None:
    """Enqueue the attempt's job; with ``replace``, even over a job Redis still calls live (its worker
    died holding it)."""
    if not replace and job_status(attempt_id) in LIVE_JOB_STATUSES:
        return
    cfg = current_app.config
    verification_queue().enqueue_call(
        "service.verification.jobs.verify_attempt",
        args=(attempt_id,),
        job_id=job_id(attempt_id),
        timeout=cfg["VERIFY_JOB_TIMEOUT"],
        retry=Retry(max=len(cfg["VERIFY_RETRY_INTERVALS"]), interval=cfg["VERIFY_RETRY_INTERVALS"]),
        result_ttl=86400,
        failure_ttl=7 * 86400,
        on_failure=Callback("service.verification.jobs.record_job_failure"),
        description=f"实名实人认证 #{attempt_id}",
    )


#: Claims of one attempt whose jobs all died before the sweeper gives it up as ``error``.
MAX_RUNS = 5
#: A worker that has not beaten its heart for this long is taken for dead.
WORKER_HEARTBEAT_SECONDS = 90
#: The rq worker's TTL: an idle worker beats its heart every TTL - 15 s (rq waits that long for a
#: job), so it must stay well under WORKER_HEARTBEAT_SECONDS (rq's default, 420, let an idle worker
#: look dead to /readyz after 90 s).
WORKER_TTL_SECONDS = 60
MODELS_KEY = "xjy:worker:models-loaded:{name}"


def live_workers() -> list[str]:
    """Names of the verification workers whose heartbeat is recent and whose models are loaded."""
    now = utcnow()
    names = []
    for worker in Worker.all(queue=verification_queue()):
        beat = worker.last_heartbeat
        fresh = beat is not None and (now - as_utc(beat)).total_seconds() < WORKER_HEARTBEAT_SECONDS
        if fresh and redis_store.client.exists(MODELS_KEY.format(name=worker.name)):
            names.append(worker.name)
    return names


def depth() -> int:
    """Jobs waiting on the verification queue."""
    return int(verification_queue().count)


def enqueue_card_read(attempt_id: int, uploads: str) -> None:
    """Read the cards of an attempt now, as its own job, one per pair of photos (the final job reads
    them itself if this one is lost, so no retries and no failure callback)."""
    cfg = current_app.config
    try:
        verification_queue().enqueue_call(
            "service.verification.jobs.read_cards",
            args=(attempt_id,),
            job_id=f"cards-{attempt_id}-{hashlib.sha256(uploads.encode()).hexdigest()[:16]}",
            timeout=cfg["VERIFY_JOB_TIMEOUT"],
            result_ttl=3600,
            failure_ttl=86400,
            description=f"身份证识别 #{attempt_id}",
        )
    except (RedisConnectionError, RedisTimeoutError):
        log.warning("card read of verification %s not queued: Redis unavailable", attempt_id)


def submit(attempt: VerificationAttempt, *, actor: Account | str = "system") -> None:
    """Mark the attempt queued, commit, then enqueue its job.

    Commits: the job must find the row committed. If the enqueue is lost, the sweeper finds the
    queued row and enqueues it again.
    """
    lifecycle.transition(attempt, AttemptStatus.QUEUED, actor=actor)
    db.session.commit()
    try:
        enqueue_verification(attempt.id)
    except (RedisConnectionError, RedisTimeoutError):
        # The row is queued and committed: the scheduler's sweep enqueues it once Redis is back.
        log.warning("verification %s queued without a job: Redis unavailable", attempt.id)


def sweep(stale_after_seconds: int) -> list[int]:
    """Re-enqueue attempts the database says are queued or running but that no live job will finish.

    The queue only carries work; the database judges. A running attempt is revived when its lease
    has run out (its job stopped renewing it: see ``lease``), whatever Redis says. A queued one
    waiting past ``stale_after_seconds`` is revived when Redis has no live job for it, or when its job
    was taken by a worker a lease ago and never claimed it (that worker died holding it). A
    duplicate run is harmless: the job claims the row under a lock and leaves a finished or held
    attempt alone. Returns the ids re-enqueued.
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=stale_after_seconds)
    held_too_long = cutoff - dt.timedelta(seconds=lease.seconds())
    query = select(VerificationAttempt).where(
        or_(
            VerificationAttempt.status == AttemptStatus.RUNNING,
            (VerificationAttempt.status == AttemptStatus.QUEUED) & (VerificationAttempt.queued_at < cutoff),
        )
    )
    revived = []
    for attempt in db.session.scalars(query.order_by(VerificationAttempt.id)).all():
        if attempt.status is AttemptStatus.RUNNING:
            if not lease.expired(attempt, now):
                continue
            if (attempt.runs or 0) >= MAX_RUNS:  # it kills whatever runs it: support re-runs it
                lifecycle.transition(attempt, AttemptStatus.ERROR, reasons=["engine_error"])
                db.session.commit()
                continue
            lifecycle.transition(attempt, AttemptStatus.QUEUED, action="verification.requeued")
            db.session.commit()
            replace = True
        else:
            state = job_status(attempt.id)
            # Started in Redis but never claimed: the worker that took it died. Waiting in the queue
            # is fine: a worker comes (the supervisor or the platform restarts them).
            queued_at = as_utc(attempt.queued_at) if attempt.queued_at else now
            replace = state is JobStatus.STARTED and queued_at < held_too_long
            if not replace and state in LIVE_JOB_STATUSES:
                continue
        _enqueue(attempt.id, replace=replace)
        revived.append(attempt.id)
    return revived
