"""Brute-force protection: a growing delay, a temporary lock after 100 failures an hour, per-address
limits, and no difference between an unknown user name and a wrong password."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from models.audit import AuditEvent
from models.base import db
from tests.factories import PASSWORD, make_account


@pytest.fixture
def no_captcha(app, monkeypatch):
    """Throttling is about the password check; the captcha has its own tests."""
    monkeypatch.setitem(app.config, "CAPTCHA_REQUIRED", False)
    monkeypatch.setitem(app.config, "DEMO", True)  # the switch holds only in the embedded demo
    return app


def attempt(client, username="li", password="wrong password"):  # noqa: S107
    return client.post("/api/v1/sessions", json={"username": username, "password": password})


@pytest.mark.parametrize("username", ["li", "nobody"])
def test_the_101st_failure_in_an_hour_is_refused(no_captcha, client, monkeypatch, username):
    app = no_captcha
    monkeypatch.setitem(app.config, "LOGIN_DELAY_AFTER", 1000)  # only the hourly cap here
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMITS_PER_ADDRESS", "1000/hour")
    with app.app_context():
        make_account(username="li")
        since = db.session.scalar(select(func.max(AuditEvent.id))) or 0  # the log outlives each test
    for _ in range(100):
        assert attempt(client, username).status_code == 401
    locked = attempt(client, username, PASSWORD)  # even the right password now
    assert (locked.status_code, locked.get_json()["reason"]) == (429, "login_locked")
    assert 3500 <= int(locked.headers["Retry-After"]) <= 3601
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == username, AuditEvent.id > since)
        ).all()
    assert actions.count("session.login_failed") == 100 and actions.count("session.login_locked") == 1


def test_a_lock_expires(no_captcha, client, monkeypatch):
    app = no_captcha
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMIT", "3 per 2 seconds")
    monkeypatch.setitem(app.config, "LOGIN_DELAY_AFTER", 1000)
    with app.app_context():
        make_account(username="li")
    for _ in range(3):
        attempt(client)
    assert attempt(client, password=PASSWORD).get_json()["reason"] == "login_locked"
    time.sleep(2.2)
    assert attempt(client, password=PASSWORD).status_code == 201


def test_delay_grows_after_five_failures(no_captcha, client):
    with no_captcha.app_context():
        make_account(username="li")
    for _ in range(5):
        assert attempt(client).status_code == 401
    throttled = attempt(client, password=PASSWORD)
    assert (throttled.status_code, throttled.get_json()["reason"]) == (429, "login_throttled")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 2
    time.sleep(1.1)
    assert attempt(client).status_code == 401  # the 6th failure: now 2 seconds
    assert 2 <= int(attempt(client).headers["Retry-After"]) <= 3


def test_unknown_and_wrong_look_the_same_all_the_way(no_captcha, client):
    with no_captcha.app_context():
        make_account(username="li")
    answers = {}
    for username in ("li", "nobody"):
        answers[username] = [
            (r.status_code, r.get_json(), "Retry-After" in r.headers)
            for r in (attempt(client, username) for _ in range(7))
        ]
    assert answers["li"] == answers["nobody"]
    assert [status for status, _, _ in answers["li"]] == [401] * 5 + [429, 429]


def test_failures_from_one_address_are_limited_across_user_names(no_captcha, client, monkeypatch):
    monkeypatch.setitem(no_captcha.config, "LOGIN_FAILURE_LIMITS_PER_ADDRESS", "3/minute")
    for n in range(3):
        assert attempt(client, f"user{n}").status_code == 401
    refused = attempt(client, "someone-else")
    assert (refused.status_code, refused.get_json()["reason"]) == (429, "login_throttled")
    other = client.post(
        "/api/v1/sessions",
        json={"username": "someone-else", "password": "x"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other.status_code == 401


def test_a_shared_address_does_not_lock_out_the_right_password(no_captcha, client, monkeypatch):
    """A government office behind one address: failures for names nobody holds throttle the address,
    yet a known account's right password still logs in from it."""
    monkeypatch.setitem(no_captcha.config, "LOGIN_FAILURE_LIMITS_PER_ADDRESS", "3/minute")
    with no_captcha.app_context():
        make_account(username="office_user")
    for n in range(3):
        assert attempt(client, f"typo{n}").status_code == 401
    assert attempt(client, "typo9").status_code == 429
    right = client.post("/api/v1/sessions", json={"username": "office_user", "password": PASSWORD})
    assert right.status_code == 201, right.get_json()


def test_a_wrong_password_from_a_throttled_address_looks_like_any_other_failure(
    no_captcha, client, monkeypatch
):
    monkeypatch.setitem(no_captcha.config, "LOGIN_FAILURE_LIMITS_PER_ADDRESS", "3/minute")
    with no_captcha.app_context():
        make_account(username="office_user2")
    for n in range(3):
        attempt(client, f"typo{n}")
    known, unknown = attempt(client, "office_user2"), attempt(client, "nobody_here")
    assert (known.status_code, known.get_json()) == (unknown.status_code, unknown.get_json())
    assert known.status_code == 429


def test_failures_of_known_accounts_do_not_count_against_the_address(no_captcha, client, monkeypatch):
    monkeypatch.setitem(no_captcha.config, "LOGIN_FAILURE_LIMITS_PER_ADDRESS", "3/minute")
    with no_captcha.app_context():
        for n in range(4):
            make_account(username=f"colleague{n}")
    for n in range(4):
        assert attempt(client, f"colleague{n}").status_code == 401  # a wrong password each, own limits
    assert attempt(client, "typo").status_code == 401
