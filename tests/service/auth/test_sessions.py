"""Bearer sessions: opaque tokens stored hashed, idle and absolute expiry, logout, and revocation
when an account is cancelled."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models.accounts import Role, Session
from models.base import db
from service.platform.crypto import token_digest
from tests.factories import login, make_account, password_login


def test_token_is_opaque_and_stored_only_as_a_digest(app, client):
    with app.app_context():
        make_account(username="li")
    body = password_login(client, "li").get_json()
    assert len(body["token"]) >= 43  # 256 bits, url-safe base64
    assert body["idle_timeout"] == 1800
    with app.app_context():
        stored = db.session.scalar(select(Session.token_hash))
    assert stored == token_digest(body["token"]) and body["token"] not in stored


def test_unknown_user_and_wrong_password_look_the_same(app, client):
    with app.app_context():
        make_account(username="li")
    wrong = password_login(client, "li", "not the password")
    unknown = password_login(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def _age(field: str, seconds: int) -> None:
    for session in db.session.scalars(select(Session)):
        setattr(session, field, getattr(session, field) - dt.timedelta(seconds=seconds))
    db.session.commit()


def test_idle_session_expires(app, client):
    with app.app_context():
        make_account(username="li")
    headers = login(client, "li")
    with app.app_context():
        _age("last_seen_at", 31 * 60)
    response = client.get("/api/v1/me", headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (401, "session_expired")


def test_absolute_lifetime_ends_a_busy_session(app, client):
    with app.app_context():
        make_account(username="li")
    headers = login(client, "li")
    with app.app_context():
        _age("expires_at", 12 * 3600 + 1)
    assert client.get("/api/v1/me", headers=headers).get_json()["reason"] == "session_expired"


def test_logout_ends_the_session(app, client):
    with app.app_context():
        make_account(username="li")
    headers = login(client, "li")
    assert client.delete("/api/v1/sessions/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).get_json()["reason"] == "session_invalid"


def test_cancelling_an_account_ends_its_sessions(app, client):
    with app.app_context():
        make_account(role=Role.PROVINCE_ADMIN, org_code="drc", username="fgw")
        target = make_account(org_code="housing", username="li")
        target_id = target.id
    user = login(client, "li")
    admin = login(client, "fgw")
    client.post(
        f"/api/v1/admin/accounts/{target_id}/cancellation", json={"reason": "人员调离"}, headers=admin
    )
    assert client.get("/api/v1/me", headers=user).status_code == 401
    refused = password_login(client, "li")
    assert refused.get_json()["reason"] == "account_disabled"


def test_missing_or_malformed_authorization(client):
    assert client.get("/api/v1/me").get_json()["reason"] == "unauthenticated"
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).get_json()["reason"]
        == "session_invalid"
    )
