"""待办审核 and 用户权限管理 in the console, and the approval rule in the domain (the API too)."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Account, AccountStatus, AdminPost, Role, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from tests.console.helpers import console_login, county_org, new_account_request, token_of
from tests.factories import login, make_account


def _pending(org_code: str, verified: bool = True) -> tuple[int, int]:
    verification = VerificationStatus.REAL_PERSON if verified else VerificationStatus.NONE
    account = make_account(org_code=org_code, status=AccountStatus.PENDING, verification=verification)
    return account.id, new_account_request(account).id


def test_city_admin_sees_only_its_city(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        _, mine = _pending(county_org("4301"))
        _, other = _pending(county_org("4302"))
        mine_name = db.session.get(Account, _pending(county_org("4301"))[0]).username
    console_login(client, admin)
    html = client.get("/console/reviews").get_data(as_text=True)
    assert f"/console/reviews/{mine}" in html and f"/console/reviews/{other}" not in html
    assert "单位信用代码" in html and "申请时间" in html and mine_name in html
    assert "****" in html  # ID numbers masked
    assert client.get(f"/console/reviews/{other}").status_code == 404


def test_approving_a_verified_account_activates_it(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        account_id, review_id = _pending(county_org("4301"))
    console_login(client, admin)
    token = token_of(client, f"/console/reviews/{review_id}")
    data = {"csrf_token": token, "decision": "approve", "reason": "材料齐全"}
    assert client.post(f"/console/reviews/{review_id}/decision", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Account, account_id).status is AccountStatus.ACTIVE


def test_unverified_account_cannot_be_approved(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        account_id, review_id = _pending(county_org("4301"), verified=False)
    console_login(client, admin)
    page = client.get(f"/console/reviews/{review_id}").get_data(as_text=True)
    assert "尚未通过实人认证" in page
    token = token_of(client, f"/console/reviews/{review_id}")
    data = {"csrf_token": token, "decision": "approve", "reason": ""}
    client.post(f"/console/reviews/{review_id}/decision", data=data)
    with app.app_context():
        assert db.session.get(Account, account_id).status is AccountStatus.PENDING


def test_api_refuses_the_same_approval(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        _, review_id = _pending(county_org("4301"), verified=False)
    headers = login(client, admin)
    answer = client.post(
        f"/api/v1/admin/reviews/{review_id}/decision", json={"decision": "approve"}, headers=headers
    )
    assert answer.status_code == 409 and answer.get_json()["reason"] == "account_not_verified"


def test_region_filter(app, client):
    with app.app_context():
        admin = make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.FGW, org_code="drc").username
        _, provincial = _pending("reform_office")
    console_login(client, admin)
    html = client.get("/console/reviews?region=430000").get_data(as_text=True)
    assert f"/console/reviews/{provincial}" in html
    assert f"/console/reviews/{provincial}" not in client.get("/console/reviews?region=430100").get_data(
        as_text=True
    )


def test_account_page_ends_sessions_and_cancels(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        target = make_account(org_code=county_org("4301"))
        outside = make_account(org_code=county_org("4302"))
        target_id, target_name, outside_id, outside_name = (
            target.id,
            target.username,
            outside.id,
            outside.username,
        )
    login(client, target_name)  # a live API session to end
    console_login(client, admin)
    page = client.get(f"/console/accounts/{target_id}").get_data(as_text=True)
    assert "事项权限" in page and "登录会话" in page and "用户名密码" in page
    assert client.get(f"/console/accounts/{outside_id}").status_code == 404
    listing = client.get("/console/accounts").get_data(as_text=True)
    assert target_name in listing and outside_name not in listing and "人脸识别认证" in listing
    token = token_of(client, f"/console/accounts/{target_id}")
    client.post(
        f"/console/accounts/{target_id}/sessions/end", data={"csrf_token": token, "reason": "离职交接"}
    )
    client.post(f"/console/accounts/{target_id}/cancel", data={"csrf_token": token, "reason": "人员调离"})
    with app.app_context():
        assert db.session.get(Account, target_id).status is AccountStatus.CANCELLED
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_id == str(target_id)))
        assert {"session.revoked_by_admin", "account.cancel"} <= set(actions)


def test_suspend_and_reactivate(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        target_id = make_account(org_code=county_org("4301")).id
    console_login(client, admin)
    token = token_of(client, f"/console/accounts/{target_id}")
    client.post(f"/console/accounts/{target_id}/suspend", data={"csrf_token": token, "reason": "违规操作"})
    with app.app_context():
        assert db.session.get(Account, target_id).status is AccountStatus.SUSPENDED
    assert "恢复启用" in client.get(f"/console/accounts/{target_id}").get_data(as_text=True)
    client.post(f"/console/accounts/{target_id}/reactivate", data={"csrf_token": token, "reason": "核查无误"})
    with app.app_context():
        assert db.session.get(Account, target_id).status is AccountStatus.ACTIVE
