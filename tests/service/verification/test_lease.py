"""The lease decides whether a running attempt's job is alive: the sweeper leaves a held attempt
alone whatever Redis says, takes back one whose lease ran out, gives up on one that kills every run,
and a failure callback never ends an attempt another run holds. (tests/faults runs the same with real
processes.)"""

from __future__ import annotations

import datetime as dt

import pytest
from rq.job import JobStatus

from models.accounts import VerificationStatus
from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.verification import jobs, lease, queue
from tests.factories import make_account, make_attempt


@pytest.fixture
def running(ctx):
    """A running attempt (claimed once) whose lease the test sets."""
    account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
    now = utcnow()
    attempt = make_attempt(account, AttemptStatus.RUNNING, queued_at=now, started_at=now, runs=1)
    db.session.commit()
    return attempt


def hold(attempt: VerificationAttempt, seconds: float) -> None:
    attempt.lease_expires_at = utcnow() + dt.timedelta(seconds=seconds)
    db.session.commit()


def test_a_held_attempt_is_left_alone_whatever_redis_says(running, monkeypatch):
    hold(running, 30)
    monkeypatch.setattr(queue, "job_status", lambda attempt_id: None)  # Redis lost the job
    assert queue.sweep(0) == []
    assert db.session.get(VerificationAttempt, running.id).status is AttemptStatus.RUNNING


def test_an_attempt_whose_lease_ran_out_is_taken_back_though_redis_calls_its_job_started(
    running, monkeypatch
):
    hold(running, -1)
    monkeypatch.setattr(queue, "job_status", lambda attempt_id: JobStatus.STARTED)
    assert queue.sweep(0) == [running.id]
    revived = db.session.get(VerificationAttempt, running.id)
    assert (revived.status, revived.lease_expires_at) == (AttemptStatus.QUEUED, None)


def test_an_attempt_that_kills_every_run_ends_in_error(running):
    running.runs = queue.MAX_RUNS
    hold(running, -1)
    assert queue.sweep(0) == []
    attempt = db.session.get(VerificationAttempt, running.id)
    assert (attempt.status, attempt.reasons) == (AttemptStatus.ERROR, ["engine_error"])


def test_the_heartbeat_renews_only_its_own_run(running):
    hold(running, -1)
    assert lease.renew(running.id, 1)
    assert not lease.expired(db.session.get(VerificationAttempt, running.id), utcnow())
    assert not lease.renew(running.id, 2)  # another run's beat finds nothing to hold


class _Job:
    func_name = "service.verification.jobs.verify_attempt"
    retries_left = 0

    def __init__(self, attempt_id: int) -> None:
        self.args = (attempt_id,)


def test_a_failure_callback_leaves_an_attempt_another_run_holds(app, running):
    from service.platform import jobcontext

    jobcontext.set_app(app)
    hold(running, 30)
    jobs.record_job_failure(_Job(running.id), None, RuntimeError, RuntimeError(), None)
    db.session.expire_all()
    assert db.session.get(VerificationAttempt, running.id).status is AttemptStatus.RUNNING
    hold(running, -1)  # nobody holds it: the failure ends it
    jobs.record_job_failure(_Job(running.id), None, RuntimeError, RuntimeError(), None)
    db.session.expire_all()
    assert db.session.get(VerificationAttempt, running.id).status is AttemptStatus.ERROR
