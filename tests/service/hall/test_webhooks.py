"""Webhooks against a receiver the test starts: signed, in order, at least once; a receiver that is
down is retried with back-off and gets everything, in order, once it is back; replay; give-up."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from models.accounts import Role, VerificationStatus
from models.base import db, utcnow
from models.webhooks import WebhookDelivery, WebhookSubscription
from service.hall import webhooks
from service.platform import jobcontext
from service.platform.extensions import redis_store
from service.verification.lifecycle import set_account_verification
from tests.factories import login, make_account


class Receiver:
    """A local HTTP receiver that records what it gets and answers ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(
                    {
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                        "answered": outer.status,
                    }
                )
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.received if r["answered"] == 200]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def subscription(app, receiver):
    jobcontext.set_app(app)
    with app.app_context():
        issued = webhooks.create("办事大厅", receiver.url, ["430000"], start="beginning")
        return issued.subscription.id, issued.secret


def _verify(app, n: int) -> list[int]:
    with app.app_context():
        ids = []
        for _ in range(n):
            account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
            set_account_verification(account, VerificationStatus.REAL_PERSON)
            db.session.commit()
            ids.append(account.id)
        return ids


def test_deliveries_are_signed_and_in_order(app, receiver, subscription):
    sub_id, secret = subscription
    _verify(app, 2)
    assert webhooks.deliver(sub_id) == 4  # two accounts x (created, verified)
    bodies = receiver.delivered()
    assert [b["id"] for b in bodies] == sorted(b["id"] for b in bodies)
    for record in receiver.received:
        timestamp, mac = (part.split("=", 1)[1] for part in record["headers"]["x-xjy-signature"].split(","))
        expected = hmac.new(
            secret.encode(), f"{timestamp}.".encode() + record["body"], hashlib.sha256
        ).hexdigest()
        assert hmac.compare_digest(mac, expected)
    assert webhooks.deliver(sub_id) == 0  # nothing twice


def test_a_receiver_down_then_back_gets_everything_in_order(app, receiver, subscription):
    sub_id, _ = subscription
    _verify(app, 1)
    receiver.status = 503
    assert webhooks.deliver(sub_id) == 0
    with app.app_context():
        sub = db.session.get(WebhookSubscription, sub_id)
        assert sub.cursor == 0 and sub.next_try_at is not None and sub.failing_since is not None
        assert webhooks.pump() == []  # backing off
    _verify(app, 1)
    receiver.status = 200
    with app.app_context():
        db.session.get(WebhookSubscription, sub_id).next_try_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
        assert webhooks.pump() == [sub_id]
        SimpleWorker(
            [webhooks.webhook_queue()], connection=redis_store.client, serializer=JSONSerializer
        ).work(burst=True)
        outcomes = [
            d.outcome for d in db.session.scalars(db.select(WebhookDelivery).order_by(WebhookDelivery.id))
        ]
    ids = [b["id"] for b in receiver.delivered()]
    assert ids == sorted(ids) and len(ids) == 4 and outcomes[0] == "failed"


def test_an_event_failing_for_24_hours_is_given_up_and_delivery_moves_on(app, receiver, subscription):
    sub_id, _ = subscription
    _verify(app, 1)
    receiver.status = 500
    with app.app_context():
        db.session.get(WebhookSubscription, sub_id).failing_since = utcnow() - dt.timedelta(hours=25)
        db.session.commit()
    webhooks.deliver(sub_id)
    with app.app_context():
        outcomes = db.session.scalars(db.select(WebhookDelivery.outcome).order_by(WebhookDelivery.id)).all()
        sub = db.session.get(WebhookSubscription, sub_id)
        # the old event is given up and recorded; the next one starts its own 24 hours of retries
        assert outcomes == ["given_up", "failed"] and sub.cursor > 0 and sub.next_try_at is not None


