"""Change and cancel requests by the account holder, reviewed by the admin in scope."""

from __future__ import annotations

from models.accounts import Account, AccountStatus, Role
from models.base import db
from tests.factories import login, make_account, org


def setup_people(app):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin")
        make_account(org_code="430102-housing", username="li")


def test_an_approved_change_is_applied(app, client):
    setup_people(app)
    with app.app_context():
        target_org = org("430181-housing").id
    user = login(client, "li")
    response = client.post(
        "/api/v1/account-requests",
        json={
            "kind": "change",
            "changes": {"department": "规划科", "organisation_id": target_org},
            "note": "调动",
        },
        headers=user,
    )
    assert response.status_code == 201, response.get_json()
    admin = login(client, "csadmin")
    review = client.get("/api/v1/admin/reviews?kind=account", headers=admin).get_json()["items"][0]
    assert review["kind"] == "change" and review["payload"]["department"] == "规划科"
    client.post(f"/api/v1/admin/reviews/{review['id']}/decision", json={"decision": "approve"}, headers=admin)
    profile = client.get("/api/v1/me", headers=user).get_json()
    assert (profile["department"], profile["organisation"]["id"]) == ("规划科", target_org)


def test_an_approved_cancel_disables_the_account(app, client):
    setup_people(app)
    user = login(client, "li")
    client.post("/api/v1/account-requests", json={"kind": "cancel", "note": "退休"}, headers=user)
    again = client.post("/api/v1/account-requests", json={"kind": "cancel"}, headers=user)
    assert (again.status_code, again.get_json()["reason"]) == (409, "request_pending")
    admin = login(client, "csadmin")
    review = client.get("/api/v1/admin/reviews?kind=account", headers=admin).get_json()["items"][0]
    client.post(f"/api/v1/admin/reviews/{review['id']}/decision", json={"decision": "approve"}, headers=admin)
    assert client.get("/api/v1/me", headers=user).status_code == 401
    with app.app_context():
        from sqlalchemy import select

        assert (
            db.session.scalar(select(Account.status).where(Account.username == "li"))
            is AccountStatus.CANCELLED
        )


def test_a_change_cannot_touch_identity_or_role(app, client):
    setup_people(app)
    user = login(client, "li")
    for field, value in (("role", "city_admin"), ("id_number", "11010519491231002X"), ("real_name", "李四")):
        response = client.post(
            "/api/v1/account-requests", json={"kind": "change", "changes": {field: value}}, headers=user
        )
        assert response.get_json()["reason"] == "validation_error", field
