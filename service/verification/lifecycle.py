"""Every status change of a verification attempt, and of an account's verification status.

An attempt moves along a small state machine::

    created -> queued -> running -> passed | failed | needs_review | error
    created -> expired                     (the challenge ran out before the uploads were complete)
    running -> queued                      (the sweeper revives an attempt whose job was lost)
    queued  -> error                       (the job failed before it could claim the attempt)
    passed | failed | needs_review | error | expired -> passed | failed     (a decision by hand)

``transition`` is the only code that assigns ``VerificationAttempt.status`` and
``set_account_verification`` the only code that assigns ``Account.verification_status``: each checks
the move is allowed, stamps its times and writes the audit record, so everything that must follow a
status change (the audit chain now, the event log later) hangs on these two functions. They never
commit: the caller owns the unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.accounts import Account, VerificationStatus
from models.base import utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service import audit
from service.events import log
from service.platform.errors import Conflict

_S = AttemptStatus
_MANUAL = frozenset({_S.PASSED, _S.FAILED})

#: status -> the statuses it may move to.
ALLOWED: Mapping[AttemptStatus, frozenset[AttemptStatus]] = {
    _S.CREATED: frozenset({_S.QUEUED, _S.EXPIRED}),
    # A re-delivered job claims its attempt again; a failure before the claim ends it in error.
    _S.QUEUED: frozenset({_S.RUNNING, _S.ERROR}),
    _S.RUNNING: frozenset({_S.RUNNING, _S.QUEUED, _S.PASSED, _S.FAILED, _S.NEEDS_REVIEW, _S.ERROR}),
    _S.PASSED: _MANUAL,
    _S.FAILED: _MANUAL,
    _S.NEEDS_REVIEW: _MANUAL,
    _S.ERROR: _MANUAL,
    _S.EXPIRED: _MANUAL,
}


class TransitionRefused(Conflict):
    """A status change the state machine does not allow (a race, or a bug)."""

    def __init__(self, current: AttemptStatus, target: AttemptStatus) -> None:
        super().__init__("verification_state_conflict", "认证状态已变化,请刷新后重试")
        self.current, self.target = current, target


def can_move(attempt: VerificationAttempt, target: AttemptStatus) -> bool:
    """Whether ``attempt`` may move to ``target`` now."""
    return target in ALLOWED[attempt.status]


def transition(
    attempt: VerificationAttempt,
    target: AttemptStatus,
    *,
    actor: Account | str = "system",
    action: str | None = None,
    reasons: list[str] | None = None,
    evidence: dict[str, Any] | None = None,
    stage: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Move ``attempt`` to ``target``: check the move, stamp its times, record it in the audit log.

    Args:
        attempt: the attempt (its id must be assigned: flush a new one first).
        target: the new status.
        actor: who made the change; "system" for the job and the sweeper.
        action: the audit action, ``verification.<target>`` unless given.
        reasons: reason codes to store (left as they are when None).
        evidence: the engine's evidence to store (left as it is when None).
        stage: progress shown while running (cleared otherwise).
        detail: extra audit detail (the account id is always recorded).

    Raises:
        TransitionRefused: the state machine does not allow the move.
    """
    if not can_move(attempt, target):
        raise TransitionRefused(attempt.status, target)
    now = utcnow()
    previous = attempt.status
    was_terminal = previous.terminal
    attempt.status = target
    attempt.stage = stage
    if target is _S.QUEUED:
        attempt.queued_at = now
    elif target is _S.RUNNING:
        attempt.started_at = now
        attempt.runs = (attempt.runs or 0) + 1
    elif target.terminal and not was_terminal:
        attempt.finished_at = now  # a later decision by hand keeps the engine's finishing time
    if target is not _S.RUNNING:
        attempt.lease_expires_at = None  # only a running attempt is held by a job (see lease)
    if reasons is not None:
        attempt.reasons = reasons
    if evidence is not None:
        attempt.evidence = evidence
    log.emit(
        "verification.status",
        attempt.account,
        attempt_id=attempt.id,
        status=target.value,
        previous=previous.value,
    )
    audit.record(
        action or f"verification.{target.value}",
        target_type="verification",
        target_id=attempt.id,
        actor=actor,
        detail={"account_id": attempt.account_id, **(detail or {})},
    )


#: The early card read's states: reading (job queued), read, review (an identity field in doubt),
#: failed (the person must retake a photo).
CARD_STATES = ("reading", "read", "review", "failed")


def record_card_state(
    attempt: VerificationAttempt,
    state: str,
    *,
    problems: list[dict[str, Any]] | None = None,
    sealed: bytes | None = None,
    uploads: str | None = None,
) -> None:
    """Set the early card read's state (and its problems and sealed result); recorded in the event
    log so the app or H5 page can show what was read at once. The caller commits."""
    if state not in CARD_STATES:
        raise ValueError(f"unknown card state {state}")
    attempt.card_status = state
    if state == "reading":
        attempt.card_uploads, attempt.card_sealed, attempt.card_read_at = uploads, None, None
    else:
        attempt.card_sealed, attempt.card_read_at = sealed, utcnow()
    if problems is not None:
        attempt.problems = problems
    log.emit("verification.card", attempt.account, attempt_id=attempt.id, card_status=state)


def set_account_verification(account: Account, status: VerificationStatus) -> None:
    """Set an account's verification status; ``verified_at`` follows (set on a pass, cleared on none).
    A change is recorded in the event log (the caller commits)."""
    previous = account.verification_status
    account.verification_status = status
    if previous is not status:
        log.emit(
            "account.verification",
            account,
            status=status.value,
            previous=previous.value if previous else None,
        )
    if status is VerificationStatus.REAL_PERSON:
        account.verified_at = utcnow()
    elif status is VerificationStatus.NONE:
        account.verified_at = None
