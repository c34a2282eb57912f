"""Who can make the service send texts: a solved captcha for every send, bursts from one address cut
short, and a person's own login codes out of an attacker's reach (issue 11, "SMS sends")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.base import db
from models.sms import SmsOutboxMessage
from service import create_app
from service.platform.config import DEFAULTS
from tests.conftest import TEST_KEYS
from tests.factories import latest_sms_code, make_account, request_sms_code

ATTACKER, VICTIM = "203.0.113.7", "198.51.100.20"


def sent(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SmsOutboxMessage))


@pytest.fixture
def victim(app):
    with app.app_context():
        return make_account(username="victim_sms").phone


@pytest.mark.parametrize(
    "captcha",
    [{}, {"captcha_id": "made-up", "captcha": "ABCD"}],
    ids=["missing", "unknown"],
)
def test_no_text_without_a_solved_captcha(app, client, captcha):
    response = client.post(
        "/api/v1/sms-codes", json={"phone": "13900000100", "purpose": "register", **captcha}
    )
    assert (response.status_code, response.get_json()["reason"]) == (422, "captcha_invalid")
    assert sent(app) == 0


def test_a_captcha_pays_for_one_text_only(app, client):
    from tests.factories import solve_captcha

    solved = solve_captcha(client)
    first = client.post("/api/v1/sms-codes", json={"phone": "13900000101", "purpose": "register", **solved})
    again = client.post("/api/v1/sms-codes", json={"phone": "13900000102", "purpose": "register", **solved})
    assert (first.status_code, again.status_code) == (202, 422)
    assert sent(app) == 1


def test_a_burst_from_one_address_is_cut_short(app, client):
    """The tester's 20 texts in a burst to numbers of one's choosing: 3 go out, then 429."""
    answers = [
        request_sms_code(client, f"1390000{i:04d}", "register", REMOTE_ADDR=ATTACKER).status_code
        for i in range(20)
    ]
    assert answers == [202] * 3 + [429] * 17
    assert sent(app) == 3


def test_an_office_address_is_not_limited_like_a_burst():
    """Shared government offices: hundreds of texts an hour fit the per-address limits."""
    from limits import parse_many

    windows = {item.GRANULARITY.name: item.amount for item in parse_many(DEFAULTS["SMS_LIMITS_PER_ADDRESS"])}
    assert windows["minute"] >= 10 and windows["hour"] >= 300 and windows["day"] >= 1000


def test_an_attacker_cannot_use_up_a_victims_login_codes(app, client, victim, monkeypatch):
    """The tester used up a victim's 5 texts an hour from one address, blocking the victim's SMS login.
    (Only the hourly allowance here: the burst and flood limits have their own tests.)"""
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_PHONE", "5/hour")
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_ADDRESS", "100/minute")
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_PHONE_CEILING", "100/hour")
    answers = [request_sms_code(client, victim, "login", REMOTE_ADDR=ATTACKER).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    own = request_sms_code(client, victim, "login", REMOTE_ADDR=VICTIM)
    assert own.status_code == 202
    login = {"method": "sms", "phone": victim, "sms_code": latest_sms_code(app, victim)}
    assert client.post("/api/v1/sessions", json=login).status_code == 201


def test_registration_codes_do_not_spend_login_codes(app, client, victim, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_PHONE", "1/hour")
    assert request_sms_code(client, victim, "register").status_code == 202
    assert request_sms_code(client, victim, "register").status_code == 429
    assert request_sms_code(client, victim, "login").status_code == 202


def test_the_ceiling_across_addresses_stops_a_flood(app, client, victim, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_PHONE_CEILING", "2/hour")
    answers = [
        request_sms_code(client, victim, "login", REMOTE_ADDR=f"203.0.113.{i}").status_code for i in range(3)
    ]
    assert answers == [202, 202, 429]


def test_a_completed_send_gives_the_ceiling_back(app, client, victim, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_LIMITS_PER_PHONE_CEILING", "2/hour")
    for i in range(2):
        assert request_sms_code(client, victim, "login", REMOTE_ADDR=f"203.0.113.{i}").status_code == 202
    login = {"method": "sms", "phone": victim, "sms_code": latest_sms_code(app, victim)}
    assert client.post("/api/v1/sessions", json=login).status_code == 201
    assert request_sms_code(client, victim, "login", REMOTE_ADDR=VICTIM).status_code == 202


def test_the_captcha_switch_holds_only_in_the_embedded_demo(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CAPTCHA_REQUIRED", False)
    body = {"phone": "13900000103", "purpose": "register"}
    assert client.post("/api/v1/sms-codes", json=body).get_json()["reason"] == "captcha_invalid"
    monkeypatch.setitem(app.config, "DEMO", True)
    assert client.post("/api/v1/sms-codes", json=body).status_code == 202


@pytest.mark.parametrize(
    ("settings", "starts"),
    [
        ({"CAPTCHA_REQUIRED": False}, False),
        ({"CAPTCHA_REQUIRED": False, "DEMO": True, "SMS_BACKEND": "http"}, False),
        ({"CAPTCHA_REQUIRED": False, "DEMO": True, "SMS_BACKEND": "outbox"}, True),
    ],
)
def test_an_app_outside_the_demo_refuses_to_start_without_captchas(settings, starts, database_url):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, "SMS_GATEWAY_URL": "https://sms.invalid/", **TEST_KEYS}
    if starts:
        assert create_app({**config, **settings}).config["CAPTCHA_REQUIRED"] is False
    else:
        with pytest.raises(RuntimeError, match="embedded demo"):
            create_app({**config, **settings})
