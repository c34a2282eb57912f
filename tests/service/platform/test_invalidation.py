"""Process-local caches: served only while the process hears invalidations, dropped the moment a
change commits (here at once, elsewhere through Redis), never filled with a value read while a
change was announced, and not at all while Redis is away. The hall's polls are the users."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy import update

from models.accounts import Account, VerificationStatus
from models.base import db
from service.clients import registry
from service.platform import invalidation, pubsub
from service.platform.extensions import redis_store
from service.verification.lifecycle import set_account_verification
from tests.factories import make_account
from tests.service.clients.test_oauth import get_token
from tests.service.hall.test_hall_api import client_headers

STATE = "/api/v1/accounts/{}/verification-status"


def wait_listening(app) -> None:
    """Wait until ``app`` hears invalidations, and has heard those published so far (``settle``)."""
    deadline = time.monotonic() + 10
    while not invalidation.listening(app):
        assert time.monotonic() < deadline, "the invalidation listener did not connect"
        time.sleep(0.02)
    settle(app)


def settle(app) -> None:
    """Wait until this process has heard every invalidation published so far. The ``app`` fixture's
    cleanup announces everything; heard after a test stored an entry, it would drop it. Redis delivers
    a channel's messages in order and the subscriber hands each to its listeners in the order they
    came (the caches' first), so once a marker published now reaches a listener added now, the caches
    have heard all before it, the marker too."""
    heard = threading.Event()
    marker = pubsub.subscribe(app, invalidation.CHANNEL, lambda data: heard.set(), lambda live: None)
    try:
        with app.app_context():
            redis_store.client.publish(invalidation.CHANNEL, json.dumps(["test:settle"]))
        assert heard.wait(5), "the marker was not heard"
    finally:
        pubsub.unsubscribe(app, marker)


@pytest.fixture
def cache(app):
    wait_listening(app)
    with app.app_context():
        held = invalidation.cache("test", 30.0)
    held.clear()
    return held


def _told(app, tags) -> None:
    """What the listener does with a message (or a commit here) naming ``tags``."""
    invalidation.listener(app).apply(tags)


def test_a_value_is_kept_and_dropped_by_its_tag(app, cache):
    cache.put("k", "v", tag="account:1", generation=cache.generation())
    cache.put("j", "w", tag="account:2", generation=cache.generation())
    assert (cache.get("k"), cache.get("j")) == ("v", "w")
    _told(app, ["account:1"])
    assert (cache.get("k"), cache.get("j")) == (None, "w")
    _told(app, [invalidation.EVERYTHING])
    assert cache.get("j") is None


def test_a_value_read_while_a_change_was_announced_is_not_kept(app, cache):
    before = cache.generation()
    _told(app, ["account:9"])  # arrives while the value was being read
    cache.put("k", "old", tag="account:1", generation=before)
    assert cache.get("k") is None


def test_an_entry_lives_no_longer_than_its_time(cache):
    cache.put("k", "v", tag="t", generation=cache.generation(), seconds=0.05)
    time.sleep(0.1)
    assert cache.get("k") is None


def test_a_message_from_another_process_drops_the_entry(app, cache):
    cache.put("k", "v", tag="account:7", generation=cache.generation())
    with app.app_context():
        redis_store.client.publish(invalidation.CHANNEL, json.dumps(["account:7"]))
    deadline = time.monotonic() + 3
    while cache.get("k") is not None:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_commit_drops_what_it_touched_here_at_once_and_a_rollback_nothing(app, cache):
    with app.app_context():
        account = make_account(verification=VerificationStatus.NONE)
        settle(app)  # the account's creation is announced too: heard after the put, it would drop it
        tag = f"account:{account.id}"
        cache.put("k", "v", tag=tag, generation=cache.generation())
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        db.session.flush()
        assert cache.get("k") == "v"  # not before the commit: another reader may still see the old row
        db.session.rollback()
        assert cache.get("k") == "v"
        account = db.session.get(Account, account.id)
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        db.session.commit()
        assert cache.get("k") is None


def test_a_bulk_statement_drops_everything(app, cache):
    with app.app_context():
        cache.put("k", "v", tag="account:1", generation=cache.generation())
        db.session.execute(update(Account).where(Account.id == -1).values(department="x"))
        db.session.commit()
        assert cache.get("k") is None


def _poll(client, headers, account_id, etag=None):
    extra = {"If-None-Match": etag} if etag else {}
    return client.get(STATE.format(account_id), headers={**headers, **extra})


def test_a_poll_sees_a_change_made_elsewhere_once_it_is_announced(app, client):
    """A change another process commits: until its message arrives the version held here answers
    (within the entry's few seconds); the message makes the next poll see the change."""
    with app.app_context():
        account_id = make_account(org_code="430102-housing").id
    headers = client_headers(app, client, ["430000"])
    wait_listening(app)
    etag = _poll(client, headers, account_id).headers["ETag"]
    with app.app_context():  # as another process would: no ORM session, so no local drop
        with db.engine.begin() as connection:
            connection.execute(update(Account).where(Account.id == account_id).values(department="审批科"))
    assert _poll(client, headers, account_id, etag).status_code == 304  # held here, not yet told
    with app.app_context():
        redis_store.client.publish(invalidation.CHANNEL, json.dumps([f"account:{account_id}"]))
    deadline = time.monotonic() + 3
    while (answer := _poll(client, headers, account_id, etag)).status_code == 304:
        assert time.monotonic() < deadline, "the announced change was not seen"
        time.sleep(0.01)
    assert answer.status_code == 200 and answer.headers["ETag"] != etag


def test_a_revoked_client_is_refused_at_once(app, client):
    with app.app_context():
        account_id = make_account(org_code="430102-housing").id
        issued = registry.create_client("办事大厅", ["verifications:read"], ["430000"])
        client_id, secret = issued.client.client_id, issued.secret
    token = get_token(client, client_id, secret).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    wait_listening(app)
    assert _poll(client, headers, account_id).status_code == 200
    assert _poll(client, headers, account_id).status_code == 200  # now from this process's memory
    with app.app_context():
        registry.revoke_client(client_id)
    answer = _poll(client, headers, account_id)
    assert (answer.status_code, answer.get_json()["reason"]) == (401, "client_token_invalid")


def test_without_redis_nothing_is_served_from_memory(app, client, monkeypatch):
    with app.app_context():
        account_id = make_account(org_code="430102-housing").id
    headers = client_headers(app, client, ["430000"])
    wait_listening(app)
    monkeypatch.setattr(invalidation.listener(app), "connected", False)  # as after a lost connection
    etag = _poll(client, headers, account_id).headers["ETag"]
    with app.app_context():
        with db.engine.begin() as connection:  # unannounced, as a hand-written SQL statement would be
            connection.execute(update(Account).where(Account.id == account_id).values(department="审批科"))
    assert _poll(client, headers, account_id, etag).status_code == 200


def test_a_forked_child_serves_nothing_its_parent_held(cache):
    import os

    cache.put("k", "v", tag="t", generation=cache.generation())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it would serve, then leave at once
        os.write(write, b"none" if cache.get("k") is None else b"held")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 4) == b"none"
    assert cache.get("k") == "v"  # the parent still holds it
