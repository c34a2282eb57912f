"""Every message a person can see is Chinese, marshmallow's and webargs' defaults included."""

from __future__ import annotations

import re

import pytest

from service.platform.errors import localize

CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages(errors):
    if isinstance(errors, dict):
        for value in errors.values():
            yield from _messages(value)
    elif isinstance(errors, list):
        for value in errors:
            yield from _messages(value)
    else:
        yield errors


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Missing data for required field.", "此项为必填项"),
        ("Longer than maximum length 500.", "长度不能超过500个字符"),
        ("Must be one of: pass, fail.", "须为以下之一: pass, fail"),
        ("Not a valid integer.", "须为整数"),
        ("Invalid JSON body.", "请求内容不是有效的 JSON"),
        ("A message nobody wrote a translation for", "取值不符合要求"),
        ("请填写原因", "请填写原因"),
    ],
)
def test_localize(english, chinese):
    assert localize({"field": [english]}) == {"field": [chinese]}


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/sms-codes", {}),
        ("post", "/api/v1/sms-codes", {"phone": 13900000000, "purpose": "x" * 600}),
        ("post", "/api/v1/sms-codes", "{not json"),
        ("post", "/api/v1/registrations", {"organisation_id": "abc", "extra": 1}),
        ("get", "/api/v1/regions?parent=999999", None),
        ("get", "/api/v1/matters?stage=nope", None),
        ("get", "/api/v1/organisations?region=000000", None),
    ],
)
def test_validation_errors_reach_people_in_chinese(client, method, url, body):
    if isinstance(body, str):
        response = client.post(url, data=body, content_type="application/json")
    else:
        response = getattr(client, method)(url, json=body) if body is not None else client.get(url)
    payload = response.get_json()
    assert response.status_code in (400, 422), payload
    assert CJK.search(payload["message"])
    for message in _messages(payload.get("errors", {})):
        assert CJK.search(message), message


def test_an_unknown_filter_is_422_not_an_empty_list(client):
    response = client.get("/api/v1/matters?project_type=nope")
    assert (response.status_code, response.get_json()["reason"]) == (422, "filter_unknown")
