"""The legacy campaign, the dashboard and the demo's support account."""

from __future__ import annotations

from sqlalchemy import func, select

from models.accounts import Account, AccountStatus, Role, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from models.sms import SmsOutboxMessage
from service.reference.seed import seed_demo_admins
from tests.console.helpers import console_login, county_org, new_account_request, token_of
from tests.console.support_data import failed_attempt
from tests.factories import make_account


def _legacy_city(app) -> str:
    """A Changsha admin and four legacy accounts there (verified, failed, two pending) plus one elsewhere."""
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        org = county_org("4301")
        make_account(org_code=org, legacy=True)
        failed_attempt(make_account(org_code=org, legacy=True, verification=VerificationStatus.NONE))
        for _ in range(2):
            make_account(org_code=org, legacy=True, verification=VerificationStatus.NONE)
        make_account(org_code=county_org("4302"), legacy=True, verification=VerificationStatus.NONE)
    return admin


def test_campaign_progress_per_city(app, client):
    console_login(client, _legacy_city(app))
    html = client.get("/console/campaign").get_data(as_text=True)
    assert "<td>长沙市</td><td>4</td><td>1</td><td>1</td><td>2</td>" in html
    assert "株洲市" not in html  # out of scope
    assert "共 3 个" in html


def test_reminders_are_rate_limited_and_audited(app, client):
    console_login(client, _legacy_city(app))
    token = token_of(client, "/console/campaign")
    client.post("/console/campaign/remind", data={"csrf_token": token, "city": "430100"})
    again = client.post(
        "/console/campaign/remind", data={"csrf_token": token, "city": "430100"}, follow_redirects=True
    )
    assert "已发送提醒短信 0 条;3 个账号" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(SmsOutboxMessage.purpose == "reminder")) == 3
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "campaign.remind").order_by(AuditEvent.id)
        ).all()
        assert [d["sent"] for d in details[-2:]] == [3, 0]


def test_dashboard_shows_pending_and_outcomes(app, client):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        person = make_account(org_code=county_org("4301"), verification=VerificationStatus.NONE)
        failed_attempt(person)
        new_account_request(make_account(org_code=county_org("4301"), status=AccountStatus.PENDING))
    console_login(client, admin)
    html = client.get("/console/dashboard").get_data(as_text=True)
    assert '<td>长沙市</td><td><a href="/console/reviews?region=430100">1</a></td>' in html
    assert "人脸与身份证照片不一致 ×1" in html and "0%" in html


def test_demo_seeds_a_verified_support_account(app, client):
    with app.app_context():
        made = {c.username: c for c in seed_demo_admins()}
        db.session.commit()
        support = db.session.scalar(select(Account).where(Account.username == "support_demo"))
        assert support.role is Role.SUPPORT and support.status is AccountStatus.ACTIVE
        assert support.verification_status is VerificationStatus.REAL_PERSON
    console_login(client, "support_demo", made["support_demo"].password)
    assert client.get("/console/support/attempts").status_code == 200
