"""The one place jobs are enqueued: named queue, explicit connection, JSON serializer (rq's pickle
default would execute whatever a Redis writer put there), timeouts, retries for transient errors,
a deterministic job id per attempt, and a failure callback that records the outcome."""

from __future__ import annotations

from flask import current_app
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from service.platform.extensions import redis_store

VERIFICATION_QUEUE = "verification"
LIVE_STATUSES = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def verification_queue() -> Queue:
    return Queue(VERIFICATION_QUEUE, connection=redis_store.client, serializer=JSONSerializer)


def job_id(attempt_id: int) -> str:
    return f"verification-{attempt_id}"


def job_status(attempt_id: int) -> JobStatus | None:
    """The queue's view of an attempt's job, None when the queue has no such job."""
    try:
        job = Job.fetch(job_id(attempt_id), connection=redis_store.client, serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    return job.get_status(refresh=False)


def enqueue_verification(attempt_id: int) -> None:
    """Enqueue ``verify_attempt(attempt_id)`` unless a live job for it is already there."""
    if job_status(attempt_id) in LIVE_STATUSES:
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
