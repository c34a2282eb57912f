"""Webhooks go out when an event commits, not at the scheduler's next tick: a commit carrying events
nudges the scheduler through Redis; a rolled-back one does not."""

from __future__ import annotations

import threading
import time

from models.accounts import Account, VerificationStatus
from models.base import db
from service.cli.scheduler import wait_for_events
from service.events import log
from service.platform.extensions import redis_store
from service.verification.lifecycle import set_account_verification
from tests.factories import make_account


def _nudges() -> int:
    return int(redis_store.client.llen(log.NUDGE_KEY))  # type: ignore[arg-type]


def test_a_commit_with_events_nudges_the_deliveries(ctx):
    account = make_account(verification=VerificationStatus.NONE)
    redis_store.client.delete(log.NUDGE_KEY)
    set_account_verification(account, VerificationStatus.REAL_PERSON)
    assert _nudges() == 0  # not before the commit: a receiver must never hear of an uncommitted event
    db.session.commit()
    assert _nudges() == 1


def test_a_rolled_back_event_and_a_commit_without_events_nudge_nothing(ctx):
    account_id = make_account(verification=VerificationStatus.NONE).id
    redis_store.client.delete(log.NUDGE_KEY)
    set_account_verification(db.session.get(Account, account_id), VerificationStatus.REAL_PERSON)
    db.session.rollback()
    db.session.get(Account, account_id).department = "法规科"  # type: ignore[union-attr]
    db.session.commit()
    assert _nudges() == 0


def test_the_scheduler_wakes_at_a_nudge_not_at_its_next_tick(ctx):
    client = redis_store.client
    client.delete(log.NUDGE_KEY)
    pusher = threading.Timer(0.2, lambda: client.rpush(log.NUDGE_KEY, b"1"))
    start = time.monotonic()
    pusher.start()
    wait_for_events(4)
    pusher.join()
    assert time.monotonic() - start < 2
    assert _nudges() == 0  # one pump serves every nudge before it
