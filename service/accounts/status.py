"""The one way an account's status and its requests' review status change (registration, review,
suspension, cancellation), so that each change writes its event in the same transaction."""

from __future__ import annotations

from models.accounts import Account, AccountStatus
from models.requests import RequestStatus, ReviewRequest
from service.events import log


def set_account_status(account: Account, status: AccountStatus) -> None:
    """Set ``account.status`` and record the change in the event log (the caller commits)."""
    previous = account.status
    if previous is status:
        return
    account.status = status
    log.emit("account.status", account, status=status.value, previous=previous.value if previous else None)


def record_review_status(review: ReviewRequest, previous: RequestStatus | None = None) -> None:
    """Record a request's new review status (submitted, approved, rejected) in the event log.

    Called after the change, with the review flushed (its id assigned); the caller commits.
    """
    log.emit(
        "review.status",
        review.account,
        review_id=review.id,
        kind=review.kind.value,
        status=review.status.value,
        previous=previous.value if previous else None,
    )
