"""Logs: one JSON line per request with its request id (echoed, or made), route, status and duration
and no personal data; lines written in a job carry the RQ job id and the attempt id."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rq.job import Job

from service.platform import logs
from tests.factories import make_account
from tests.service.hall.test_hall_api import client_headers


@pytest.fixture
def lines():
    """The JSON lines written while the test runs (through the handler production uses)."""
    buffer = io.StringIO()
    handler = logs.make_handler("json")
    handler.setStream(buffer)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


def _requests(records: list[dict]) -> list[dict]:
    return [r for r in records if r["logger"] == "xjy.request"]


def test_a_request_writes_one_json_line_with_its_id_route_status_and_duration(client, lines):
    response = client.get("/healthz")
    [line] = _requests(lines())
    assert line["request_id"] == response.headers["X-Request-ID"] and len(line["request_id"]) == 32
    assert (line["method"], line["route"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float) and line["level"] == "INFO"


@pytest.mark.parametrize(
    ("sent", "kept"), [("hall-7f3a.01", True), ("x" * 65, False), ("bad id;drop", False), ("", False)]
)
def test_an_incoming_request_id_is_honoured_when_it_is_plain(client, lines, sent, kept):
    response = client.get("/healthz", headers={"X-Request-ID": sent})
    [line] = _requests(lines())
    assert (response.headers["X-Request-ID"] == sent) is kept
    assert line["request_id"] == response.headers["X-Request-ID"]


def test_a_line_carries_no_personal_data(app, client, lines):
    with app.app_context():
        person = make_account(org_code="430102-housing")
        phone, name, masked = person.phone, person.real_name, person.id_number_masked
    headers = client_headers(app, client, ["430000"])
    token = headers["Authorization"].split()[1]
    found = client.get(f"/api/v1/accounts?phone={phone}", headers=headers)
    assert found.status_code == 200 and found.get_json()["items"]
    client.get("/api/v1/accounts?id_number=430102199001011234", headers=headers)
    text = json.dumps(lines(), ensure_ascii=False)
    for secret in (phone, name, "430102199001011234", masked, token, "127.0.0.1"):
        assert secret not in text
    line = _requests(lines())[-1]
    assert line["route"] == "/api/v1/accounts" and line["client_id"].startswith("xjy_")


def test_an_unmatched_path_is_not_written(client, lines):
    client.get("/api/v1/nowhere/13912345678")
    [line] = _requests(lines())
    assert (line["route"], line["status"]) == ("<unmatched>", 404)


def test_an_error_line_has_the_exception_type_and_stack_without_its_message(lines):
    phone = "139" + "12345678"
    try:
        raise ValueError(f"{phone} refused")
    except ValueError:
        logging.getLogger("xjy.test").exception("failed")
    [line] = lines()
    assert line["exc_type"] == "ValueError" and "raise ValueError" in line["exc_stack"]
    assert phone not in json.dumps(line)


def _job_body(attempt_id: int) -> None:
    logs.bind_attempt(attempt_id)
    logging.getLogger("xjy.test").warning("job step")


def test_a_line_written_in_a_job_carries_the_job_id_and_the_attempt_id(app, lines):
    from service.platform.extensions import redis_store

    with app.app_context():
        job = Job.create(_job_body, args=(42,), id="verification-42", connection=redis_store.client)
    job.perform()
    [line] = lines()
    assert (line["job_id"], line["attempt_id"], line["msg"]) == ("verification-42", 42, "job step")


def test_the_text_format_is_readable(client):
    handler = logs.make_handler("text")
    buffer = io.StringIO()
    handler.setStream(buffer)
    logs.request_log.addHandler(handler)
    logs.request_log.setLevel(logging.INFO)
    try:
        client.get("/healthz", headers={"X-Request-ID": "abc"})
    finally:
        logs.request_log.removeHandler(handler)
        logs.request_log.setLevel(logging.NOTSET)
    assert "[request_id=abc] GET /healthz 200" in buffer.getvalue()
