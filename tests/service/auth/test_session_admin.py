"""What ends sessions besides logout: an admin's revocation, suspension, a password change; and the
audit trail of logins, failures and session ends."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Role
from models.audit import AuditEvent
from models.base import db
from tests.factories import PASSWORD, login, make_account, password_login


def setup(app):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin", org_code=None)
        make_account(role=Role.CITY_ADMIN, city="430200", username="zzadmin", org_code=None)
        return make_account(org_code="430102-housing", username="li").id


def test_admin_ends_a_users_sessions(app, client):
    target = setup(app)
    user = login(client, "li")
    admin = login(client, "csadmin")
    url = f"/api/v1/admin/accounts/{target}/sessions/revocation"
    response = client.post(url, json={"reason": "设备丢失"}, headers=admin)
    assert response.status_code == 200 and response.get_json() == {"sessions_revoked": 1}
    assert client.get("/api/v1/me", headers=user).get_json()["reason"] == "session_invalid"
    assert password_login(client, "li").status_code == 201  # the account itself is fine
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.revoked_by_admin"))


def test_revocation_is_scope_checked(app, client):
    target = setup(app)
    other_city = login(client, "zzadmin")
    url = f"/api/v1/admin/accounts/{target}/sessions/revocation"
    assert client.post(url, json={"reason": "x"}, headers=other_city).status_code == 404


def test_suspension_ends_sessions_and_reactivation_restores_login(app, client):
    target = setup(app)
    user = login(client, "li")
    admin = login(client, "csadmin")
    suspended = client.post(
        f"/api/v1/admin/accounts/{target}/suspension", json={"reason": "调查"}, headers=admin
    )
    assert suspended.status_code == 200 and suspended.get_json()["status"] == "suspended"
    assert client.get("/api/v1/me", headers=user).status_code == 401
    assert password_login(client, "li").get_json()["reason"] == "account_disabled"
    again = client.post(f"/api/v1/admin/accounts/{target}/suspension", json={"reason": "x"}, headers=admin)
    assert again.status_code == 409
    reactivated = client.post(
        f"/api/v1/admin/accounts/{target}/reactivation", json={"reason": "调查结束"}, headers=admin
    )
    assert reactivated.get_json()["status"] == "active"
    assert password_login(client, "li").status_code == 201


def test_password_change_ends_the_other_sessions(app, client):
    with app.app_context():
        account = make_account(username="li")
        account.must_change_password = True
        db.session.commit()
    other = login(client, "li")
    current = login(client, "li")
    body = {"current_password": PASSWORD, "new_password": "a much better passphrase"}
    response = client.post("/api/v1/me/password", json=body, headers=current)
    assert response.status_code == 200 and response.get_json() == {"sessions_revoked": 1}
    assert client.get("/api/v1/me", headers=other).status_code == 401
    me = client.get("/api/v1/me", headers=current).get_json()
    assert me["password_change_required"] is False
    assert password_login(client, "li").status_code == 401
    assert password_login(client, "li", "a much better passphrase").status_code == 201


def test_password_change_checks_current_and_new(app, client):
    with app.app_context():
        make_account(username="li")
    headers = login(client, "li")
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "fine new password"},
        headers=headers,
    )
    assert (wrong.status_code, wrong.get_json()["reason"]) == (422, "current_password_invalid")
    common = client.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "iloveyou1"},
        headers=headers,
    )
    assert common.get_json()["reason"] == "password_too_common"
    same = client.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": PASSWORD}, headers=headers
    )
    assert same.get_json()["reason"] == "password_unchanged"


def test_login_failure_and_logout_are_audited(app, client):
    with app.app_context():
        account_id = make_account(username="li").id
    password_login(client, "li", "wrong one")
    headers = login(client, "li")
    client.delete("/api/v1/sessions/current", headers=headers)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(account_id)).order_by(AuditEvent.id)
        ).all()
    assert actions[-3:] == ["session.login_failed", "session.login", "session.logout"]
