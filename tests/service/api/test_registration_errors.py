"""Registration refuses bad input with a stable reason and a Chinese message per field."""

from __future__ import annotations

import pytest

from service.reference.seed import fictional_id_number
from tests.factories import make_account
from tests.service.api.test_registration_flow import registration_form, request_code


@pytest.mark.parametrize(
    ("override", "status", "reason", "field"),
    [
        ({"id_number": "110105194912310021"}, 422, "id_number_checksum", "id_number"),
        ({"id_number": "11010519491231002"}, 422, "id_number_format", "id_number"),
        ({"credit_code": "91350100M000100Y44"}, 422, "credit_code_checksum", "credit_code"),
        ({"credit_code": "91350100M000100Y43"}, 422, "credit_code_mismatch", "credit_code"),
        ({"organisation_id": 999999}, 422, "organisation_unknown", "organisation_id"),
        ({"sms_code": "wrong"}, 422, "sms_code_invalid", "sms_code"),
        ({"phone": "12345"}, 422, "validation_error", "phone"),
        ({"real_name": "Zhang San"}, 422, "validation_error", "real_name"),
        ({"password": "short"}, 422, "validation_error", "password"),
    ],
)
def test_bad_fields(app, client, override, status, reason, field):
    request_code(client)
    form = registration_form(app)
    if override.get("sms_code") == "wrong":  # any six digits but the code that was sent
        override = {"sms_code": f"{(int(form['sms_code']) + 1) % 10**6:06d}"}
    response = client.post("/api/v1/registrations", json={**form, **override})
    body = response.get_json()
    assert (response.status_code, body["reason"]) == (status, reason)
    assert field in body["errors"]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][field][0][:2])  # Chinese for people


def test_missing_field_message_is_chinese(app, client):
    request_code(client)
    form = registration_form(app)
    del form["department"]
    body = client.post("/api/v1/registrations", json=form).get_json()
    assert body["errors"]["department"] == ["此项为必填项"]


@pytest.mark.parametrize("field", ["role", "status", "verification_status", "legacy", "admin_region_code"])
def test_privileged_fields_cannot_be_assigned(app, client, field):
    request_code(client)
    body = client.post(
        "/api/v1/registrations", json={**registration_form(app), field: "province_admin"}
    ).get_json()
    assert body["reason"] == "validation_error"
    assert body["errors"][field] == ["不允许提交该字段"]


def test_registration_without_a_code_is_refused(app, client):
    form = {**_form_without_code(app), "sms_code": "123456"}
    body = client.post("/api/v1/registrations", json=form).get_json()
    assert body["reason"] == "sms_code_expired"


def _form_without_code(app):
    request_code(app.test_client(), phone="13700000000")
    form = registration_form(app, phone="13700000000")
    form["phone"] = "13812345678"  # a phone that was never sent a code
    return form


def test_username_taken(app, client):
    with app.app_context():
        make_account(username="zhangsan")
    request_code(client)
    response = client.post("/api/v1/registrations", json=registration_form(app))
    assert (response.status_code, response.get_json()["reason"]) == (409, "username_taken")


def test_id_number_already_has_a_live_account(app, client):
    request_code(client)
    client.post("/api/v1/registrations", json=registration_form(app))
    request_code(client, phone="13812345679")
    second = registration_form(
        app, phone="13812345679", username="zhangsan2", id_number=fictional_id_number(7)
    )
    response = client.post("/api/v1/registrations", json=second)
    assert (response.status_code, response.get_json()["reason"]) == (409, "id_number_registered")
