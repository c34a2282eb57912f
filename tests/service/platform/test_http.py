"""The edge: ids bounded to the database's range, bodies of a known type, JSON bounded before parsing.

The requests here are the ones a tester saw answer 500 (issue: hardening); each must answer 4xx
with a stable reason.
"""

from __future__ import annotations

import pytest

from models.accounts import Role, VerificationStatus
from models.base import MAX_ID
from service.platform.http import JSON_MAX_DEPTH, json_depth
from tests.factories import login, make_account

HUGE = ("99999999999999999999999", "9223372036854775808", str(MAX_ID + 1))


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="admin_edge", org_code=None)
    return login(client, "admin_edge")


@pytest.fixture
def person(app, client):
    with app.app_context():
        make_account(username="person_edge", verification=VerificationStatus.REAL_PERSON)
    return login(client, "person_edge")


def test_a_deeply_nested_json_body_is_refused_before_parsing(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/sms-codes", data=body, content_type="application/json")
    assert (response.status_code, response.get_json()["reason"]) == (400, "json_too_deep")


def test_a_json_body_within_the_depth_limit_is_parsed(client):
    body = '{"phone": "13900000000", "purpose": "register", "x": ' + "[" * 20 + "]" * 20 + "}"
    response = client.post("/api/v1/sms-codes", data=body, content_type="application/json")
    assert response.get_json()["reason"] == "validation_error"  # parsed, then the unknown field refused


def test_an_oversized_json_body_is_refused(client):
    body = '{"phone": "' + "1" * 300_000 + '"}'
    response = client.post("/api/v1/sms-codes", data=body, content_type="application/json")
    assert (response.status_code, response.get_json()["reason"]) == (413, "payload_too_large")


def test_a_body_of_another_type_is_415(client):
    response = client.post("/api/v1/sms-codes", data="phone=13900000000", content_type="text/plain")
    assert (response.status_code, response.get_json()["reason"]) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("text", "depth"),
    [(b"{}", 1), (b'{"a": [1, {"b": []}]}', 4), (b'"[[[["', 0), (b'["\\"[[", [[]]]', 3), (b"1", 0)],
)
def test_json_depth_ignores_brackets_inside_strings(text, depth):
    assert json_depth(text, JSON_MAX_DEPTH) == depth


def test_a_huge_organisation_id_in_a_registration_is_422(client):
    form = {
        "phone": "13900000001",
        "sms_code": "123456",
        "real_name": "张三",
        "id_number": "430102198506150011",
        "credit_code": "12430000MB0000000X",
        "organisation_id": 99999999999999999999999,
        "department": "科室",
        "position": "科员",
        "username": "zhangsan",
        "password": "a long passphrase",
    }
    response = client.post("/api/v1/registrations", json=form)
    assert response.status_code == 422 and "organisation_id" in response.get_json()["errors"]


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_in_paths_are_not_found(client, admin, person, number):
    for url, headers in (
        (f"/api/v1/verifications/{number}", person),
        (f"/api/v1/admin/reviews/{number}", admin),
        (f"/api/v1/admin/accounts/{number}", admin),
        (f"/api/v1/admin/accounts/{number}/certificates", admin),
    ):
        response = client.get(url, headers=headers)
        assert (response.status_code, response.get_json()["reason"]) == (404, "not_found"), url
    response = client.post(
        f"/api/v1/admin/accounts/{number}/reactivation", json={"reason": "x"}, headers=admin
    )
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "4611686018427387904", "100001"])
def test_pages_past_the_bound_are_422(client, admin, page):
    for url in ("/api/v1/admin/reviews", "/api/v1/admin/accounts"):
        response = client.get(f"{url}?page={page}", headers=admin)
        assert (response.status_code, response.get_json()["reason"]) == (422, "validation_error"), url


def test_every_integer_a_client_sends_is_bounded_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    unbounded = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", []) + operations.get("parameters", []):
                schema = param.get("schema", {})
                if schema.get("type") == "integer" and "maximum" not in schema:
                    unbounded.append(f"{method} {path} {param['name']}")
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                ref = media.get("schema", {}).get("$ref", "")
                for name, prop in schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}).items():
                    if (
                        prop.get("type") == "integer"
                        and prop.get("readOnly") is not True
                        and "maximum" not in prop
                    ):
                        unbounded.append(f"{method} {path} body.{name}")
    assert unbounded == []


def test_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/sms-codes")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert response.get_json()["reason"] == "method_not_allowed"
