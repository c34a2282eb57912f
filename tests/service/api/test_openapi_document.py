"""The OpenAPI document is valid OpenAPI 3, a client can be generated from it and imported, and it says
what every operation needs and answers: security, errors in the envelope, summaries, status enums."""

from __future__ import annotations

import ast
import importlib
import json
import pathlib
import subprocess
import sys

import pytest
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from service.api.openapi import ANSWERS
from service.platform.reason_codes import ERROR_REASONS
from service.verification.reasons import MESSAGES

METHODS = ("get", "put", "post", "delete", "patch")
RAISERS = {
    "InvalidInput",
    "NotFound",
    "Conflict",
    "Unauthorized",
    "Forbidden",
    "TooManyRequests",
    "ServiceError",
    "PayloadTooLarge",
}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_the_document_is_valid_openapi_3(document):
    validate(document)  # raises OpenAPIValidationError with the offending part


def test_an_invalid_document_is_refused(document):
    broken = json.loads(json.dumps(document))
    broken["paths"]["/api/v1/me"]["get"]["responses"]["200"] = {"content": {}}  # no description
    with pytest.raises(OpenAPIValidationError, match="not valid"):
        validate(broken)


def test_a_client_is_generated_from_the_document_and_imports(document, tmp_path, monkeypatch):
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n", encoding="utf-8")  # no formatter run: offline and quick
    generator = pathlib.Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(source), "--meta", "none", "--fail-on-warning"]
    command += ["--output-path", str(tmp_path / "xjy_client"), "--config", str(config)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    package = importlib.import_module("xjy_client")
    assert package.AuthenticatedClient is not None
    reasons = importlib.import_module("xjy_client.api.reference.get_api_v1_reasons")
    error = importlib.import_module("xjy_client.models.error").Error
    parsed = error.from_dict({"code": 409, "status": "Conflict", "reason": "request_pending", "message": "…"})
    assert parsed.reason == "request_pending" and callable(reasons.sync)


def test_every_operation_states_its_security(document):
    schemes = set(document["components"]["securitySchemes"])
    assert {"bearerAuth", "oauth2ClientCredentials"} <= schemes
    for name, operation in operations(document):
        assert "security" in operation, name
        for requirement in operation["security"]:
            assert set(requirement) <= schemes, name


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("POST /api/v1/sms-codes", {"400", "413", "415", "422", "429"}),
        ("GET /api/v1/me", {"401", "403"}),
        ("GET /api/v1/admin/accounts/{account_id}", {"401", "403", "404"}),
        ("PUT /api/v1/verifications/{attempt_id}/card", {"401", "403", "404", "409", "413", "415", "422"}),
        ("GET /api/v1/accounts/{account_id}", {"304", "401", "403", "404"}),
    ],
)
def test_each_operation_lists_the_errors_it_answers(document, operation, expected):
    method, path = operation.split(" ")
    responses = document["paths"][path][method.lower()]["responses"]
    assert expected <= set(responses) and "default" not in responses


def test_every_error_response_is_the_envelope_with_a_reason(document):
    envelope = document["components"]["schemas"]["Error"]
    assert {"code", "status", "reason", "message"} <= set(envelope["required"])
    assert envelope["additionalProperties"] is True  # the gate's 403 adds its session
    for name, operation in operations(document):
        if name == "GET /readyz":  # a probe: its 503 body lists the checks
            continue
        for status, response in operation["responses"].items():
            if status[0] in "45":
                if "$ref" in response:
                    response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"].rsplit("/", 1)[-1] in ("Error", "Gate"), (name, status)


def test_every_operation_has_a_summary_and_a_description(document):
    missing = [
        name for name, op in operations(document) if not op.get("summary") or not op.get("description")
    ]
    assert missing == []


def test_the_answers_table_names_real_operations(document):
    assert set(ANSWERS) <= {name for name, _ in operations(document)}


def test_the_reason_catalogue_is_served_and_in_the_document(client, document):
    body = client.get("/api/v1/reasons").get_json()
    assert {r["reason"]: r["message"] for r in body["errors"]} == ERROR_REASONS
    assert {r["reason"]: r["message"] for r in body["verification"]} == MESSAGES
    operation = document["paths"]["/api/v1/reasons"]["get"]
    assert "`request_pending`" in operation["description"]
    assert operation["responses"]["200"]["content"]["application/json"]["example"] == body


def _raised_reasons() -> set[str]:
    """Every literal reason code the service's code raises or rate-limits with."""
    found: set[str] = set()
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in pathlib.Path("service").rglob("*.py")]
    raisers = set(RAISERS)  # and every subclass the service defines (e.g. the H5 handover's error)
    for _ in range(3):
        raisers |= {
            node.name
            for tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.ClassDef)
            and any(getattr(base, "id", getattr(base, "attr", "")) in raisers for base in node.bases)
        }
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in raisers:
                    first = node.args[0] if node.args else None
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        found.add(first.value)
                found.update(
                    k.value.value
                    for k in node.keywords
                    if k.arg == "reason"
                    and isinstance(k.value, ast.Constant)
                    and isinstance(k.value.value, str)
                )
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    targets = [getattr(t, "id", "") for t in getattr(item, "targets", ())]
                    if "reason" in targets and isinstance(getattr(item, "value", None), ast.Constant):
                        found.add(item.value.value)
    return found


def test_every_reason_the_code_raises_is_in_the_catalogue():
    missing = _raised_reasons() - set(ERROR_REASONS) - set(MESSAGES) - {"recent"}
    assert sorted(missing) == []


def test_every_operation_with_a_body_has_an_example_its_schema_accepts(document):
    for name, operation in operations(document):
        if "requestBody" not in operation:
            continue
        media_type, media = next(iter(operation["requestBody"]["content"].items()))
        if media_type == "multipart/form-data":
            continue  # files: the schema describes them, an example cannot carry them
        assert "example" in media, name
        schema = {"components": document["components"], **media["schema"]}
        OAS30Validator(schema).validate(media["example"])


def test_every_json_answer_has_an_example_its_schema_accepts(document):
    """Success answers carry an example made from their own schema, errors the envelope with a reason
    from the catalogue; each must validate against the schema it illustrates."""
    checked = 0
    for name, operation in operations(document):
        for status, response in operation["responses"].items():
            if "$ref" in response:
                response = document["components"]["responses"][response["$ref"].rpartition("/")[2]]
            for media_type, media in (response.get("content") or {}).items():
                if "json" not in media_type:
                    continue
                assert "example" in media or "examples" in media, f"{name} {status}"
                if "example" in media:
                    schema = {"components": document["components"], **media["schema"]}
                    OAS30Validator(schema).validate(media["example"])
                    checked += 1
    assert checked > 100


def test_an_error_example_names_a_catalogued_reason(document):
    example = document["components"]["responses"]["ERROR_404"]["content"]["application/json"]["example"]
    assert example["reason"] == "not_found" and example["code"] == 404
    assert example["message"] == ERROR_REASONS["not_found"]
