"""One-time SMS codes: limits per phone and address, single use, five tries, hashed at rest, and the
HTTP gateway adapter against a local fake gateway."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from service.auth import sms_codes as codes
from service.auth import sms_senders as senders
from service.platform.errors import InvalidInput, TooManyRequests
from service.platform.extensions import redis_store
from tests.factories import latest_sms_code
from tests.service.api.test_registration_flow import request_code


def send(phone: str, purpose: str = "register", address: str | None = None) -> None:
    from models.base import db

    codes.send_code(phone, purpose, address)
    db.session.commit()  # the outbox row is part of the caller's unit of work


def test_second_code_within_a_minute_is_refused(client):
    assert request_code(client).status_code == 202
    response = request_code(client)
    body = response.get_json()
    assert (response.status_code, body["reason"]) == (429, "sms_rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert body["message"] == "验证码发送过于频繁,请稍后再试"


@pytest.mark.parametrize(("spec", "allowed"), [("5/hour", 5), ("10/day", 10)])
def test_hourly_and_daily_limits(ctx, monkeypatch, spec, allowed):
    monkeypatch.setitem(ctx.config, "SMS_LIMITS_PER_PHONE", spec)
    monkeypatch.setitem(ctx.config, "SMS_LIMITS_PER_PHONE_CEILING", "100/day")  # tested in test_sms_abuse
    for _ in range(allowed):
        codes.send_code("13900000001", "register", None)
    with pytest.raises(TooManyRequests):
        codes.send_code("13900000001", "register", None)


def test_limit_per_address_spans_phones(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "SMS_LIMITS_PER_ADDRESS", "3/hour")
    for i in range(3):
        codes.send_code(f"1390000001{i}", "register", "10.1.2.3")
    with pytest.raises(TooManyRequests):
        codes.send_code("13900000019", "register", "10.1.2.3")


def test_code_is_single_use(app, ctx):
    send("13900000002", "login")
    code = latest_sms_code(app, "13900000002")
    codes.check_code("13900000002", "login", code)
    with pytest.raises(InvalidInput) as caught:
        codes.check_code("13900000002", "login", code)
    assert caught.value.reason == "sms_code_expired"


def test_code_is_bound_to_its_purpose(app, ctx):
    send("13900000003", "register")
    with pytest.raises(InvalidInput) as caught:
        codes.check_code("13900000003", "login", latest_sms_code(app, "13900000003"))
    assert caught.value.reason == "sms_code_expired"


def test_five_wrong_tries_burn_the_code(app, ctx):
    send("13900000004", "register")
    right = latest_sms_code(app, "13900000004")
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    reasons = []
    for _ in range(5):
        with pytest.raises(InvalidInput) as caught:
            codes.check_code("13900000004", "register", wrong)
        reasons.append(caught.value.reason)
    assert reasons == ["sms_code_invalid"] * 4 + ["sms_code_exhausted"]
    with pytest.raises(InvalidInput):
        codes.check_code("13900000004", "register", right)


def test_code_is_stored_hashed_with_a_ttl(app, ctx):
    send("13900000005", "register")
    code = latest_sms_code(app, "13900000005")
    key = "xjy:sms:register:13900000005"
    stored = redis_store.client.hgetall(key)
    assert code.encode() not in b"".join(stored.values())
    assert 0 < redis_store.client.ttl(key) <= 300


def test_login_code_for_unknown_phone_answers_alike_but_sends_nothing(app, client):
    response = request_code(client, phone="13900000006", purpose="login")
    assert response.status_code == 202
    with app.app_context():
        from sqlalchemy import func, select

        from models.base import db
        from models.sms import SmsOutboxMessage

        assert db.session.scalar(select(func.count()).select_from(SmsOutboxMessage)) == 0


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append((self.headers.get("Authorization"), body))
        self.send_response(503 if type(self).fail else 200)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.fail = [], False
    yield f"http://127.0.0.1:{server.server_address[1]}/send", _Gateway
    server.shutdown()
    server.server_close()


def test_http_gateway_adapter_posts_the_message(gateway):
    url, handler = gateway
    senders.HttpGatewaySender(url, "gw-token").send("13900000007", "【湘建云】您的验证码为123456", "login")
    assert handler.received == [
        (
            "Bearer gw-token",
            {"phone": "13900000007", "text": "【湘建云】您的验证码为123456", "purpose": "login"},
        )
    ]


def test_http_gateway_failure_is_a_clear_error_and_drops_the_code(app, gateway):
    url, handler = gateway
    handler.fail = True
    with app.app_context():
        app.extensions["xjy_sms_sender"] = senders.HttpGatewaySender(url, None)
        try:
            with pytest.raises(senders.SmsDeliveryError):
                codes.send_code("13900000008", "register", None)
            assert not redis_store.client.exists("xjy:sms:register:13900000008")
        finally:
            app.extensions["xjy_sms_sender"] = None


def test_unreachable_gateway_is_a_clear_error():
    with pytest.raises(senders.SmsDeliveryError):
        senders.HttpGatewaySender("http://127.0.0.1:9/none", None, timeout=1).send(
            "13900000009", "x", "login"
        )
