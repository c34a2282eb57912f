"""An upload is the files its schema names and nothing else: an unknown file or a text part beside
them is refused with 422 before anything is stored."""

from __future__ import annotations

import io

import pytest

from tests.service.api.test_verifications import jpeg, person, start  # noqa: F401 (fixture)


def _card(extra: dict) -> dict:
    return {"front": (io.BytesIO(jpeg(10)), "front.jpg"), "back": (io.BytesIO(jpeg(20)), "back.jpg"), **extra}


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"note": "hello"}, "upload_field_unknown"),
        ({"selfie": (io.BytesIO(b"x"), "selfie.jpg")}, "validation_error"),
    ],
)
def test_extra_multipart_fields_on_the_card_are_refused(client, person, extra, reason):  # noqa: F811
    _, headers = person
    attempt = start(client, headers)
    response = client.put(f"/api/v1/verifications/{attempt['id']}/card", data=_card(extra), headers=headers)
    body = response.get_json()
    assert (response.status_code, body["reason"]) == (422, reason)
    assert set(body["errors"]) == {next(iter(extra))}
    current = client.get(f"/api/v1/verifications/{attempt['id']}", headers=headers).get_json()
    assert current["uploaded"] == []
