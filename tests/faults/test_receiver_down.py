"""A webhook receiver down for a while, then back: every event is delivered at least once, in order
per account, and every event is on the change feed."""

from __future__ import annotations

from sqlalchemy import func, select

from models.base import db
from models.webhooks import WebhookDelivery
from service.clients import registry
from service.hall import webhooks
from tests.faults.conftest import Receiver, in_order_per_account, wait_for
from tests.service.clients.test_oauth import get_token

#: Seconds from the receiver's return to every event delivered: the back-off then in force (5 s,
#: doubling per failed try) plus a pump; generous (see test_worker_killed.BOUND).
BOUND = 90


def failed_tries(product) -> int:
    with product.web.app_context():
        query = select(func.count(WebhookDelivery.id)).where(WebhookDelivery.outcome == "failed")
        count = int(db.session.scalar(query) or 0)
        db.session.remove()
    return count


def feed(product) -> list[int]:
    """Every event id on the change feed, page by page, as the hall reads it."""
    with product.web.app_context():
        issued = registry.create_client("办事大厅", ["events:read"], ["430000"])
        client_id = issued.client.client_id
        db.session.remove()
    token = get_token(product.client, client_id, issued.secret).get_json()["access_token"]
    ids, after = [], 0
    while True:
        page = product.client.get(
            f"/api/v1/events?after={after}&limit=100", headers={"Authorization": f"Bearer {token}"}
        ).get_json()
        ids += [item["id"] for item in page["items"]]
        if not page["items"]:
            return ids
        after = page["next"]


def test_a_receiver_down_then_back_gets_every_event_in_order_per_account(product):
    receiver = Receiver()  # not listening yet: every try is refused
    with product.web.app_context():
        webhooks.create("办事大厅", receiver.url, ["430000"], start="beginning")
        db.session.remove()
    ids = product.submit(3)
    wait_for(lambda: failed_tries(product), BOUND, "a refused delivery")
    product.wait_final(ids, BOUND)  # every event of the run is written while the receiver is away
    receiver.up()
    try:
        events = [e for e in product.events() if (e.region_code or "").startswith("43")]
        expected = {e.id for e in events}
        took = wait_for_delivery(receiver, expected)
        print(f"\nreceiver back -> all {len(expected)} events delivered {took:.1f} s later")
        assert feed(product) == sorted(expected)
    finally:
        receiver.down()
    assert in_order_per_account(events, receiver.delivered_ids())


def wait_for_delivery(receiver, expected: set[int]) -> float:
    import time

    began = time.monotonic()
    wait_for(lambda: expected <= set(receiver.delivered_ids()), BOUND, "every event at the receiver")
    return time.monotonic() - began
