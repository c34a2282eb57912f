"""The verification flow through the API and the real queue (Redis + an in-process rq worker), with
a fake engine standing in for idverify; tests/service/verification/test_golden_verification.py runs the
real engine."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field

import pytest
from PIL import Image
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import select, text

from idverify.types import (
    CardResult,
    CardsResult,
    FaceMatchResult,
    FieldValue,
    PrecheckResult,
    Problem,
    Severity,
    Side,
    VerificationResult,
)
from models.accounts import Account, Role, VerificationStatus
from models.base import db
from models.verifications import AttemptStatus, VerificationAttempt, VerificationImage
from service.auth.sessions import open_session
from service.platform import jobcontext as context
from service.platform.extensions import redis_store
from service.verification.engine import CardInputs, EngineInputs, install_engine
from service.verification.queue import VERIFICATION_QUEUE
from tests.factories import login, make_account


@dataclass
class FakeEngine:
    """A fake engine (not idverify): records its inputs and answers with canned outcomes."""

    ok: bool = True
    reasons: tuple[str, ...] = ()
    review: tuple[str, ...] = ()
    crash: bool = False
    precheck_reasons: dict[str, tuple[str, ...]] = field(default_factory=dict)
    card_reasons: tuple[str, ...] = ()
    calls: list = field(default_factory=list)
    card_calls: list = field(default_factory=list)
    precheck_threads: list = field(default_factory=list)

    def precheck(self, data: bytes, side: str) -> PrecheckResult:
        self.precheck_threads.append(threading.get_ident())
        reasons = self.precheck_reasons.get(side, ())
        return PrecheckResult(not reasons, reasons, Side(side))

    def read_cards(self, inputs: CardInputs) -> CardsResult:
        self.card_calls.append(inputs)
        front = CardResult(
            not self.card_reasons,
            Side.FRONT,
            Side.FRONT,
            self.card_reasons,
            {
                "name": FieldValue("name", "测试用户", 0.99),
                "id_number": FieldValue("id_number", "430120198506150011", 0.99),
            },
        )
        back = CardResult(True, Side.BACK, Side.BACK, ())
        problems = tuple(Problem(r, Severity.FAIL, Side.FRONT, None) for r in self.card_reasons)
        return CardsResult(front, back, None, self.card_reasons, (), (), problems)

    def verify(self, inputs: EngineInputs) -> VerificationResult:
        card = inputs.card
        self.calls.append(
            {
                "front": card.front,
                "back": card.back,
                "live": inputs.live,
                "challenge": inputs.challenge,
                "declared_name": card.declared_name,
                "cards_read": inputs.cards is not None,
            }
        )
        if self.crash:
            raise ConnectionError("engine host went away")
        face = FaceMatchResult(self.ok, (), 0.31, 0.5, 1)
        problems = tuple(Problem(r, Severity.REVIEW, Side.FRONT, "id_number") for r in self.review)
        return VerificationResult(
            self.ok and not self.review, self.reasons, None, None, face, None, {}, self.review, (), problems
        )


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 90, 160)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture
def engine(app):
    fake = FakeEngine()
    install_engine(app, fake)
    context.set_app(app)
    yield fake
    install_engine(app, None)


def run_worker(app) -> None:
    with app.app_context():
        from service.verification.queue import verification_queue

        SimpleWorker([verification_queue()], connection=redis_store.client, serializer=JSONSerializer).work(
            burst=True
        )


def scoped(app, account_id: int) -> dict[str, str]:
    """A verification-scoped session, as the login gate hands to an unverified account."""
    with app.test_request_context():
        token, _ = open_session(db.session.get(Account, account_id), "password", scope="verification")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def person(app):
    with app.app_context():
        account = make_account(org_code="430102-housing", verification=VerificationStatus.NONE)
        return account.id, scoped(app, account.id)


def start(client, headers):
    response = client.post("/api/v1/verifications", json={"consent": True}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def submit(client, headers, attempt_id, frames=4):
    card = client.put(
        f"/api/v1/verifications/{attempt_id}/card",
        data={"front": (io.BytesIO(jpeg(10)), "front.jpg"), "back": (io.BytesIO(jpeg(20)), "back.jpg")},
        headers=headers,
    )
    assert card.status_code == 200, card.get_json()
    files = {"frames": [(io.BytesIO(jpeg(30 + i)), f"f{i}.jpg") for i in range(frames)]}
    return client.post(f"/api/v1/verifications/{attempt_id}/liveness", data=files, headers=headers)


def test_pass_marks_the_account_real_person_verified(app, client, engine, person):
    account_id, headers = person
    attempt = start(client, headers)
    assert 2 <= len(attempt["challenge"]) <= 3 and attempt["status"] == "created"
    queued = submit(client, headers, attempt["id"])
    assert queued.status_code == 202 and queued.get_json()["status"] == "queued"
    run_worker(app)
    current = client.get("/api/v1/verifications/current", headers=headers).get_json()
    assert (current["status"], current["account_verification_status"]) == ("passed", "real_person")
    call = engine.calls[0]
    assert (call["front"], call["back"], call["live"][0]) == (jpeg(10), jpeg(20), jpeg(30))
    assert list(call["challenge"]) == attempt["challenge"] and call["declared_name"] == "测试用户"
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


def test_failure_gives_reasons_in_chinese_and_no_scores(app, client, engine, person):
    engine.ok, engine.reasons = False, ("face_mismatch", "quality_blur")
    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert body["status"] == "failed"
    assert body["reasons"] == [
        {"reason": "face_mismatch", "message": "人脸与身份证照片不一致"},
        {"reason": "quality_blur", "message": "照片模糊,请对焦后重新拍摄"},
    ]
    assert "evidence" not in body and "0.31" not in str(body)


def test_consent_is_required_before_biometrics(client, person):
    _, headers = person
    response = client.post("/api/v1/verifications", json={"consent": False}, headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (422, "consent_required")


def test_uploads_are_sniffed_by_content(client, person):
    _, headers = person
    attempt = start(client, headers)
    response = client.put(
        f"/api/v1/verifications/{attempt['id']}/card",
        data={
            "front": (io.BytesIO(b"%PDF-1.7 not a photo"), "front.jpg"),
            "back": (io.BytesIO(jpeg(1)), "b.jpg"),
        },
        headers=headers,
    )
    assert (response.status_code, response.get_json()["reason"]) == (422, "image_format_unsupported")


def test_frame_count_and_order_of_steps(client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    early = client.post(
        f"/api/v1/verifications/{attempt['id']}/liveness",
        data={"frames": [(io.BytesIO(jpeg(i)), f"{i}.jpg") for i in range(4)]},
        headers=headers,
    )
    assert early.get_json()["reason"] == "card_images_missing"
    too_few = submit(client, headers, attempt["id"], frames=3)
    assert (too_few.status_code, too_few.get_json()["reason"]) == (422, "liveness_frame_count")


def test_daily_limit_counts_submissions_and_says_when_it_resets(client, engine, person):
    _, headers = person
    for _ in range(5):
        assert submit(client, headers, start(client, headers)["id"]).status_code == 202
    response = client.post("/api/v1/verifications", json={"consent": True}, headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (429, "verification_attempts_exceeded")
    assert 0 < int(response.headers["Retry-After"]) <= 86400  # until midnight in China


def test_abandoned_starts_use_up_no_submission(client, engine, person):
    _, headers = person
    for _ in range(7):
        start(client, headers)  # started and walked away from
    assert submit(client, headers, start(client, headers)["id"]).status_code == 202


def test_starts_are_limited_on_their_own(client, person):
    _, headers = person
    for _ in range(10):
        start(client, headers)
    response = client.post("/api/v1/verifications", json={"consent": True}, headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (429, "verification_starts_exceeded")


def test_uploads_are_encrypted_at_rest(app, client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    with app.app_context():
        blobs = db.session.execute(text("SELECT sealed FROM verification_images")).scalars().all()
    assert len(blobs) == 6
    assert not any(bytes(b).find(b"JFIF") >= 0 or bytes(b).startswith(b"\xff\xd8") for b in blobs)


def test_someone_elses_attempt_is_not_found(app, client, person):
    _, headers = person
    attempt = start(client, headers)
    with app.app_context():
        other = make_account(org_code="430102-housing", verification=VerificationStatus.NONE).id
    assert client.get(f"/api/v1/verifications/{attempt['id']}", headers=scoped(app, other)).status_code == 404


def test_the_job_is_idempotent(app, client, engine, person):
    from service.verification.jobs import verify_attempt

    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    assert verify_attempt(attempt["id"]) == "passed"
    assert len(engine.calls) == 1


def test_a_lost_job_is_found_by_the_sweeper(app, client, engine, person):
    from service.verification import queue

    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    with app.app_context():
        redis_store.client.delete(f"rq:queue:{VERIFICATION_QUEUE}", f"rq:job:verification-{attempt['id']}")
    run_worker(app)
    assert engine.calls == []  # nothing on the queue: the job was lost
    with app.app_context():
        assert queue.sweep(0) == [attempt["id"]]
    run_worker(app)
    assert (
        client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["status"] == "passed"
    )


def test_a_crashing_engine_ends_in_error_after_retries(app, client, engine, person):
    engine.crash = True
    app.config["VERIFY_RETRY_INTERVALS"] = [0, 0]
    try:
        _, headers = person
        attempt = start(client, headers)
        submit(client, headers, attempt["id"])
        run_worker(app)
    finally:
        app.config["VERIFY_RETRY_INTERVALS"] = [5, 30]
    assert len(engine.calls) == 3
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert body["status"] == "error" and body["reasons"][0]["reason"] == "engine_error"


@pytest.fixture
def support(app, client):
    with app.app_context():
        make_account(
            role=Role.SUPPORT, org_code=None, username="kefu", verification=VerificationStatus.REAL_PERSON
        )
    return login(client, "kefu")


def test_support_reruns_a_failed_attempt(app, client, engine, person, support):
    account_id, headers = person
    engine.ok, engine.reasons = False, ("engine_timeout_like",)
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    failed = client.get("/api/v1/support/verifications?status=failed", headers=support).get_json()
    assert [row["id"] for row in failed["items"]] == [attempt["id"]]
    assert failed["items"][0]["evidence"]["face"]["distance"] == 0.31  # support sees the evidence
    engine.ok, engine.reasons = True, ()
    rerun = client.post(f"/api/v1/support/verifications/{attempt['id']}/rerun", headers=support)
    assert rerun.status_code == 202 and rerun.get_json()["rerun_of_id"] == attempt["id"]
    run_worker(app)
    assert engine.calls[1]["front"] == jpeg(10)  # the same uploads
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


def test_support_decides_by_hand_with_a_reason(app, client, engine, person, support):
    account_id, headers = person
    engine.ok, engine.reasons = False, ("face_mismatch",)
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    url = f"/api/v1/support/verifications/{attempt['id']}/decision"
    assert client.post(url, json={"decision": "pass"}, headers=support).status_code == 422
    decided = client.post(url, json={"decision": "pass", "reason": "已线下核验身份证原件"}, headers=support)
    assert decided.get_json()["manual_reason"] == "已线下核验身份证原件"
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


def test_only_support_reaches_the_evidence(app, client):
    with app.app_context():
        make_account(username="plain", verification=VerificationStatus.REAL_PERSON)
    assert client.get("/api/v1/support/verifications", headers=login(client, "plain")).status_code == 403


def test_images_are_purged_after_retention(app, client, engine, person, support):
    import datetime as dt

    from service.verification import storage

    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    with app.app_context():
        row = db.session.get(VerificationAttempt, attempt["id"])
        row.finished_at = row.finished_at - dt.timedelta(days=31)
        db.session.commit()
        assert storage.purge_images(30) == 1
        assert db.session.scalars(select(VerificationImage)).all() == []
        assert db.session.get(VerificationAttempt, attempt["id"]).status is AttemptStatus.PASSED
    refused = client.post(f"/api/v1/support/verifications/{attempt['id']}/rerun", headers=support)
    assert refused.get_json()["reason"] == "verification_images_purged"


def test_support_can_overturn_a_pass(app, client, engine, person, support):
    account_id, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    url = f"/api/v1/support/verifications/{attempt['id']}/decision"
    response = client.post(url, json={"decision": "fail", "reason": "经核查系他人冒用"}, headers=support)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.NONE
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # its sessions ended


def test_consent_must_be_json_true(client, person):
    _, headers = person
    for value in ("yes", "true", 1):
        response = client.post("/api/v1/verifications", json={"consent": value}, headers=headers)
        assert response.status_code == 422, value


def test_a_pass_shows_the_person_no_failure_reasons(app, client, engine, person, support):
    """A decision by hand passes a failed attempt: the person sees a pass and no failure reasons,
    support still sees the engine's."""
    engine.ok, engine.reasons = False, ("field_unreadable",)
    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    url = f"/api/v1/support/verifications/{attempt['id']}"
    client.post(f"{url}/decision", json={"decision": "pass", "reason": "已线下核验原件"}, headers=support)
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert (body["status"], body["reasons"], body["problems"]) == ("passed", [], [])
    evidence = client.get(url, headers=support).get_json()
    assert [r["reason"] for r in evidence["reasons"]] == ["field_unreadable"]  # support still sees them


