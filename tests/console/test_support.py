"""Support's pages: evidence masked until an audited reveal, audited image views, decisions, and the
counter verification."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.accounts import Account, AccountStatus, Role, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from models.counter import CounterVerification
from service.platform.errors import Forbidden
from service.verification import counter
from tests.console.helpers import console_login, token_of
from tests.console.support_data import CARD_ADDRESS, CARD_NUMBER, failed_attempt, jpeg
from tests.factories import login, make_account


def _setup(app) -> tuple[str, int, int, list[int]]:
    with app.app_context():
        staff = make_account(role=Role.SUPPORT, org_code=None)
        person = make_account(status=AccountStatus.PENDING, verification=VerificationStatus.NONE)
        attempt = failed_attempt(person)
        return staff.username, person.id, attempt.id, [i.id for i in attempt.images]


@pytest.fixture
def actions(app):
    """The actions this test wrote about a target (the append-only log outlives each test)."""
    with app.app_context():
        start = db.session.scalar(select(func.max(AuditEvent.id))) or 0

    def read(target_id: int) -> list[str]:
        with app.app_context():
            query = select(AuditEvent.action).where(
                AuditEvent.target_id == str(target_id), AuditEvent.id > start
            )
            return list(db.session.scalars(query.order_by(AuditEvent.id)))

    return read


def test_evidence_is_masked_until_an_audited_reveal(app, client, actions):
    staff, _, attempt_id, _ = _setup(app)
    console_login(client, staff)
    page = client.get(f"/console/support/attempts/{attempt_id}").get_data(as_text=True)
    assert "430102****0011" in page and CARD_NUMBER not in page and CARD_ADDRESS not in page
    assert "人脸与身份证照片不一致" in page and "0.71" in page
    token = token_of(client, f"/console/support/attempts/{attempt_id}")
    revealed = client.post(f"/console/support/attempts/{attempt_id}/reveal",
                           data={"csrf_token": token, "reason": "用户来电核对证件信息"})  # fmt: skip
    html = revealed.get_data(as_text=True)
    assert CARD_NUMBER in html and CARD_ADDRESS in html
    assert "verification.reveal" in actions(attempt_id)
    assert CARD_NUMBER not in client.get(f"/console/support/attempts/{attempt_id}").get_data(as_text=True)


def test_api_support_list_masks_the_card_too(app, client):
    staff, _, _, _ = _setup(app)
    body = client.get("/api/v1/support/verifications", headers=login(client, staff)).get_json()
    assert CARD_NUMBER not in str(body) and CARD_ADDRESS not in str(body)
    assert body["items"][0]["evidence"]["front"]["fields"]["id_number"]["text"] == "430102****0011"


def test_each_image_view_is_audited(app, client, actions):
    staff, _, attempt_id, images = _setup(app)
    console_login(client, staff)
    response = client.get(f"/console/support/attempts/{attempt_id}/images/{images[0]}")
    assert response.status_code == 200 and response.data == jpeg(10)
    assert response.headers["Cache-Control"] == "no-store"
    assert actions(attempt_id).count("verification.image_view") == 1


def test_images_are_for_support_only(app, client):
    _, _, attempt_id, images = _setup(app)
    with app.app_context():
        admin = make_account(role=Role.PROVINCE_ADMIN, org_code="drc").username
    console_login(client, admin)
    assert client.get(f"/console/support/attempts/{attempt_id}/images/{images[0]}").status_code == 403


def test_manual_decision_is_final_and_overturn_is_separate(app, client, actions):
    staff, person_id, attempt_id, _ = _setup(app)
    console_login(client, staff)
    url = f"/console/support/attempts/{attempt_id}"
    token = token_of(client, url)
    client.post(f"{url}/decision", data={"csrf_token": token, "decision": "pass", "reason": "本人到场核实"})
    with app.app_context():
        assert db.session.get(Account, person_id).verification_status is VerificationStatus.REAL_PERSON
    again = client.post(f"{url}/decision", data={"csrf_token": token, "decision": "fail", "reason": "改主意"})
    assert "如需更改请另行改判" in client.get(again.headers["Location"]).get_data(as_text=True)
    client.post(f"{url}/overturn", data={"csrf_token": token, "reason": "发现冒用证件"})
    with app.app_context():
        assert db.session.get(Account, person_id).verification_status is VerificationStatus.NONE
    assert actions(attempt_id)[-2:] == ["verification.manual_pass", "verification.overturn"]


def _counter_form(token: str, username: str, number: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "username": username,
        "real_name": "测试用户",
        "id_number": number,
        "office": "省政务服务中心3号窗口",
        "document": "居民身份证原件",
        "note": "本人持证到窗口核验",
    }


def test_counter_verification_marks_the_account_verified(app, client, actions):
    with app.app_context():
        staff = make_account(role=Role.SUPPORT, org_code=None).username
        person = make_account(status=AccountStatus.PENDING, verification=VerificationStatus.NONE)
        name, person_id = person.username, person.id
        from service.platform.crypto import decrypt_id_number

        number = decrypt_id_number(person.id_number_enc)
    console_login(client, staff)
    token = token_of(client, "/console/support/counter")
    wrong = client.post("/console/support/counter", data=_counter_form(token, name, "430102198506150011"))
    assert wrong.status_code == 422 and "不一致" in wrong.get_data(as_text=True)
    right = client.post("/console/support/counter", data=_counter_form(token, name, number))
    assert right.status_code == 302
    with app.app_context():
        assert db.session.get(Account, person_id).verification_status is VerificationStatus.REAL_PERSON
        entry = db.session.scalar(select(CounterVerification))
        assert entry.office == "省政务服务中心3号窗口" and number not in str(vars(entry))
    assert actions(person_id)[-2:] == ["verification.counter_mismatch", "verification.counter"]


def test_staff_cannot_verify_themselves_at_the_counter(app):
    with app.test_request_context():
        staff = make_account(role=Role.SUPPORT, org_code=None, verification=VerificationStatus.NONE)
        form = counter.CounterForm(
            staff.username, "测试用户", "430102198506150011", "窗口", "居民身份证原件", "本人"
        )
        with pytest.raises(Forbidden) as refused:
            counter.record(staff, form)
        assert refused.value.reason == "counter_self"


def test_api_reveal_is_audited(app, client, actions):
    staff, _, attempt_id, _ = _setup(app)
    headers = login(client, staff)
    url = f"/api/v1/support/verifications/{attempt_id}/reveal"
    assert client.post(url, json={}, headers=headers).status_code == 422  # a reason is required
    body = client.post(url, json={"reason": "用户来电核对"}, headers=headers).get_json()
    assert body == {"id_number": CARD_NUMBER, "address": CARD_ADDRESS}
    assert actions(attempt_id)[-1] == "verification.reveal"
