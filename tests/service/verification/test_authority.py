"""The authority check against a fake provider this test starts on loopback (not a real service): its
result codes mapped to ours, signed requests, timeouts and outages as "retry later", the circuit
breaker, and the verification job that asks it between the card read and the face match."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models.accounts import Role, VerificationStatus
from models.base import db
from models.verifications import VerificationAttempt
from service.platform.extensions import redis_store
from service.verification import authority, queue
from service.verification.engine import install_engine
from tests.factories import login, make_account
from tests.service.api.test_verifications import FakeEngine, jpeg, run_worker, scoped, start, submit

SECRET = "provider-secret"


class FakeProvider(ThreadingHTTPServer):
    """Answers each POST with ``reply`` (or ``status``), after ``delay`` seconds; records requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply: dict | str = {"code": "0", "message": "认证通过", "score": 92.5}
        self.status, self.delay, self.requests = 200, 0.0, []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/verify"


class _Handler(BaseHTTPRequestHandler):
    server: FakeProvider

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append((dict(self.headers), body))
        time.sleep(self.server.delay)
        reply = self.server.reply
        payload = (reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)).encode()
        try:
            self.send_response(self.server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
            pass

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider(app, monkeypatch):
    server = FakeProvider()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = {
        "AUTHORITY_CHECK": True,
        "AUTHORITY_URL": server.url,
        "AUTHORITY_APP_ID": "xjy",
        "AUTHORITY_APP_SECRET": SECRET,
        "AUTHORITY_TIMEOUT_SECONDS": 0.5,
        "AUTHORITY_BREAKER_FAILURES": 3,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.shutdown()
    server.server_close()


def ask(app) -> authority.AuthorityAnswer:
    with app.app_context():
        check = authority.get_check()
        return authority.ask(check, "verification-1", "测试用户", "430102198506150011", b"jpeg")


@pytest.mark.parametrize(
    ("code", "ours", "outcome"),
    [
        ("0", "authority_match", "match"),
        ("1001", "authority_not_found", "review"),
        ("1002", "authority_no_photo", "review"),
        ("1003", "authority_identity_mismatch", "failed"),
        ("1004", "authority_face_mismatch", "failed"),
        ("2001", "authority_limit_reached", "retry"),
        ("2002", "authority_unavailable", "retry"),
        ("9999", "authority_unknown_code", "review"),
    ],
)
def test_provider_codes_map_to_ours(app, provider, code, ours, outcome):
    provider.reply = {"code": code, "message": "…", "score": 40}
    answer = ask(app)
    assert (answer.code, answer.outcome, answer.provider_code) == (ours, outcome, code)


def test_a_deployment_adds_its_providers_codes(app, provider, monkeypatch):
    monkeypatch.setitem(app.config, "AUTHORITY_RESULT_CODES", {"E-NOPHOTO": "authority_no_photo"})
    provider.reply = {"code": "E-NOPHOTO"}
    assert ask(app).code == "authority_no_photo"


def test_the_request_is_signed_and_carries_the_photo(app, provider):
    answer = ask(app)
    headers, body = provider.requests[0]
    expected = hmac.new(SECRET.encode(), f"{headers['X-Timestamp']}.".encode() + body, hashlib.sha256)
    assert headers["X-App-Id"] == "xjy" and headers["X-Signature"] == expected.hexdigest()
    sent = json.loads(body)
    assert (sent["name"], sent["id_number"], base64.b64decode(sent["photo"])) == (
        "测试用户",
        "430102198506150011",
        b"jpeg",
    )
    assert answer.score == 92.5 and answer.provider_message == "认证通过"


@pytest.mark.parametrize(
    ("status", "reply", "delay", "ours"),
    [
        (500, {"error": "boom"}, 0.0, "authority_unavailable"),
        (503, "", 0.0, "authority_unavailable"),
        (401, {"error": "bad signature"}, 0.0, "authority_unavailable"),  # our credentials: our problem
        (429, {"error": "quota"}, 0.0, "authority_limit_reached"),
        (200, "<html>gateway</html>", 0.0, "authority_unavailable"),
        (200, {"code": "0"}, 1.5, "authority_unavailable"),  # past the 0.5 s timeout
    ],
    ids=["500", "503", "401", "429", "not-json", "timeout"],
)
def test_a_provider_that_cannot_answer_means_retry_later(app, provider, status, reply, delay, ours):
    provider.status, provider.reply, provider.delay = status, reply, delay
    started = time.monotonic()
    answer = ask(app)
    assert (answer.code, answer.outcome) == (ours, "retry")
    assert time.monotonic() - started < 1.4  # the timeout holds


def test_the_circuit_opens_after_repeated_failures_and_stops_calling(app, provider):
    provider.status = 500
    assert [ask(app).code for _ in range(3)] == ["authority_unavailable"] * 3
    assert ask(app).code == "authority_circuit_open" and len(provider.requests) == 3
    with app.app_context():
        redis_store.client.delete("xjy:authority:circuit-open")  # the open period is over
    provider.status = 200
    assert ask(app).code == "authority_match" and len(provider.requests) == 4


def test_a_good_answer_resets_the_failure_count(app, provider):
    provider.status = 500
    ask(app), ask(app)
    provider.status = 200
    ask(app)
    provider.status = 500
    ask(app), ask(app)
    assert ask(app).code == "authority_unavailable"  # the third failure in a row, not the fifth: still closed
    assert ask(app).code == "authority_circuit_open"


# --- the verification job ---


@pytest.fixture
def engine(app):
    from service.platform import jobcontext

    fake = FakeEngine()
    install_engine(app, fake)
    jobcontext.set_app(app)
    yield fake
    install_engine(app, None)


@pytest.fixture
def person(app):
    with app.app_context():
        account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
        return account.id, scoped(app, account.id)


def verify(app, client, person) -> dict:
    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    return client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()


def test_off_by_default_nothing_is_asked(app, client, engine, person):
    assert app.config["AUTHORITY_CHECK"] is False
    assert verify(app, client, person)["status"] == "passed"


def test_a_match_passes_with_the_first_frame_sent(app, client, engine, person, provider):
    assert verify(app, client, person)["status"] == "passed"
    sent = json.loads(provider.requests[0][1])
    assert base64.b64decode(sent["photo"]) == jpeg(30) and sent["name"] == "测试用户"
    assert engine.calls  # the face match ran after the authority's answer


def test_a_face_mismatch_fails_and_support_sees_the_answer(app, client, engine, person, provider):
    provider.reply = {"code": "1004", "message": "比对不一致", "score": 31.0}
    body = verify(app, client, person)
    assert body["status"] == "failed"
    assert {"reason": "authority_face_mismatch", "message": "人脸与公安登记照片不一致"} in body["reasons"]
    with app.app_context():
        make_account(role=Role.SUPPORT, org_code=None, username="kefu")
    support = login(client, "kefu")
    rows = client.get("/api/v1/support/verifications?status=failed", headers=support).get_json()["items"]
    assert rows[0]["evidence"]["authority"] == {
        "code": "authority_face_mismatch",
        "outcome": "failed",
        "provider_code": "1004",
        "provider_message": "比对不一致",
        "score": 31.0,
        "elapsed_ms": rows[0]["evidence"]["authority"]["elapsed_ms"],
    }


@pytest.mark.parametrize("code", ["1001", "1002"])
def test_no_record_or_no_photo_goes_to_support(app, client, engine, person, provider, code):
    provider.reply = {"code": code}
    body = verify(app, client, person)
    assert body["status"] == "needs_review"


def test_an_outage_keeps_the_attempt_queued_until_the_provider_is_back(app, client, engine, person, provider):
    provider.reply = {"code": "2001", "message": "日调用量超限"}
    body = verify(app, client, person)
    assert (body["status"], body["reasons"]) == ("queued", [])  # never failed for our outage
    assert engine.calls == []  # the face match waits for the authority
    provider.reply = {"code": "0"}
    with app.app_context():
        assert queue.sweep(0) == [body["id"]]  # the scheduler's sweep runs it again
    run_worker(app)
    with app.app_context():
        attempt = db.session.get(VerificationAttempt, body["id"])
        assert (attempt.status.value, attempt.runs) == ("passed", 2)
