"""End to end in headless Chromium: the console's main journeys, with screenshots to tests/artifacts/."""

from __future__ import annotations

import dataclasses

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from idverify.types import CardsResult, FaceMatchResult, PrecheckResult, Side, VerificationResult
from models.accounts import Account, AccountStatus, AdminPost, Role, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from service.platform import jobcontext
from service.platform.crypto import decrypt_id_number
from service.platform.extensions import redis_store
from service.verification.engine import CardInputs, EngineInputs, install_engine
from tests.console.helpers import county_org, new_account_request, solve
from tests.console.support_data import failed_attempt
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.browser


@dataclasses.dataclass
class PassingFakeEngine:
    """A fake engine (not idverify) that passes every attempt it is given."""

    calls: int = 0

    def precheck(self, data: bytes, side: str) -> PrecheckResult:
        return PrecheckResult(True, (), Side(side))

    def read_cards(self, inputs: CardInputs) -> CardsResult:
        raise AssertionError("a re-run reads the cards in verify, not in an early read")

    def verify(self, inputs: EngineInputs) -> VerificationResult:
        self.calls += 1
        return VerificationResult(True, (), None, None, FaceMatchResult(True, (), 0.32, 0.5, 1), None)


def sign_in(page, base: str, app, username: str) -> None:
    page.goto(f"{base}/console/login")
    captcha_id = page.locator("#captcha_id").input_value()
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.fill("#captcha", solve(app, captcha_id))
    page.click("#password-login button[type=submit]")
    page.wait_for_load_state()


def _pending(org_code: str, verified: bool) -> tuple[int, int, str]:
    verification = VerificationStatus.REAL_PERSON if verified else VerificationStatus.NONE
    account = make_account(org_code=org_code, status=AccountStatus.PENDING, verification=verification)
    return account.id, new_account_request(account).id, account.username


def test_city_admin_approves_a_verified_account(app, live_server, page, shot):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        account_id, review_id, username = _pending(county_org("4301"), verified=True)
        _, other_review, other_name = _pending(county_org("4302"), verified=True)
    page.goto(f"{live_server}/console/login")
    shot(page, "01-login")
    sign_in(page, live_server, app, admin)
    assert page.locator("h1").inner_text() == "待办审核"
    rows = page.locator("table.grid tbody")
    assert username in rows.inner_text() and other_name not in rows.inner_text()
    shot(page, "02-reviews")
    page.click(f"a[href='/console/reviews/{review_id}']")
    assert "实名实人认证结果" in page.content() and page.locator("#approval-blocker").count() == 0
    shot(page, "03-review")
    page.check("input[value=approve]")
    page.fill("#reason", "材料齐全,同意开通")
    page.click("#decision-form button[type=submit]")
    assert "已审核通过" in page.locator(".flash.info").inner_text()
    with app.app_context():
        assert db.session.get(Account, account_id).status is AccountStatus.ACTIVE
    page.goto(f"{live_server}/console/accounts/{account_id}")
    assert "审核通过" in page.locator("h1").inner_text()
    shot(page, "04-account")
    assert page.goto(f"{live_server}/console/reviews/{other_review}").status == 404


def test_admin_cannot_approve_an_unverified_account(app, live_server, page, shot):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
        account_id, review_id, _ = _pending(county_org("4301"), verified=False)
    sign_in(page, live_server, app, admin)
    page.goto(f"{live_server}/console/reviews/{review_id}")
    assert "尚未通过实人认证" in page.locator("#approval-blocker").inner_text()
    assert page.locator("input[value=approve]").is_disabled()
    shot(page, "05-review-unverified")
    page.locator("input[value=approve]").evaluate("el => { el.disabled = false; el.checked = true; }")
    page.click("#decision-form button[type=submit]")
    assert "尚未通过实人认证" in page.locator(".flash.error").inner_text()
    with app.app_context():
        assert db.session.get(Account, account_id).status is AccountStatus.PENDING


def test_support_reviews_evidence_reruns_and_records_a_counter_verification(app, live_server, page, shot):
    engine = PassingFakeEngine()
    install_engine(app, engine)
    jobcontext.set_app(app)
    try:
        _support_journey(app, live_server, page, shot, engine)
    finally:
        install_engine(app, None)


