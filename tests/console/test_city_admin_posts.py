"""工改牵头人员管理: a 附件2 application recorded and approved in the console, against the quota."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Account, AdminPost, Role
from models.base import db
from service.reference.seed import fictional_id_number
from tests.console.helpers import console_login, token_of
from tests.factories import make_account


def _apply(client, token: str, username: str, number: str):
    form = {
        "csrf_token": token, "city_code": "430300", "action": "add", "department": "湘潭市发展和改革委员会",
        "office": "投资科", "holder_name": "王五", "contact": "13900001111", "matters_in_charge": "账号管理",
        "id_number": number, "username": username, "remark": "",
    }  # fmt: skip
    return client.post("/console/city-admins/applications", data=form, follow_redirects=True)


def test_province_admin_records_and_approves_an_application(app, client):
    with app.app_context():
        admin = make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.FGW, org_code="drc").username
    console_login(client, admin)
    token = token_of(client, "/console/city-admins")
    recorded = _apply(client, token, "xiangtan_admin1", fictional_id_number(4711))
    html = recorded.get_data(as_text=True)
    assert "已登记市州管理员账号申请" in html and "湘潭市" in html and "王五" in html
    with app.app_context():
        from models.city_admins import CityAdminApplication

        application_id = db.session.scalar(select(CityAdminApplication.id))
    approved = client.post(f"/console/city-admins/applications/{application_id}/decision",
                           data={"csrf_token": token, "decision": "approve", "reason": ""})  # fmt: skip
    assert "初始密码" in approved.get_data(as_text=True)
    with app.app_context():
        made = db.session.scalar(select(Account).where(Account.username == "xiangtan_admin1"))
        assert made.role is Role.CITY_ADMIN and made.admin_region_code == "430300"


def test_city_admins_have_no_such_page(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
    console_login(client, admin)
    assert client.get("/console/city-admins").status_code == 403