def test_replay_delivers_again_from_an_event_id(app, receiver, subscription):
    sub_id, _ = subscription
    _verify(app, 1)
    webhooks.deliver(sub_id)
    first = receiver.delivered()[0]["id"]
    with app.app_context():
        webhooks.replay(sub_id, first)
    assert webhooks.deliver(sub_id) == 1


def test_only_province_admins_manage_subscriptions(app, client, receiver):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", org_code=None, username="city_hook")
        from models.accounts import AdminPost

        make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.GONGAIBAN, org_code=None, username="prov_hook")
    city = client.post(
        "/api/v1/admin/webhooks", json={"name": "x", "url": receiver.url}, headers=login(client, "city_hook")
    )
    assert city.status_code == 403
    province = login(client, "prov_hook")
    made = client.post("/api/v1/admin/webhooks", json={"name": "大厅", "url": receiver.url}, headers=province)
    assert made.status_code == 201 and made.get_json()["secret"]
    sub_id = made.get_json()["subscription"]["id"]
    ping = client.post(f"/api/v1/admin/webhooks/{sub_id}/ping", headers=province).get_json()
    assert ping["outcome"] == "delivered" and receiver.received[-1]["headers"]["x-xjy-event-type"] == "ping"
    assert (
        client.post(
            "/api/v1/admin/webhooks", json={"name": "x", "url": "file:///etc/passwd"}, headers=province
        ).status_code
        == 422
    )


def test_a_run_whose_worker_died_is_replaced_once_its_lease_runs_out(
    app, receiver, subscription, monkeypatch
):
    """The database judges whether a run lives: Redis still calls a killed worker's job started."""
    import time

    sub_id, _ = subscription
    monkeypatch.setitem(app.config, "WEBHOOK_LEASE_SECONDS", 0.5)
    _verify(app, 1)
    with app.app_context():
        assert webhooks.pump() == [sub_id]  # run 1 ... whose worker is killed before it posts
        assert webhooks.pump() == []  # its lease is held: no second run beside it
        time.sleep(0.6)
        assert webhooks.pump() == [sub_id]  # the lease ran out: run 2
        assert db.session.get(WebhookSubscription, sub_id).runs == 2
    assert webhooks.deliver(sub_id, 1) == 0 and receiver.received == []  # run 1 wakes: fenced off
    assert webhooks.deliver(sub_id, 2) == 2
    with app.app_context():
        sub = db.session.get(WebhookSubscription, sub_id)
        assert sub.lease_expires_at is None  # given up when the run ended: the next may start at once
        assert webhooks.pump() == []  # nothing waiting
    assert [b["type"] for b in receiver.delivered()] == ["account.status", "account.verification"]


def test_a_pumped_run_renews_its_lease_and_gives_it_up_at_the_end(app, receiver, subscription):
    sub_id, _ = subscription
    _verify(app, 2)
    with app.app_context():
        assert webhooks.pump() == [sub_id]
        assert db.session.get(WebhookSubscription, sub_id).lease_expires_at is not None
        SimpleWorker(
            [webhooks.webhook_queue()], connection=redis_store.client, serializer=JSONSerializer
        ).work(burst=True)
        db.session.expire_all()
        sub = db.session.get(WebhookSubscription, sub_id)
        assert sub.lease_expires_at is None and sub.runs == 1
    assert len(receiver.delivered()) == 4


def test_a_run_that_ends_wakes_the_pump_for_events_that_came_meanwhile(app, receiver, subscription):
    """An event committed while a run was ending found the lease held: the run's end wakes the pump."""
    from service.events import log

    sub_id, _ = subscription
    _verify(app, 1)
    with app.app_context():
        assert webhooks.pump() == [sub_id]
        run = db.session.get(WebhookSubscription, sub_id).runs
        redis_store.client.delete(log.NUDGE_KEY)
    webhooks.deliver(sub_id, run)
    with app.app_context():
        assert redis_store.client.llen(log.NUDGE_KEY) == 1
