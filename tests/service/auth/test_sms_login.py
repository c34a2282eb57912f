"""SMS login: phone + six-digit code of purpose ``login``; wrong, expired and reused codes and unknown
phones all answer alike."""

from __future__ import annotations

import pytest

from models.accounts import AccountStatus, VerificationStatus
from models.base import db
from service.platform.extensions import redis_store
from tests.factories import latest_sms_code, make_account, request_sms_code


def send(client, phone):
    assert request_sms_code(client, phone, "login").status_code == 202


def sms_login(client, phone, code):
    return client.post("/api/v1/sessions", json={"method": "sms", "phone": phone, "sms_code": code})


def other(code):
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def phone(app):
    with app.app_context():
        return make_account(username="li").phone


def test_sms_login(app, client, phone):
    send(client, phone)
    response = sms_login(client, phone, latest_sms_code(app, phone))
    assert response.status_code == 201
    assert (response.get_json()["method"], response.get_json()["account"]["username"]) == ("sms", "li")


def test_wrong_code(app, client, phone):
    send(client, phone)
    response = sms_login(client, phone, other(latest_sms_code(app, phone)))
    assert (response.status_code, response.get_json()["reason"]) == (401, "login_failed")


def test_a_code_is_single_use(app, client, phone):
    send(client, phone)
    code = latest_sms_code(app, phone)
    assert sms_login(client, phone, code).status_code == 201
    assert sms_login(client, phone, code).get_json()["reason"] == "login_failed"


def test_an_expired_code(app, client, phone):
    send(client, phone)
    with app.app_context():
        redis_store.client.delete(f"xjy:sms:login:{phone}")  # what the TTL does
    assert sms_login(client, phone, latest_sms_code(app, phone)).get_json()["reason"] == "login_failed"


def test_unknown_phone_and_wrong_code_look_the_same(app, client, phone):
    send(client, phone)
    send(client, "13600000000")
    assert latest_sms_code(app, "13600000000") is None  # never delivered
    wrong = sms_login(client, phone, other(latest_sms_code(app, phone)))
    unknown = sms_login(client, "13600000000", "123456")
    assert wrong.status_code == unknown.status_code == 401 and wrong.get_json() == unknown.get_json()


def test_sms_login_passes_the_gate_like_any_method(app, client):
    with app.app_context():
        phone = make_account(username="old", legacy=True, verification=VerificationStatus.NONE).phone
    send(client, phone)
    response = sms_login(client, phone, latest_sms_code(app, phone))
    assert (response.status_code, response.get_json()["reason"]) == (403, "verification_required")
    assert response.get_json()["session"]["method"] == "sms"


def test_a_phone_shared_by_two_live_accounts_must_use_the_password(app, client, phone):
    with app.app_context():
        twin = make_account(username="twin", status=AccountStatus.ACTIVE)
        twin.phone = phone
        db.session.commit()
    send(client, phone)
    response = sms_login(client, phone, latest_sms_code(app, phone))
    assert (response.status_code, response.get_json()["reason"]) == (409, "phone_ambiguous")


def test_sms_failures_are_throttled(app, client, phone):
    for _ in range(5):
        sms_login(client, phone, "000000")
    throttled = sms_login(client, phone, "000000")
    assert (throttled.status_code, throttled.get_json()["reason"]) == (429, "login_throttled")
