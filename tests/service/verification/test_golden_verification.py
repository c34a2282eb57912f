"""Golden end-to-end runs on the real engine (PP-OCR through rapidocr, dlib face models): a
generated (fictional) ID card carrying a real public test photo, and a synthetic liveness sequence
made from another real photo of the same person or of somebody else. Slow: seconds per test."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.accounts import AccountStatus, VerificationStatus
from models.base import db
from service.accounts.registration import build_account
from service.platform import jobcontext as context
from service.verification.engine import install_engine
from tests.factories import org
from tests.service.api.test_verifications import run_worker, scoped, start

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_idcards", ROOT / "scripts" / "gen_idcards.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_idcards"] = module
    spec.loader.exec_module(module)
    return module


def photo(stem: str) -> np.ndarray:
    return np.asarray(Image.open(ROOT / "tests" / "fixtures" / "faces" / f"{stem}.jpg").convert("RGB"))


@pytest.fixture
def applicant(app, gen):
    """An account whose declared identity is the one printed on its generated card (Obama's face)."""
    rng = np.random.default_rng(2026)
    person = gen.make_identity(rng)
    portrait = gen.portraits()[
        [p.stem for p in sorted((ROOT / "tests/fixtures/faces").glob("*.jpg"))].index("obama")
    ]
    front = gen.to_jpeg(gen.degrade(gen.render_front(person, portrait, rng), "clean", rng), 88)
    back = gen.to_jpeg(gen.degrade(gen.render_back(person, rng), "clean", rng), 88)
    with app.app_context():
        account = build_account(
            username="golden", password=None, phone="13911112222", real_name=person.name,
            id_number=person.number, status=AccountStatus.PENDING, organisation=org("430102-housing"),
        )  # fmt: skip
        db.session.commit()
        account_id = account.id
    context.set_app(app)
    install_engine(app, None)  # the real engine
    return account_id, scoped(app, account_id), front, back, rng


def submit(client, headers, front, back, frames):
    """Start an attempt, upload the card, then the frames ``frames(challenge)`` makes; returns its id."""
    attempt = start(client, headers)
    client.put(
        f"/api/v1/verifications/{attempt['id']}/card",
        data={"front": (io.BytesIO(front), "front.jpg"), "back": (io.BytesIO(back), "back.jpg")},
        headers=headers,
    )
    jpegs = frames(attempt["challenge"])
    files = {"frames": [(io.BytesIO(j), f"{n}.jpg") for n, j in enumerate(jpegs)]}
    response = client.post(f"/api/v1/verifications/{attempt['id']}/liveness", data=files, headers=headers)
    assert response.status_code == 202, response.get_json()
    return attempt["id"]


def acting(gen, rng, stem):
    """Synthetic frames of the real photo ``stem`` performing the challenge."""
    return lambda challenge: gen.frames_to_jpeg(gen.make_sequence(photo(stem), challenge, rng))


def outcome(client, headers, attempt_id):
    body = client.get(f"/api/v1/verifications/{attempt_id}", headers=headers).get_json()
    return body["status"], [r["reason"] for r in body["reasons"]]


def test_the_card_holder_passes(app, client, gen, applicant):
    from models.accounts import Account

    account_id, headers, front, back, rng = applicant
    # obama3: a second real photo of the card holder, facing the camera as the app frames a selfie.
    attempt_id = submit(client, headers, front, back, acting(gen, rng, "obama3"))
    run_worker(app)
    assert outcome(client, headers, attempt_id) == ("passed", [])
    with app.app_context():
        assert db.session.get(Account, account_id).verification_status is VerificationStatus.REAL_PERSON


def test_somebody_else_in_front_of_the_camera_fails(app, client, gen, applicant):
    _, headers, front, back, rng = applicant
    attempt_id = submit(client, headers, front, back, acting(gen, rng, "biden"))
    run_worker(app)
    status, reasons = outcome(client, headers, attempt_id)
    assert status == "failed" and "face_mismatch" in reasons


def test_a_still_photo_fails_liveness(app, client, gen, applicant):
    _, headers, front, back, rng = applicant
    still = gen.selfie_frame(photo("obama3"))
    attempt_id = submit(client, headers, front, back, lambda challenge: gen.frames_to_jpeg([still] * 8))
    run_worker(app)
    status, reasons = outcome(client, headers, attempt_id)
    assert status == "failed" and {"liveness_static", "liveness_challenge_failed"} & set(reasons)


def test_the_worker_command_runs_the_job_in_a_forked_child(app, client, gen, applicant):
    """`flask worker --burst` as operators run it: models loaded once, jobs forked, outcome in the DB."""
    import os
    import subprocess

    from tests.conftest import TEST_KEYS

    _, headers, front, back, rng = applicant
    attempt_id = submit(client, headers, front, back, acting(gen, rng, "biden"))
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        **{f"XJY_{k}": v for k, v in TEST_KEYS.items()},
    }
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "service", "worker", "--burst"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "正在加载 OCR 与人脸模型" in done.stdout
    status, reasons = outcome(client, headers, attempt_id)
    assert status == "failed" and "face_mismatch" in reasons
