"""The H5 capture flow end to end in headless Chromium, with a fake camera, screenshots of each
step to tests/artifacts/. The first test drives the steps with a fake engine (fast); the slow ones
run the real engine on a generated card and real footage played as the camera."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from models.accounts import AccountStatus, VerificationStatus
from models.base import db
from service.accounts.registration import build_account
from service.platform import jobcontext
from service.verification import attempts
from service.verification.engine import install_engine
from tests.console.helpers import solve
from tests.factories import PASSWORD, make_account, org
from tests.h5 import footage
from tests.service.api.test_verifications import FakeEngine, run_worker, scoped

pytestmark = pytest.mark.browser
BRIDGE = "window.XjyVerification = {postMessage: function (m) { sessionStorage.setItem('bridge', m); }};"


def open_verification(page, base: str, client, headers: dict[str, str]) -> None:
    """What the app does: hand the token over for a code, open the page with it in the fragment."""
    code = client.post("/h5/handover", headers=headers).get_json()["code"]
    page.goto(f"{base}/h5/verify#code={code}")
    page.locator("#step-consent").wait_for(state="visible")
    assert "code=" not in page.url  # the page took the code out of the address bar


def consent(page, shot, name: str) -> None:
    assert page.locator("#consent-go").is_disabled()
    shot(page, f"h5-{name}-01-consent")
    page.check("#consent-box")
    page.click("#consent-go")
    page.locator("#step-card").wait_for(state="visible")


def upload_card(page, front: bytes, back: bytes) -> None:
    page.set_input_files("#file-front", {"name": "front.jpg", "mimeType": "image/jpeg", "buffer": front})
    page.set_input_files("#file-back", {"name": "back.jpg", "mimeType": "image/jpeg", "buffer": back})
    page.click("#card-go")


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), (shade, 90, 160)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def fake_engine(app):
    engine = FakeEngine()
    install_engine(app, engine)
    jobcontext.set_app(app)
    yield engine
    install_engine(app, None)


def test_the_steps_from_consent_to_the_app_being_told(app, client, live_server, phone, shot, fake_engine,
                                                      monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "H5_RETURN_URL", f"{live_server}/healthz")
    with app.app_context():
        account_id = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    page = phone(None)  # Chromium's own moving test pattern as the camera
    page.add_init_script(BRIDGE)
    open_verification(page, live_server, client, scoped(app, account_id))
    consent(page, shot, "steps")
    fake_engine.precheck_reasons = {"back": ("wrong_side",)}
    upload_card(page, jpeg(10), jpeg(20))
    page.locator("#error-back").wait_for(state="visible")
    wrong_side = "国徽面: 身份证正反面上传错误,请按提示上传人像面和国徽面"
    assert page.locator("#error-back").inner_text() == wrong_side
    assert page.locator("#error-front").is_hidden()
    shot(page, "h5-steps-02-reshoot")
    fake_engine.precheck_reasons = {}
    page.set_input_files("#file-back", {"name": "back2.jpg", "mimeType": "image/jpeg", "buffer": jpeg(30)})
    page.click("#card-go")
    page.locator("#card-reading").wait_for(state="visible")
    run_worker(app)  # the read_cards job; its event reaches the page through the stream
    page.locator("#check-go").wait_for(state="visible")
    assert page.locator("dd[data-field=id_number]").inner_text() == "430120****0011"
    assert page.locator("dd[data-field=name]").inner_text() == "测试用户"
    shot(page, "h5-steps-03-check")
    page.click("#check-go")
    page.click("#live-go")
    page.locator("#prompt-text").wait_for(state="visible")
    shot(page, "h5-steps-04-liveness")
    page.locator("#step-result").wait_for(state="visible", timeout=30000)
    run_worker(app)
    page.wait_for_url("**/healthz?status=passed*")
    assert '"status":"passed"' in page.evaluate("sessionStorage.getItem('bridge')")
    (call,) = fake_engine.calls
    frames = call["live"]
    assert len(frames) == 2 + 3 * len(call["challenge"]) and all(f[:3] == b"\xff\xd8\xff" for f in frames)
    assert Image.open(io.BytesIO(frames[0])).size == (640, 480)


def test_the_demo_entry_logs_in_and_opens_the_page(app, live_server, phone, monkeypatch):
    monkeypatch.setitem(app.config, "H5_DEMO_LOGIN", True)
    with app.app_context():
        username = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).username
    page = phone(None)
    page.goto(f"{live_server}/h5/")
    page.wait_for_load_state("networkidle")  # the captcha image came
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.route("**/api/v1/sessions", lambda route: route.continue_(post_data=_solved(app, route)))
    page.fill("#captcha", "x")
    page.click("#demo-login button[type=submit]")
    page.locator("#step-consent").wait_for(state="visible")
    assert page.url.endswith("/h5/verify")


def _solved(app, route) -> str:
    """The login request with its captcha answered (the test cannot read the image)."""
    import json

    body = json.loads(route.request.post_data)
    body["captcha"] = solve(app, body["captcha_id"])
    return json.dumps(body)


@pytest.fixture
def card_holder(app, monkeypatch):
    """The real engine, an account declaring the identity printed on a generated card carrying the
    footage's face, and the footage's challenge (test-only: the service draws it at random)."""
    person, front, back = footage.card_of_the_man()
    with app.app_context():
        account = build_account(
            username="h5_person", password=None, phone="13911113333", real_name=person.name,
            id_number=person.number, status=AccountStatus.PENDING, organisation=org("430102-housing"),
        )  # fmt: skip
        db.session.commit()
        account_id = account.id
    install_engine(app, None)
    jobcontext.set_app(app)
    monkeypatch.setattr(attempts, "new_challenge", lambda: footage.CAP13[0])
    return account_id, front, back


def run_through(app, client, base, page, shot, name: str, account_id: int, front: bytes, back: bytes) -> None:
    """Consent, the real card (pre-checked and read by the real engine), 请核对, the face step."""
    open_verification(page, base, client, scoped(app, account_id))
    consent(page, shot, name)
    upload_card(page, front, back)
    page.locator("#card-reading").wait_for(state="visible")
    run_worker(app)
    page.locator("#check-go").wait_for(state="visible")
    assert re.fullmatch(r"\d{6}\*{4}\d{3}[\dX]", page.locator("dd[data-field=id_number]").inner_text())
    shot(page, f"h5-{name}-02-check")
    page.click("#check-go")
    page.click("#live-go")
    page.locator("#step-result").wait_for(state="visible", timeout=30000)
    run_worker(app)
    # The page shows each event as it comes (queued, running, then the end): wait for a final status.
    final = re.compile(r"^(passed|failed|needs_review|error|expired)$")
    expect(page.locator("body")).to_have_attribute("data-status", final, timeout=30000)


@pytest.mark.slow
def test_the_card_holder_passes_with_the_pages_own_frames(app, client, live_server, phone, shot, card_holder,
                                                          tmp_path):  # fmt: skip
    account_id, front, back = card_holder
    page = phone(footage.performing(tmp_path / "performing.y4m")[1])
    run_through(app, client, live_server, page, shot, "real", account_id, front, back)
    shot(page, "h5-real-03-result")
    assert page.locator("body").get_attribute("data-status") == "passed", page.locator("main").inner_text()
    assert "已完成实名实人认证" in page.locator("#result-text").inner_text()
    with app.app_context():
        from models.accounts import Account

        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


@pytest.mark.slow
def test_a_still_photo_as_the_camera_fails_liveness(app, client, live_server, phone, shot, card_holder,
                                                    tmp_path):  # fmt: skip
    account_id, front, back = card_holder
    page = phone(footage.still(tmp_path / "still.y4m"))
    run_through(app, client, live_server, page, shot, "still", account_id, front, back)
    shot(page, "h5-still-03-result")
    assert page.locator("body").get_attribute("data-status") == "failed"
    assert "未检测到真人动作,请勿使用照片或视频翻拍" in page.locator("#result-reasons").inner_text()
    assert page.locator("#result-again").is_visible()
