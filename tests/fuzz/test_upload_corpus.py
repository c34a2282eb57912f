"""The image fuzz corpus through the upload endpoints: every case answers with a reason (4xx) or is
accepted, never a 5xx. Card photos go through the real pre-check at upload."""

from __future__ import annotations

import io

import pytest

from tests.fuzz.corpus import corpus
from tests.service.api.test_verifications import engine, person, run_worker, start  # noqa: F401

pytestmark = pytest.mark.slow  # the real pre-check (its OCR detector)
CASES = sorted(corpus())


def _files(field: str, data: bytes, count: int = 1) -> dict:
    return {field: [(io.BytesIO(data), f"{field}{i}.jpg") for i in range(count)]}


def _send(client, method: str, url: str, files: dict, headers: dict):
    """A multipart request; the test client spools bodies over 500 KB to a temporary file that it
    leaves open: closed here (filterwarnings=error turns the ResourceWarning into a failure)."""
    response = client.open(url, method=method, data=files, headers=headers)
    response.request.environ["wsgi.input"].close()
    return response


def _assert_reasoned(response) -> None:
    body = response.get_json()
    assert response.status_code < 500, body
    if response.status_code >= 400:
        assert body["reason"] and body["message"], body


@pytest.fixture
def roomy(app, monkeypatch):
    """One attempt per case: the daily and start limits are not what is tested here."""
    monkeypatch.setitem(app.config, "VERIFY_DAILY_SUBMISSIONS_PER_ACCOUNT", 1000)
    monkeypatch.setitem(app.config, "VERIFY_DAILY_SUBMISSIONS_PER_ID_NUMBER", 1000)
    monkeypatch.setitem(app.config, "VERIFY_START_LIMIT", "1000/hour")
    return app


def test_card_uploads_answer_every_case_with_a_reason(roomy, client, person):  # noqa: F811
    _, headers = person
    answers = {}
    for name in CASES:
        attempt = start(client, headers)
        data = corpus()[name]
        files = {"front": (io.BytesIO(data), "front.jpg"), "back": (io.BytesIO(data), "back.jpg")}
        response = _send(client, "PUT", f"/api/v1/verifications/{attempt['id']}/card", files, headers)
        _assert_reasoned(response)
        answers[name] = (response.status_code, (response.get_json() or {}).get("reason"))
    assert answers["bomb_png_1bit_12000x12000"] == (422, "image_too_large_pixels")
    assert answers["fifty_mb_jpeg"] == (413, "payload_too_large")
    assert answers["html"] == answers["svg"] == answers["gif"] == (422, "image_format_unsupported")


def test_liveness_uploads_answer_every_case_with_a_reason(roomy, client, person, engine):  # noqa: F811
    """Frames are checked at upload (type, bytes, pixels from the header); what they decode to in the job
    is idverify's part (test_idverify_corpus runs check_liveness on every case)."""
    _, headers = person
    card = corpus()["exif_orientation_1"]
    answers = {}
    for name in CASES:
        attempt = start(client, headers)
        uploaded = client.put(
            f"/api/v1/verifications/{attempt['id']}/card",
            data={"front": (io.BytesIO(card), "f.jpg"), "back": (io.BytesIO(card), "b.jpg")},
            headers=headers,
        )
        assert uploaded.status_code == 200, uploaded.get_json()
        run_worker(roomy)  # the card read (fake)
        data = corpus()[name]
        count = 4 if len(data) < 1024 * 1024 else 1  # one 50 MB frame is enough
        url = f"/api/v1/verifications/{attempt['id']}/liveness"
        live = _send(client, "POST", url, _files("frames", data, count), headers)
        _assert_reasoned(live)
        answers[name] = (live.status_code, (live.get_json() or {}).get("reason"))
    assert answers["bomb_png_1bit_6300x6300"] == (422, "image_too_large_pixels")  # 39.7 MP > 8.4 MP a frame
    assert answers["exif_orientation_6"][0] == answers["cmyk_jpeg"][0] == 202
    assert answers["html"] == (422, "image_format_unsupported")
