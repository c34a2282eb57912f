"""The city-admin application of the seed's 附件2: recorded and processed by a province admin,
with the per-city quota enforced."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Account, AccountStatus, AdminPost, Role
from models.base import db
from service.reference.seed import fictional_id_number
from tests.factories import login, make_account, password_login


def form(seq: int, action: str = "add", city: str = "430100", username: str | None = None) -> dict:
    return {
        "city_code": city,
        "action": action,
        "department": "长沙市发展和改革委员会",
        "office": "投资科",
        "holder_name": "王五",
        "contact": f"1370000{seq:04d}",
        "matters_in_charge": "工程建设项目审批账号管理",
        "id_number": fictional_id_number(300 + seq),
        "username": username or f"csadmin{seq}",
        "remark": "新增",
    }


def apply(client, headers, body):
    response = client.post("/api/v1/admin/city-admin-applications", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def decide(client, headers, application_id, decision="approve", reason=None):
    return client.post(
        f"/api/v1/admin/city-admin-applications/{application_id}/decision",
        json={"decision": decision, "reason": reason},
        headers=headers,
    )


def province_admin(app, client):
    with app.app_context():
        make_account(
            role=Role.PROVINCE_ADMIN, post=AdminPost.GONGAIBAN, org_code="reform_office", username="gaiban"
        )
    return login(client, "gaiban")


def test_approved_application_creates_a_city_admin_who_can_log_in(app, client):
    headers = province_admin(app, client)
    application = apply(client, headers, form(1))
    assert application["id_number"].count("*") == 4 and application["contact"].count("*") == 4
    result = decide(client, headers, application["id"]).get_json()
    assert result["application"]["status"] == "approved"
    password = result["initial_password"]
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == "csadmin1"))
        assert (account.role, account.admin_region_code, account.must_change_password) == (
            Role.CITY_ADMIN, "430100", True,
        )  # fmt: skip
        account.verification_status = account.verification_status.REAL_PERSON  # past the login gate
        db.session.commit()
    response = password_login(client, "csadmin1", password)
    assert response.status_code == 201
    assert response.get_json()["password_change_required"] is True
    admin = {"Authorization": f"Bearer {response.get_json()['token']}"}
    blocked = client.get("/api/v1/admin/reviews", headers=admin)
    assert (blocked.status_code, blocked.get_json()["reason"]) == (403, "password_change_required")
    changed = client.post(
        "/api/v1/me/password",
        json={"current_password": password, "new_password": "a fresh passphrase of mine"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.get_json()
    assert client.get("/api/v1/admin/reviews", headers=admin).status_code == 200


def test_quota_of_two_per_city(app, client):
    headers = province_admin(app, client)
    for seq in (1, 2):
        decide(client, headers, apply(client, headers, form(seq))["id"])
    third = decide(client, headers, apply(client, headers, form(3))["id"])
    assert (third.status_code, third.get_json()["reason"]) == (409, "city_admin_quota")
    other_city = decide(client, headers, apply(client, headers, form(4, city="430200"))["id"])
    assert other_city.status_code == 200


def test_delete_application_cancels_the_city_admin(app, client):
    headers = province_admin(app, client)
    decide(client, headers, apply(client, headers, form(1))["id"])
    removal = apply(client, headers, {**form(1, action="delete"), "remark": "删除"})
    assert decide(client, headers, removal["id"]).status_code == 200
    with app.app_context():
        status = db.session.scalar(select(Account.status).where(Account.username == "csadmin1"))
    assert status is AccountStatus.CANCELLED


def test_only_province_admins_handle_applications(app, client):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin")
    headers = login(client, "csadmin")
    response = client.post("/api/v1/admin/city-admin-applications", json=form(1), headers=headers)
    assert response.status_code == 403


def test_rejection_needs_a_reason_and_creates_nothing(app, client):
    headers = province_admin(app, client)
    application = apply(client, headers, form(1))
    assert decide(client, headers, application["id"], "reject").get_json()["reason"] == "reason_required"
    assert decide(client, headers, application["id"], "reject", "材料不全").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Account).where(Account.username == "csadmin1")) is None
