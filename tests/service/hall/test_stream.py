"""Server-Sent Events: a client follows its regions, a person their own account; resumable by
Last-Event-ID; live changes arrive while the stream is open; keep-alives in between."""

from __future__ import annotations

import json
import threading
import time

from models.accounts import Account, VerificationStatus
from models.base import db
from service.events import log
from service.verification.lifecycle import set_account_verification
from tests.factories import make_account, password_login
from tests.service.hall.test_hall_api import client_headers


def read_events(response) -> list[dict]:
    text = response.get_data(as_text=True)
    events = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":")
        )
        if "data" in fields:
            events.append({"id": int(fields["id"]), "type": fields["event"], **json.loads(fields["data"])})
    return events


def _verify_later(app, account_id: int, delay: float) -> threading.Thread:
    def run() -> None:
        time.sleep(delay)
        with app.app_context():
            set_account_verification(db.session.get(Account, account_id), VerificationStatus.REAL_PERSON)
            db.session.commit()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_client_replays_its_regions_events_from_a_cursor(app, client):
    with app.app_context():
        cs = make_account(org_code="430102-housing").id
        make_account(org_code="430202-housing")
    headers = client_headers(app, client, ["430100"])
    response = client.get("/api/v1/events/stream", headers={**headers, "Last-Event-ID": "0"})
    assert response.mimetype == "text/event-stream"
    events = read_events(response)
    assert [e["account_id"] for e in events] == [cs] and events[0]["type"] == "account.status"
    assert "region_code" not in events[0]


def test_live_changes_arrive_on_an_open_stream(app, client):
    with app.app_context():
        account_id = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    headers = client_headers(app, client, ["430000"])
    writer = _verify_later(app, account_id, 0.4)
    events = read_events(client.get("/api/v1/events/stream", headers=headers))
    writer.join()
    assert [(e["type"], e["data"]["status"]) for e in events] == [("account.verification", "real_person")]


def test_a_person_follows_only_their_own_account(app, client):
    with app.app_context():
        mine = make_account(
            org_code="430102-housing", username="me_stream", verification=VerificationStatus.NONE
        ).id
        other = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    gate = password_login(client, "me_stream").get_json()  # unverified: the gate's verification token
    headers = {"Authorization": f"Bearer {gate['session']['token']}"}
    writers = [_verify_later(app, other, 0.2), _verify_later(app, mine, 0.5)]
    events = read_events(client.get("/api/v1/events/stream", headers=headers))
    for writer in writers:
        writer.join()
    assert [e["account_id"] for e in events] == [mine]


def test_a_quiet_stream_sends_keep_alives(app, client):
    headers = client_headers(app, client, ["430000"])
    text = client.get("/api/v1/events/stream", headers=headers).get_data(as_text=True)
    assert text.startswith("retry: 3000") and ": keep-alive" in text


def test_a_stream_needs_a_token(client):
    response = client.get("/api/v1/events/stream")
    assert response.status_code == 401 and response.get_json()["reason"] == "unauthenticated"


def _wait_for_change(app, account_id: int, poll_seconds: float) -> tuple[list, float]:
    """Events a hub sees for ``account_id``'s verification, and how long after the commit, with a
    hub that polls only every ``poll_seconds``."""
    from service.events.hub import EventHub, for_account

    hub = EventHub(app, poll_seconds)
    try:
        with app.app_context():
            cursor = log.latest_id()
        hub.wait_after(cursor, for_account(account_id), timeout=0.5)  # started
        time.sleep(0.3)  # the hub is subscribed and waiting
        with app.app_context():
            set_account_verification(db.session.get(Account, account_id), VerificationStatus.REAL_PERSON)
            db.session.commit()
        committed = time.monotonic()
        events, _ = hub.wait_after(cursor, for_account(account_id), timeout=5)
        return events, time.monotonic() - committed
    finally:
        hub.stop(wait=5)  # its thread reads with the engine the session disposes at the end


def test_a_commit_wakes_the_streams_at_once_not_at_the_next_poll(app):
    with app.app_context():
        account_id = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    events, took = _wait_for_change(app, account_id, poll_seconds=30)
    assert [(e.type, e.data["status"]) for e in events] == [("account.verification", "real_person")]
    assert took < 2  # the announcement, not the 30 s poll


def test_without_redis_the_streams_still_follow_by_polling(app, monkeypatch):
    with app.app_context():
        account_id = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setitem(app.extensions, "xjy_redis", None)
    events, took = _wait_for_change(app, account_id, poll_seconds=0.2)
    assert [e.type for e in events] == ["account.verification"]
