"""The attempt state machine: allowed moves, stamped times, an audit record for each, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.accounts import VerificationStatus
from models.audit import AuditEvent
from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.verification import lifecycle
from tests.factories import make_account, make_attempt

S = AttemptStatus


def _attempt(status: AttemptStatus = S.CREATED) -> VerificationAttempt:
    return make_attempt(make_account(verification=VerificationStatus.NONE), status)


def _actions(attempt: VerificationAttempt) -> list[str]:
    """The audit actions recorded for this attempt since it was made (the log is append-only and
    outlives the test data, so an older attempt may have had the same id)."""
    query = (
        select(AuditEvent.action)
        .where(
            AuditEvent.target_type == "verification",
            AuditEvent.target_id == str(attempt.id),
            AuditEvent.at >= attempt.consent_at,
        )
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def test_the_engine_path_stamps_times_and_audits_each_step(app):
    with app.app_context():
        attempt = _attempt()
        lifecycle.transition(attempt, S.QUEUED)
        lifecycle.transition(attempt, S.RUNNING, stage="engine")
        assert (attempt.runs, attempt.stage, attempt.started_at is not None) == (1, "engine", True)
        lifecycle.transition(attempt, S.FAILED, reasons=["face_mismatch"], evidence={"face": {}})
        assert attempt.finished_at is not None and attempt.stage is None
        assert attempt.reasons == ["face_mismatch"]
        assert _actions(attempt) == ["verification.queued", "verification.running", "verification.failed"]


def test_a_decision_by_hand_keeps_the_engines_finishing_time(app):
    with app.app_context():
        attempt = _attempt(S.FAILED)
        attempt.finished_at = finished = utcnow() - dt.timedelta(days=3)
        lifecycle.transition(attempt, S.PASSED, action="verification.manual_pass")
        assert attempt.finished_at == finished


@pytest.mark.parametrize(
    ("start", "target"),
    [(S.CREATED, S.PASSED), (S.CREATED, S.RUNNING), (S.QUEUED, S.PASSED), (S.EXPIRED, S.QUEUED),
     (S.PASSED, S.RUNNING), (S.FAILED, S.ERROR)],
)  # fmt: skip
def test_moves_outside_the_table_are_refused(app, start, target):
    with app.app_context():
        attempt = _attempt(start)
        with pytest.raises(lifecycle.TransitionRefused) as refused:
            lifecycle.transition(attempt, target)
        assert refused.value.reason == "verification_state_conflict" and attempt.status is start
        assert _actions(attempt) == []


def test_every_status_has_a_row_in_the_table():
    assert set(lifecycle.ALLOWED) == set(AttemptStatus)


def test_the_account_status_follows_a_pass_and_its_withdrawal(app):
    with app.app_context():
        account = make_account(verification=VerificationStatus.NONE)
        lifecycle.set_account_verification(account, VerificationStatus.REAL_PERSON)
        assert account.verified_at is not None
        lifecycle.set_account_verification(account, VerificationStatus.NONE)
        assert account.verified_at is None and account.verification_status is VerificationStatus.NONE
