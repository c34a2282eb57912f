"""A worker killed with SIGKILL while it posts a webhook: Redis still calls the delivery job started,
but the run's lease in the database runs out, the scheduler starts a new run on the restarted worker,
and every event reaches the receiver at least once, in order per account."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models.base import db
from service.hall import webhooks
from tests.faults.conftest import CLOCKS, in_order_per_account, kill, wait_for

#: Seconds from the kill to every event delivered: a new worker's start plus the run's lease (2 s
#: here, 30 s by default) plus a pump; generous, as other work may share the two cores.
BOUND = 90


@pytest.fixture
def clocks() -> dict[str, str]:
    return {**CLOCKS, "XJY_WEBHOOK_LEASE_SECONDS": "2"}


class SlowReceiver:
    """A receiver that holds its first request (the worker is killed meanwhile) and takes the rest."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.holding = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not outer.holding.is_set():
                    outer.holding.set()
                    time.sleep(10)  # the poster is killed before this answer
                    return
                outer.bodies.append(body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered_ids(self) -> list[int]:
        return [json.loads(body)["id"] for body in list(self.bodies)]


def test_a_delivery_whose_worker_was_killed_is_taken_over_and_every_event_arrives(product):
    ids = product.submit(2)
    product.wait_final(ids, BOUND)
    receiver = SlowReceiver()
    try:
        with product.web.app_context():
            webhooks.create("办事大厅", receiver.url, ["430000"], start="beginning")
            db.session.remove()
        wait_for(receiver.holding.is_set, BOUND, "a delivery in flight")
        kill(product.supervisor.procs["worker"].pid)
        killed = time.monotonic()
        events = [e for e in product.events() if (e.region_code or "").startswith("43")]
        expected = {e.id for e in events}
        wait_for(lambda: expected <= set(receiver.delivered_ids()), BOUND, "every event at the receiver")
        took = time.monotonic() - killed
        print(f"\nworker SIGKILL mid-delivery -> all {len(expected)} events delivered {took:.1f} s later")
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
    assert in_order_per_account(events, receiver.delivered_ids())
    assert product.supervisor.restarts["worker"] == 1