def test_an_attempt_past_its_deadline_reads_as_expired(app, client, engine, person, support):
    import datetime as dt

    _, headers = person
    attempt = start(client, headers)
    with app.app_context():
        row = db.session.get(VerificationAttempt, attempt["id"])
        row.challenge_expires_at = row.challenge_expires_at - dt.timedelta(hours=1)
        db.session.commit()
    listed = client.get("/api/v1/support/verifications?status=expired", headers=support).get_json()
    assert [row["id"] for row in listed["items"]] == [attempt["id"]]
    body = client.get("/api/v1/verifications/current", headers=headers).get_json()
    assert (body["status"], body["reasons"][0]["reason"]) == ("expired", "challenge_expired")
    files = {"frames": [(io.BytesIO(jpeg(30 + i)), f"f{i}.jpg") for i in range(4)]}
    late = client.post(f"/api/v1/verifications/{attempt['id']}/liveness", data=files, headers=headers)
    assert (late.status_code, late.get_json()["reason"]) == (409, "challenge_expired")


def test_a_decision_is_final_and_an_overturn_is_its_own_act(app, client, engine, person, support):
    account_id, headers = person
    engine.ok, engine.reasons = False, ("face_mismatch",)
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    base = f"/api/v1/support/verifications/{attempt['id']}"
    early = client.post(f"{base}/overturn", json={"reason": "无决定可改"}, headers=support)
    assert (early.status_code, early.get_json()["reason"]) == (409, "verification_not_decided")
    assert (
        client.post(
            f"{base}/decision", json={"decision": "pass", "reason": "已线下核验"}, headers=support
        ).status_code
        == 200
    )
    again = client.post(f"{base}/decision", json={"decision": "fail", "reason": "改主意"}, headers=support)
    assert (again.status_code, again.get_json()["reason"]) == (409, "verification_already_decided")
    overturned = client.post(f"{base}/overturn", json={"reason": "复核发现系冒用"}, headers=support)
    assert overturned.status_code == 200
    assert (overturned.get_json()["status"], overturned.get_json()["manual_decision"]) == ("failed", "fail")
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.NONE
        actions = db.session.scalars(
            text(
                "SELECT action FROM audit_events WHERE target_type = 'verification' AND target_id = :id "
                "ORDER BY id"
            ).bindparams(id=str(attempt["id"]))
        ).all()
    assert actions[-2:] == ["verification.manual_pass", "verification.overturn"]