def _support_journey(app, base, page, shot, engine) -> None:
    with app.app_context():
        staff = make_account(role=Role.SUPPORT, org_code=None).username
        person = make_account(status=AccountStatus.PENDING, verification=VerificationStatus.NONE)
        attempt_id, person_id = failed_attempt(person).id, person.id
        walk_in = make_account(status=AccountStatus.PENDING, verification=VerificationStatus.NONE)
        walk_in_name, walk_in_id = walk_in.username, walk_in.id
        walk_in_number = decrypt_id_number(walk_in.id_number_enc)
        start = db.session.scalar(select(func.max(AuditEvent.id))) or 0  # the log outlives each test
    sign_in(page, base, app, staff)
    assert page.locator("h1").inner_text() == "认证复核"
    shot(page, "06-support-list")
    page.click(f"a[href='/console/support/attempts/{attempt_id}']")
    images = page.locator(".evidence-images img")
    assert images.count() == 4
    for image in images.all():  # (wait_for_function would need 'unsafe-eval', which the CSP refuses)
        image.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        assert image.evaluate("i => i.complete && i.naturalWidth > 0")
    assert "430102****0011" in page.locator("#card-fields").inner_text()
    shot(page, "07-evidence")
    with app.app_context():
        views = select(func.count()).where(
            AuditEvent.action == "verification.image_view", AuditEvent.id > start
        )
        assert db.session.scalar(views) == 4
    page.click("#rerun-form button[type=submit]")
    assert "已提交重新认证" in page.locator(".flash.info").inner_text()
    with app.app_context():
        SimpleWorker([_queue()], connection=redis_store.client, serializer=JSONSerializer).work(burst=True)
    page.reload()
    assert engine.calls == 1 and page.locator("#attempt-status").inner_text() == "通过"
    with app.app_context():
        assert db.session.get(Account, person_id).verification_status is VerificationStatus.REAL_PERSON
    page.goto(f"{base}/console/support/counter")
    page.fill("#username", walk_in_name)
    page.fill("#real_name", "测试用户")
    page.fill("#id_number", walk_in_number)
    page.fill("#office", "省政务服务中心3号窗口")
    page.fill("#note", "本人持身份证原件到窗口,人证一致")
    page.click("#counter-form button[type=submit]")
    assert "已记录窗口核验" in page.locator(".flash.info").inner_text()
    shot(page, "08-counter")
    with app.app_context():
        assert db.session.get(Account, walk_in_id).verification_status is VerificationStatus.REAL_PERSON


def _queue():
    from service.verification.queue import verification_queue

    return verification_queue()


def test_a_post_without_the_csrf_token_is_refused(app, live_server, page):
    with app.app_context():
        admin = make_account(role=Role.CITY_ADMIN, city="430100").username
    sign_in(page, live_server, app, admin)
    page.locator("header form input[name=csrf_token]").evaluate("el => el.remove()")
    page.click("header form button[type=submit]")
    assert "页面已过期或请求来源不明" in page.content()
    page.goto(f"{live_server}/console/reviews")
    assert page.locator("h1").inner_text() == "待办审核"  # the logout did not happen


def test_province_admin_pages(app, live_server, page, shot):
    with app.app_context():
        admin = make_account(
            role=Role.PROVINCE_ADMIN, post=AdminPost.GONGAIBAN, org_code="reform_office"
        ).username
        make_account(org_code="drc", legacy=True, verification=VerificationStatus.NONE)
        failed_attempt(make_account(org_code="drc", legacy=True, verification=VerificationStatus.NONE))
        make_account(org_code="drc", legacy=True)
    sign_in(page, live_server, app, admin)
    page.click("text=工改牵头人员管理")
    assert "市州管理员配备情况" in page.content() and "长沙市" in page.content()
    shot(page, "09-city-admins")
    page.click("text=审计日志")
    page.click("text=校验哈希链完整性")
    assert "完整性校验通过" in page.locator("#chain-result").inner_text()
    shot(page, "10-audit")
    page.click("text=工作概况")
    assert page.locator("svg.chart rect").count() == 28
    shot(page, "11-dashboard")
    page.click("text=存量账号实人认证")
    assert "各地存量账号认证进度" in page.content()
    shot(page, "12-campaign")
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    page.click("text=用户权限管理")
    assert page.locator("table.grid").is_visible()
    shot(page, "13-accounts-tablet")
