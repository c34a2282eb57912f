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
from sqlalchemy import select

from models.accounts import Account
from models.base import as_utc, db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.platform.extensions import redis_store
from service.verification import lifecycle

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


#: Beyond the job timeout, how long a claimed attempt may go silent before the sweeper takes it back.
LEASE_GRACE_SECONDS = 30
#: A worker that has not beaten its heart for this long is taken for dead.
WORKER_HEARTBEAT_SECONDS = 90
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

    The queue only carries work; the database judges. An attempt is revived when Redis has no live
    job for it, or - whatever Redis says - when its lease has run out: a running attempt whose job
    had ``VERIFY_JOB_TIMEOUT`` and a grace period to finish, or a queued one waiting that long past
    the stale mark (its job sits with a worker that died). A duplicate run is harmless: the job
    claims the row under a lock and leaves a finished attempt alone. Returns the ids re-enqueued.
    """
    now = utcnow()
    cutoff = now - dt.timedelta(seconds=stale_after_seconds)
    lease = dt.timedelta(seconds=current_app.config["VERIFY_JOB_TIMEOUT"] + LEASE_GRACE_SECONDS)
    query = select(VerificationAttempt).where(
        VerificationAttempt.status.in_((AttemptStatus.QUEUED, AttemptStatus.RUNNING)),
        VerificationAttempt.queued_at < cutoff,
    )
    revived = []
    for attempt in db.session.scalars(query).all():
        lease_over = _lease_over(attempt, now - lease, cutoff - lease)
        if lease_over or job_status(attempt.id) not in LIVE_JOB_STATUSES:
            if attempt.status is AttemptStatus.RUNNING:
                lifecycle.transition(attempt, AttemptStatus.QUEUED, action="verification.requeued")
            db.session.commit()
            _enqueue(attempt.id, replace=lease_over)
            revived.append(attempt.id)
    return revived


def _lease_over(
    attempt: VerificationAttempt, started_before: dt.datetime, queued_before: dt.datetime
) -> bool:
    """Has a running attempt's job had its time, or a queued one waited past any live worker?"""
    if attempt.status is AttemptStatus.RUNNING:
        return attempt.started_at is not None and as_utc(attempt.started_at) < started_before
    return attempt.queued_at is not None and as_utc(attempt.queued_at) < queued_before
