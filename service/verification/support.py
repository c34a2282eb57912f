"""Support staff's tools (运维客服): the attempts with their evidence, a re-run on the same uploads,
and a decision by hand with a written reason for people who cannot pass online (seed, point 3)."""

from __future__ import annotations

from sqlalchemy import Select, select

from models.accounts import Account, VerificationStatus
from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service import audit
from service.auth.sessions import revoke_all
from service.platform.errors import Conflict, NotFound
from service.verification import attempts, lifecycle, queue, storage


def get_attempt(attempt_id: int) -> VerificationAttempt:
    """Any attempt (support sees every account's), expired if its challenge ran out."""
    attempt = db.session.get(VerificationAttempt, attempt_id)
    if attempt is None:
        raise NotFound()
    attempts.expire_if_overdue(attempt)
    return attempt


def support_query(status: AttemptStatus | None, account_id: int | None) -> Select[VerificationAttempt]:
    """Attempts newest first, optionally of one status or one account (overdue ones expired first)."""
    attempts.expire_overdue()
    query = select(VerificationAttempt).order_by(VerificationAttempt.id.desc())
    if status:
        query = query.where(VerificationAttempt.status == status)
    if account_id:
        query = query.where(VerificationAttempt.account_id == account_id)
    return query


def rerun(staff: Account, attempt_id: int) -> VerificationAttempt:
    """Re-run a finished attempt on the same uploads, as a new attempt (history kept)."""
    original = get_attempt(attempt_id)
    if not original.status.terminal or original.status is AttemptStatus.EXPIRED:
        raise Conflict("verification_not_rerunnable", "只能重新处理已结束的认证")
    if original.images_purged_at is not None:
        raise Conflict("verification_images_purged", "该次认证的图片已按保存期限删除,请用户重新认证")
    attempt = VerificationAttempt(
        account_id=original.account_id,
        status=AttemptStatus.CREATED,
        challenge=list(original.challenge),
        challenge_expires_at=utcnow(),
        consent_at=original.consent_at,
        consent_version=original.consent_version,
        rerun_of_id=original.id,
        requested_by_id=staff.id,
    )
    attempt.images = storage.copies(original.images)
    db.session.add(attempt)
    db.session.flush()
    audit.record(
        "verification.rerun",
        target_type="verification",
        target_id=attempt.id,
        detail={"rerun_of": original.id, "account_id": original.account_id},
    )
    queue.submit(attempt, actor=staff)
    return attempt


def decide_manually(staff: Account, attempt_id: int, decision: str, reason: str) -> VerificationAttempt:
    """Pass or fail a finished attempt by hand, with a written reason. A decision is final: changing it
    is ``overturn``, a separate act with its own reason.

    Failing a pass (e.g. fraud found later) takes the account's verification back and ends its sessions.
    """
    attempt = get_attempt(attempt_id)
    if not attempt.status.terminal:
        raise Conflict("verification_in_progress", "认证尚在处理中,请稍后再试")
    if attempt.manual_decision is not None:
        raise Conflict("verification_already_decided", "该认证已人工处理,如需更改请另行改判并填写理由")
    _apply_decision(staff, attempt, decision, reason, action=f"verification.manual_{decision}")
    db.session.commit()
    return attempt


def overturn(staff: Account, attempt_id: int, reason: str) -> VerificationAttempt:
    """Reverse an earlier decision by hand (pass <-> fail), with its own written reason."""
    attempt = get_attempt(attempt_id)
    if attempt.manual_decision is None:
        raise Conflict("verification_not_decided", "该认证尚未人工处理,无需改判")
    decision = "fail" if attempt.manual_decision == "pass" else "pass"
    _apply_decision(staff, attempt, decision, reason, action="verification.overturn")
    db.session.commit()
    return attempt


def _apply_decision(
    staff: Account, attempt: VerificationAttempt, decision: str, reason: str, *, action: str
) -> None:
    overturned = attempt.status is AttemptStatus.PASSED and decision == "fail"
    previous = attempt.manual_decision
    attempt.manual_decision = decision
    attempt.manual_reason = reason
    attempt.decided_by_id = staff.id
    passed = decision == "pass"
    reasons = [r for r in attempt.reasons or [] if r != "manual_rejected"]
    lifecycle.transition(
        attempt,
        AttemptStatus.PASSED if passed else AttemptStatus.FAILED,
        actor=staff,
        action=action,
        reasons=reasons if passed else [*reasons, "manual_rejected"],
        detail={
            "reason": reason,
            "decision": decision,
            "previous_decision": previous,
            "overturned": overturned,
        },
    )
    if passed:
        lifecycle.set_account_verification(attempt.account, VerificationStatus.REAL_PERSON)
    elif overturned:
        lifecycle.set_account_verification(attempt.account, VerificationStatus.NONE)
        revoke_all(attempt.account_id, "verification_revoked")
