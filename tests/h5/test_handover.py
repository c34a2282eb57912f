"""The token handover of the H5 page: a one-time, short-lived code instead of a token in a URL."""

from __future__ import annotations

import re

import pytest

from models.accounts import VerificationStatus
from service.platform.extensions import redis_store
from tests.factories import make_account
from tests.service.api.test_verifications import scoped


@pytest.fixture
def person(app):
    with app.app_context():
        account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
        return account.id, scoped(app, account.id)


def handover(client, headers) -> dict:
    response = client.post("/h5/handover", headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_code_is_traded_once_for_the_token(client, person):
    _, headers = person
    body = handover(client, headers)
    assert body["url"] == f"/h5/verify#code={body['code']}" and body["expires_in"] == 60
    first = client.post("/h5/session", json={"code": body["code"]})
    assert first.status_code == 200
    assert f"Bearer {first.get_json()['token']}" == headers["Authorization"]
    again = client.post("/h5/session", json={"code": body["code"]})
    assert again.status_code == 400 and again.get_json()["reason"] == "handover_code_invalid"


def test_redis_holds_the_code_hashed_and_the_token_sealed_for_a_minute(app, client, person):
    _, headers = person
    code = handover(client, headers)["code"]
    token = headers["Authorization"].split()[1]
    with app.app_context():
        (key,) = redis_store.client.keys("xjy:h5-handover:*")
        value = redis_store.client.get(key)
        assert code.encode() not in key and token.encode() not in value
        assert 0 < redis_store.client.ttl(key) <= 60


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-session"}])
def test_only_a_live_session_gets_a_code(client, headers):
    response = client.post("/h5/handover", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["reason"] in ("unauthenticated", "session_invalid")


@pytest.mark.parametrize("body", [{"code": "guessed"}, {"code": "x" * 65}, {}, []])
def test_an_unknown_or_malformed_code_is_refused(client, body):
    response = client.post("/h5/session", json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["reason"] in ("handover_code_invalid", "handover_code_missing")


def test_a_code_dies_with_its_session(client, person):
    _, headers = person
    code = handover(client, headers)["code"]
    assert client.delete("/api/v1/sessions/current", headers=headers).status_code == 204
    response = client.post("/h5/session", json={"code": code})
    assert response.status_code == 401 and response.get_json()["reason"] == "session_invalid"


def test_the_page_holds_no_token_and_no_inline_script(client):
    response = client.get("/h5/verify")
    html = response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [] and " style=" not in html
    assert 'capture="environment"' in html and 'data-consent-version="2026-11"' in html
    assert "Set-Cookie" not in response.headers


def test_the_demo_entry_exists_only_when_configured(app, client, monkeypatch):
    assert client.get("/h5/").status_code == 404
    monkeypatch.setitem(app.config, "H5_DEMO_LOGIN", True)
    assert "登录并开始认证" in client.get("/h5/").get_data(as_text=True)
