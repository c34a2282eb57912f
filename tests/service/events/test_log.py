"""The event log: every status change writes its event in the same transaction, and the feed reads
them in order, resumably, within the client's regions."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Account, AccountStatus, VerificationStatus
from models.base import db
from models.events import Event
from service.accounts.status import set_account_status
from service.verification.lifecycle import set_account_verification
from tests.factories import make_account
from tests.service.hall.test_hall_api import client_headers


def _types(account_id: int) -> list[tuple[str, dict]]:
    rows = db.session.scalars(select(Event).where(Event.account_id == account_id).order_by(Event.id))
    return [(e.type, e.data) for e in rows]


def test_creation_and_changes_each_write_an_event(app):
    with app.app_context():
        account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        set_account_status(account, AccountStatus.SUSPENDED)
        db.session.commit()
        assert _types(account.id) == [
            ("account.status", {"status": "active", "previous": None}),
            ("account.verification", {"status": "real_person", "previous": "none"}),
            ("account.status", {"status": "suspended", "previous": "active"}),
        ]


def test_no_change_without_its_event_and_no_event_without_its_change(app):
    with app.app_context():
        account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
        before = _types(account.id)
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        db.session.rollback()
        assert _types(account.id) == before
        assert db.session.get(Account, account.id).verification_status is VerificationStatus.NONE


def test_an_unchanged_status_writes_nothing(app):
    with app.app_context():
        account = make_account(org_code="430102-housing")
        before = _types(account.id)
        set_account_status(account, AccountStatus.ACTIVE)
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        db.session.commit()
        assert _types(account.id) == before


def test_the_feed_is_ordered_resumable_and_scoped(app, client):
    with app.app_context():
        ids = {}
        for name, org in (("cs", "430102-housing"), ("zz", "430202-housing")):
            account = make_account(org_code=org, verification=VerificationStatus.NONE)
            set_account_verification(account, VerificationStatus.REAL_PERSON)
            db.session.commit()
            ids[name] = account.id
    headers = client_headers(app, client, ["430100"])
    first = client.get("/api/v1/events?limit=1", headers=headers).get_json()
    assert [e["account_id"] for e in first["items"]] == [ids["cs"]]
    rest = client.get(f"/api/v1/events?after={first['next']}", headers=headers).get_json()
    assert [e["type"] for e in rest["items"]] == ["account.verification"]
    assert all(e["account_id"] == ids["cs"] for e in rest["items"])
    assert client.get(f"/api/v1/events?after={rest['next']}", headers=headers).get_json()["items"] == []


def test_events_carry_ids_and_states_only(app, client):
    with app.app_context():
        make_account(org_code="430102-housing")
    headers = client_headers(app, client, ["430000"])
    event = client.get("/api/v1/events", headers=headers).get_json()["items"][0]
    assert set(event) == {"id", "type", "at", "account_id", "attempt_id", "data"}
    assert set(event["data"]) <= {"status", "previous", "review_id", "kind"}