def test_timestamps_carry_their_offset(client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    assert attempt["created_at"].endswith("+00:00") and attempt["challenge_expires_at"].endswith("+00:00")


def test_an_attempt_whose_lease_ran_out_is_revived_whatever_redis_says(
    app, client, engine, person, monkeypatch
):
    """A worker killed mid-job leaves the attempt running and its job 'started' in Redis: the
    database's lease decides, and the sweeper takes the attempt back."""
    import datetime as dt

    from rq.job import JobStatus

    from service.verification import queue

    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    with app.app_context():
        row = db.session.get(VerificationAttempt, attempt["id"])
        row.status, row.started_at = AttemptStatus.RUNNING, row.queued_at  # claimed, then the worker died
        row.queued_at = row.started_at = row.queued_at - dt.timedelta(hours=1)
        db.session.commit()
        monkeypatch.setattr(queue, "job_status", lambda attempt_id: JobStatus.STARTED)
        assert queue.sweep(120) == [attempt["id"]]
        assert db.session.get(VerificationAttempt, attempt["id"]).status is AttemptStatus.QUEUED
    monkeypatch.undo()
    run_worker(app)
    assert (
        client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["status"] == "passed"
    )


def test_a_fresh_running_attempt_with_a_live_job_is_left_alone(app, client, engine, person, monkeypatch):
    from rq.job import JobStatus

    from service.verification import queue

    _, headers = person
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    with app.app_context():
        monkeypatch.setattr(queue, "job_status", lambda attempt_id: JobStatus.STARTED)
        assert queue.sweep(0) == []


@pytest.fixture
def redis_down(app):
    """Redis unreachable for the app: its client and its rate limiter point at a closed port."""
    from limits.storage import RedisStorage
    from limits.strategies import MovingWindowRateLimiter
    from redis import Redis

    saved = {key: app.extensions.get(key) for key in ("xjy_redis", "xjy_limiter")}
    app.extensions["xjy_redis"] = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    app.extensions["xjy_limiter"] = MovingWindowRateLimiter(RedisStorage("redis://127.0.0.1:1/0"))
    yield
    app.extensions.update(saved)


def test_with_redis_down_an_upload_is_kept_and_finished_later(app, client, engine, person, redis_down):
    from service.verification import queue

    _, headers = person
    down = (app.extensions["xjy_redis"], app.extensions["xjy_limiter"])
    app.extensions["xjy_redis"], app.extensions["xjy_limiter"] = None, None  # started while Redis was up
    attempt = start(client, headers)
    app.extensions["xjy_redis"], app.extensions["xjy_limiter"] = down
    response = submit(client, headers, attempt["id"])
    assert (response.status_code, response.get_json()["status"]) == (202, "queued")
    captcha = client.get("/api/v1/captchas")
    assert (captcha.status_code, captcha.get_json()["reason"]) == (503, "service_unavailable")
    body = {"phone": "13900000000", "purpose": "register", "captcha_id": "x", "captcha": "ABCD"}
    sms = client.post("/api/v1/sms-codes", json=body)
    assert sms.status_code == 503 and sms.headers["Retry-After"]
    app.extensions["xjy_redis"], app.extensions["xjy_limiter"] = None, None  # Redis is back
    with app.app_context():
        assert queue.sweep(0) == [attempt["id"]]
    run_worker(app)
    assert (
        client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["status"] == "passed"
    )


def put_card(client, headers, attempt_id, front=None, back=None):
    files = {
        "front": (io.BytesIO(front or jpeg(10)), "front.jpg"),
        "back": (io.BytesIO(back or jpeg(20)), "back.jpg"),
    }
    return client.put(f"/api/v1/verifications/{attempt_id}/card", data=files, headers=headers)


def test_the_precheck_names_the_side_and_the_problem(client, engine, person):
    _, headers = person
    engine.precheck_reasons = {"back": ("wrong_side",)}
    attempt = start(client, headers)
    response = put_card(client, headers, attempt["id"])
    body = response.get_json()
    assert (response.status_code, body["reason"]) == (422, "wrong_side")
    assert body["message"].startswith("国徽面") and list(body["errors"]) == ["back"]
    assert client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["uploaded"] == []


def test_a_side_refused_twice_in_a_row_goes_on_to_the_card_read(app, client, engine, person):
    """The pre-check judges from a few measures and may refuse a card the reader reads (a scanner
    app's output, a card unlike any measured): the person must not be stuck. After two refusals of
    a side in a row its next photo goes on to the card read, the reason kept as a warning."""
    _, headers = person
    engine.precheck_reasons = {"back": ("quality_glare_fields",)}
    attempt = start(client, headers)
    for _ in range(2):
        response = put_card(client, headers, attempt["id"])
        assert (response.status_code, response.get_json()["reason"]) == (422, "quality_glare_fields")
    response = put_card(client, headers, attempt["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["card"]["status"] == "reading"
    assert [(p["reason"], p["severity"], p["side"]) for p in body["problems"]] == [
        ("quality_glare_fields", "warning", "back")
    ]
    assert body["problems"][0]["message"].startswith("国徽面")
    run_worker(app)  # the read decides, and its own problems replace the warning
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert (body["card"]["status"], body["problems"]) == ("read", [])


def test_the_refusals_count_again_once_a_side_is_accepted(app, client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    engine.precheck_reasons = {"front": ("quality_blur",)}
    assert put_card(client, headers, attempt["id"]).status_code == 422
    engine.precheck_reasons = {}
    assert put_card(client, headers, attempt["id"]).status_code == 200
    engine.precheck_reasons = {"front": ("quality_blur",)}
    for _ in range(2):  # two refusals in a row again before any is let through
        assert put_card(client, headers, attempt["id"], front=jpeg(12)).status_code == 422
    assert put_card(client, headers, attempt["id"], front=jpeg(12)).status_code == 200


def test_a_side_let_through_beside_a_refused_one_keeps_its_count(app, client, engine, person):
    """Nothing is stored while one side is refused: the other side, let through in that upload,
    is let through again next time rather than refused twice more."""
    _, headers = person
    attempt = start(client, headers)
    engine.precheck_reasons = {"back": ("wrong_side",)}
    for _ in range(2):
        assert put_card(client, headers, attempt["id"]).status_code == 422
    engine.precheck_reasons = {"back": ("wrong_side",), "front": ("quality_blur",)}
    response = put_card(client, headers, attempt["id"])
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["front"])
    engine.precheck_reasons = {"back": ("wrong_side",)}
    assert put_card(client, headers, attempt["id"]).status_code == 200


def test_a_file_that_cannot_be_decoded_is_never_let_through(app, client, engine, person):
    _, headers = person
    engine.precheck_reasons = {"front": ("image_corrupt",)}
    attempt = start(client, headers)
    for _ in range(4):
        response = put_card(client, headers, attempt["id"])
        assert (response.status_code, response.get_json()["reason"]) == (422, "image_corrupt")


def test_refusals_are_never_let_through_when_switched_off(app, client, engine, person):
    app.config["VERIFY_PRECHECK_REFUSALS"] = 0
    try:
        _, headers = person
        engine.precheck_reasons = {"back": ("wrong_side",)}
        attempt = start(client, headers)
        for _ in range(4):
            assert put_card(client, headers, attempt["id"]).status_code == 422
    finally:
        app.config["VERIFY_PRECHECK_REFUSALS"] = 2


def test_under_gevent_the_precheck_runs_off_the_loop(client, engine, person, monkeypatch):
    """A gevent worker serves every connection on one thread: the pre-check (which may read print)
    runs on the process's worker thread (service.platform.offload), and its answer is the same."""
    monkeypatch.setattr("service.platform.offload.gevent_sockets", lambda: True)
    _, headers = person
    engine.precheck_reasons = {"front": ("quality_blur",)}
    attempt = start(client, headers)
    response = put_card(client, headers, attempt["id"])
    assert (response.status_code, response.get_json()["reason"]) == (422, "quality_blur")
    assert len(engine.precheck_threads) == 2 and threading.get_ident() not in engine.precheck_threads


def test_the_cards_are_read_early_and_shown_for_checking(app, client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    stored = put_card(client, headers, attempt["id"]).get_json()
    assert stored["card"] == {"status": "reading", "fields": {}}
    run_worker(app)
    card = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["card"]
    assert card["status"] == "read" and card["fields"]["name"] == "测试用户"
    assert card["fields"]["id_number"] == "430120****0011"  # masked even for its owner
    submit(client, headers, attempt["id"])
    run_worker(app)
    assert len(engine.card_calls) == 1 and engine.calls[-1]["cards_read"] is True  # read once, used later


def test_a_card_that_fails_its_read_is_retaken_before_the_face_step(app, client, engine, person):
    _, headers = person
    engine.card_reasons = ("id_number_checksum",)
    attempt = start(client, headers)
    put_card(client, headers, attempt["id"])
    run_worker(app)
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert body["card"]["status"] == "failed"
    assert body["problems"][0]["side"] == "front" and body["problems"][0]["message"].startswith("人像面")
    files = {"frames": [(io.BytesIO(jpeg(30 + i)), f"f{i}.jpg") for i in range(4)]}
    early = client.post(f"/api/v1/verifications/{attempt['id']}/liveness", data=files, headers=headers)
    assert (early.status_code, early.get_json()["reason"]) == (409, "card_read_failed")
    engine.card_reasons = ()
    put_card(client, headers, attempt["id"], front=jpeg(11))  # retaken
    run_worker(app)
    assert (
        client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()["card"]["status"]
        == "read"
    )
    assert submit(client, headers, attempt["id"]).status_code == 202


def test_a_doubtful_identity_field_goes_to_support_not_to_fail(app, client, engine, person, support):
    account_id, headers = person
    engine.review = ("id_number_uncertain",)
    attempt = start(client, headers)
    submit(client, headers, attempt["id"])
    run_worker(app)
    body = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert (body["status"], [r["reason"] for r in body["reasons"]]) == (
        "needs_review",
        ["id_number_uncertain"],
    )
    assert "人工审核" in body["reasons"][0]["message"]
    listed = client.get("/api/v1/support/verifications?status=needs_review", headers=support).get_json()
    assert [row["id"] for row in listed["items"]] == [attempt["id"]]
    url = f"/api/v1/support/verifications/{attempt['id']}/decision"
    client.post(url, json={"decision": "pass", "reason": "核对身份证原件号码无误"}, headers=support)
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


@pytest.mark.slow
@pytest.mark.parametrize("case", ["tiny", "truncated", "front_as_back"])
def test_the_real_precheck_refuses_at_upload(app, client, person, case):
    """Through the real engine's pre-check: what used to be accepted and fail only after liveness."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "gen_idcards", Path(__file__).resolve().parents[3] / "scripts" / "gen_idcards.py"
    )
    gen = importlib.util.module_from_spec(spec)
    sys.modules["gen_idcards"] = gen
    spec.loader.exec_module(gen)
    front, back = (s.jpeg for s in gen.generate(1, seed=5, degradations=("clean",)))
    install_engine(app, None)
    _, headers = person
    attempt = start(client, headers)
    upload = {
        "tiny": (_tiny_jpeg(), back),
        "truncated": (front[: len(front) // 3], back),
        "front_as_back": (front, front),
    }[case]
    response = put_card(client, headers, attempt["id"], *upload)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["reason"] in {
        "image_too_small",
        "image_corrupt",
        "wrong_side",
        "card_not_found",
    }
    good = put_card(client, headers, attempt["id"], front, back)
    assert good.status_code == 200, good.get_json()


def _tiny_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 200, 200)).save(buf, format="JPEG")
    return buf.getvalue()


def _bomb_png(side: int = 6300) -> bytes:
    """A 1-bit PNG that is a few KB on the wire and ``side``² pixels once decoded."""
    buf = io.BytesIO()
    Image.new("1", (side, side), 0).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def test_a_liveness_frame_is_held_to_a_frame_s_pixels_before_decoding(app, client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    assert put_card(client, headers, attempt["id"]).status_code == 200
    bomb = _bomb_png()
    assert len(bomb) < 20_000
    files = {"frames": [(io.BytesIO(bomb), f"f{i}.png") for i in range(12)]}
    response = client.post(f"/api/v1/verifications/{attempt['id']}/liveness", data=files, headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (422, "image_too_large_pixels")
    assert engine.calls == []


def test_an_upload_whose_header_cannot_be_read_is_refused(client, engine, person):
    _, headers = person
    attempt = start(client, headers)
    broken = jpeg(10)[:12]  # the JPEG signature, then nothing
    response = put_card(client, headers, attempt["id"], front=broken)
    assert (response.status_code, response.get_json()["reason"]) == (422, "image_corrupt")
