"""One pub/sub connection per process serves both of its listeners, the local caches' invalidations
and the event hub's commit announcements; when Redis drops it, both come back on a new one.

Each test makes an app of its own (as a process would have), so the connection it starts is told
apart from the shared test app's by comparing Redis's CLIENT LIST before and after."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from models.accounts import Account, VerificationStatus
from models.base import db
from service import create_app
from service.events import log
from service.events.hub import CommitWaker, EventHub, drop_hub, for_account
from service.platform import invalidation, pubsub
from service.platform.extensions import redis_store
from service.verification.lifecycle import set_account_verification
from tests.factories import make_account

BOTH = {invalidation.CHANNEL, log.COMMIT_CHANNEL}


def wait_until(condition: Callable[[], object], what: str, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def pubsub_clients(app: Flask) -> dict[str, dict[str, str]]:
    """Redis's pub/sub connections now, by id."""
    with app.app_context():
        return {c["id"]: c for c in redis_store.client.client_list(_type="pubsub")}


@pytest.fixture
def process(app) -> Iterator[Flask]:
    """A second app, as another web process would hold, thrown away afterwards."""
    made = create_app({**app.config})
    yield made
    drop_hub(made)
    invalidation.drop_listener(made)  # its last listener gone, the connection closes too
    with made.app_context():
        db.engine.dispose()


@pytest.fixture
def before(app) -> dict[str, dict[str, str]]:
    return pubsub_clients(app)


def started(process: Flask, before: dict[str, dict[str, str]]) -> dict[str, str]:
    """Start both listeners of ``process``; the one connection that appeared for them."""
    invalidation.listener(process)
    waker = CommitWaker(process)
    wait_until(lambda: pubsub.subscriber(process).channels == BOTH, "both channels subscribed")
    wait_until(lambda: invalidation.listening(process), "the caches on")
    new = [c for i, c in pubsub_clients(process).items() if i not in before]
    waker.close()
    assert len(new) == 1, new
    return new[0]


def publish(app: Flask, channel: str, data: str | bytes) -> None:
    with app.app_context():
        redis_store.client.publish(channel, data)


def test_one_connection_serves_the_caches_and_the_hub(process, before):
    connection = started(process, before)
    assert connection["name"] == f"xjy-pubsub-{os.getpid()}"
    assert connection["sub"] == "2"  # both channels, on this one connection


def test_the_connection_ends_with_its_last_listener(process, before):
    started(process, before)
    invalidation.drop_listener(process)
    wait_until(lambda: pubsub_clients(process).keys() <= before.keys(), "the connection closed")


def test_an_invalidation_and_a_commit_announcement_arrive_on_it(process, before):
    started(process, before)
    with process.app_context():
        held = invalidation.cache("test", 30.0)
    held.put("k", "v", tag="account:7", generation=held.generation())
    waker = CommitWaker(process)
    stop = threading.Event()
    try:
        assert waker.wait(5, stop)  # the channel is live: one wake for what may have been missed
        publish(process, invalidation.CHANNEL, json.dumps(["account:7"]))
        publish(process, log.COMMIT_CHANNEL, b"1")
        assert waker.wait(5, stop)
        wait_until(lambda: held.get("k") is None, "the invalidation was not heard", 3)
    finally:
        waker.close()


def test_many_announcements_wake_the_hub_once(process):
    waker = CommitWaker(process)
    stop = threading.Event()
    try:
        assert waker.wait(10, stop)  # subscribed
        for _ in range(5):
            publish(process, log.COMMIT_CHANNEL, b"1")
        time.sleep(0.5)  # all five delivered
        assert waker.wait(5, stop)
        assert not waker.wait(0.3, stop)  # one read of the log serves them all
    finally:
        waker.close()


def test_a_stop_ends_the_wait_within_a_second(process):
    waker = CommitWaker(process)
    stop = threading.Event()
    try:
        waker.wait(10, stop)
        stop.set()
        begun = time.monotonic()
        assert not waker.wait(30, stop)
        assert time.monotonic() - begun < 1
    finally:
        waker.close()


def _commit_change(app: Flask, account_id: int) -> None:
    with app.app_context():
        set_account_verification(db.session.get(Account, account_id), VerificationStatus.REAL_PERSON)
        db.session.commit()


def test_when_redis_drops_the_connection_both_listeners_recover(app, process, before):
    with app.app_context():
        account_id = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
        cursor = log.latest_id()
    killed = started(process, before)
    hub = EventHub(process, poll_seconds=30)  # so only an announcement can wake it in time
    try:
        hub.wait_after(cursor, for_account(account_id), timeout=0.5)
        with process.app_context():
            held = invalidation.cache("test", 30.0)
        held.put("k", "v", tag="t", generation=held.generation())

        with app.app_context():
            assert redis_store.client.client_kill_filter(_id=killed["id"]) == 1
        wait_until(lambda: not invalidation.listening(process), "the caches were not turned off")
        assert held.get("k") is None
        wait_until(lambda: pubsub.subscriber(process).channels == BOTH, "not subscribed again")
        wait_until(lambda: invalidation.listening(process), "the caches did not come back")

        again = [c for i, c in pubsub_clients(process).items() if i not in before]
        assert len(again) == 1 and again[0]["id"] != killed["id"] and again[0]["sub"] == "2"
        held.put("k", "v", tag="t", generation=held.generation())
        assert held.get("k") == "v"  # caches on again
        publish(process, invalidation.CHANNEL, json.dumps(["t"]))
        wait_until(lambda: held.get("k") is None, "an invalidation after the drop was not heard", 3)

        _commit_change(app, account_id)
        committed = time.monotonic()
        events, _ = hub.wait_after(cursor, for_account(account_id), timeout=5)
        assert [e.type for e in events] == ["account.verification"]
        assert time.monotonic() - committed < 2  # the announcement, not the 30 s poll
    finally:
        hub.stop(wait=5)  # before the fixture disposes the engine it reads with
