"""The polled reads' ETags come from the account's version, not from the answer: every change of
anything an answer shows gives a new ETag (so a poller holding the old one gets the new answer), and
holding a valid ETag never lets a client outside the account's regions past the scope check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from models.accounts import Account, AccountStatus, VerificationStatus
from models.base import db, utcnow
from models.matters import Matter
from models.requests import Grant, RequestKind, RequestStatus, ReviewRequest
from models.verifications import AttemptStatus, VerificationAttempt
from service.accounts.status import record_review_status, set_account_status
from service.verification.lifecycle import set_account_verification, transition
from tests.factories import make_account, make_attempt
from tests.service.hall.test_hall_api import client_headers
from tests.service.platform.test_invalidation import wait_listening

STATE = "/api/v1/accounts/{}/verification-status"
RECORD = "/api/v1/accounts/{}"


def _attempt(account: Account) -> VerificationAttempt:
    return make_attempt(account)


def _review(account: Account) -> ReviewRequest:
    review = ReviewRequest(kind=RequestKind.CHANGE, account_id=account.id, payload={"department": "法规科"})
    db.session.add(review)
    db.session.flush()
    record_review_status(review)
    return review


def _newest_attempt(account: Account) -> VerificationAttempt:
    query = select(VerificationAttempt).where(VerificationAttempt.account_id == account.id)
    return db.session.scalars(query.order_by(VerificationAttempt.id.desc())).first()  # type: ignore[return-value]


def _newest_review(account: Account) -> ReviewRequest:
    query = select(ReviewRequest).where(ReviewRequest.account_id == account.id)
    return db.session.scalars(query.order_by(ReviewRequest.id.desc())).first()  # type: ignore[return-value]


def _decide(account: Account) -> None:
    review = _newest_review(account)
    review.status, review.decided_at = RequestStatus.APPROVED, utcnow()
    record_review_status(review, RequestStatus.PENDING)


def _grant(account: Account) -> None:
    matter = db.session.scalars(select(Matter.code).limit(1)).one()
    db.session.add(Grant(account_id=account.id, matter_code=matter, role="handler", granted_at=utcnow()))


def _rename_organisation(account: Account) -> None:
    assert account.organisation is not None
    account.organisation.name += "(更名)"


# (what changes, which answers show it)
CHANGES: list[tuple[str, Callable[[Account], object], tuple[str, ...]]] = [
    ("a new attempt", _attempt, (STATE, RECORD)),
    ("the attempt moves on", lambda a: transition(_newest_attempt(a), AttemptStatus.QUEUED), (STATE, RECORD)),
    ("suspended", lambda a: set_account_status(a, AccountStatus.SUSPENDED), (STATE, RECORD)),
    ("verification", lambda a: set_account_verification(a, VerificationStatus.NONE), (STATE, RECORD)),
    (
        "verified again (new time)",
        lambda a: set_account_verification(a, VerificationStatus.REAL_PERSON),
        (STATE,),
    ),
    ("phone", lambda a: setattr(a, "phone", "13700000001"), (RECORD,)),
    ("a review is submitted", _review, (RECORD,)),
    ("the review is decided", _decide, (RECORD,)),
    ("a grant", _grant, (RECORD,)),
    ("the organisation is renamed", _rename_organisation, (RECORD,)),
]


@pytest.fixture(autouse=True)
def versions_held_in_memory(app) -> None:
    """The process holds versions (the production path): every change must still be seen at once."""
    wait_listening(app)


@pytest.fixture
def account_id(app) -> int:
    with app.app_context():
        account = make_account(org_code="430102-housing")
        _attempt(account)
        _review(account)
        db.session.commit()
        return account.id


def _etags(client, headers, account_id: int) -> dict[str, str]:
    tags = {}
    for path in (STATE, RECORD):
        response = client.get(path.format(account_id), headers=headers)
        assert response.status_code == 200
        again = client.get(
            path.format(account_id), headers={**headers, "If-None-Match": response.headers["ETag"]}
        )
        assert again.status_code == 304 and again.headers["ETag"] == response.headers["ETag"]
        assert again.headers["Cache-Control"] == "private, no-cache"
        tags[path] = response.headers["ETag"]
    return tags


@pytest.mark.parametrize(("change", "apply", "shown_in"), CHANGES, ids=[c[0] for c in CHANGES])
def test_every_change_an_answer_shows_gives_a_new_etag(app, client, account_id, change, apply, shown_in):
    headers = client_headers(app, client, ["430000"])
    before = _etags(client, headers, account_id)
    with app.app_context():
        apply(db.session.get(Account, account_id))
        db.session.commit()
    for path in shown_in:
        response = client.get(path.format(account_id), headers={**headers, "If-None-Match": before[path]})
        assert response.status_code == 200, (change, path)
        assert response.headers["ETag"] != before[path]


def test_an_unchanged_poll_is_answered_304_without_a_body(app, client, account_id):
    headers = client_headers(app, client, ["430100"])
    tags = _etags(client, headers, account_id)
    response = client.get(STATE.format(account_id), headers={**headers, "If-None-Match": tags[STATE]})
    assert (response.status_code, response.data) == (304, b"")


def test_a_valid_etag_does_not_pass_the_scope_check(app, client, account_id):
    inside = _etags(client, client_headers(app, client, ["430000"]), account_id)
    outside = client_headers(app, client, ["430200"])
    for path in (STATE, RECORD):
        response = client.get(path.format(account_id), headers={**outside, "If-None-Match": inside[path]})
        assert (response.status_code, response.get_json()["reason"]) == (404, "not_found")
