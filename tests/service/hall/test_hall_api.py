"""The web hall's reads through a service client: scope by region, masking, ETags and 304, the batch."""

from __future__ import annotations

import pytest

from models.accounts import VerificationStatus
from service.clients import registry
from tests.factories import make_account
from tests.service.clients.test_oauth import get_token

ALL = ["accounts:read", "verifications:read", "events:read"]


def client_headers(app, client, regions, scopes=ALL) -> dict[str, str]:
    with app.app_context():
        issued = registry.create_client("办事大厅", scopes, regions)
        client_id = issued.client.client_id
    token = get_token(client, client_id, issued.secret).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(app):
    with app.app_context():
        changsha = make_account(org_code="430102-housing", username="cs_person")
        zhuzhou = make_account(org_code="430202-housing", username="zz_person")
        province = make_account(org_code="drc", username="prov_person", verification=VerificationStatus.NONE)
        return {"changsha": changsha.id, "zhuzhou": zhuzhou.id, "province": province.id}


def test_a_client_sees_only_accounts_in_its_regions(app, client, people):
    changsha = client_headers(app, client, ["430100"])
    assert client.get(f"/api/v1/accounts/{people['changsha']}", headers=changsha).status_code == 200
    for other in ("zhuzhou", "province"):
        response = client.get(f"/api/v1/accounts/{people[other]}", headers=changsha)
        assert (response.status_code, response.get_json()["reason"]) == (404, "not_found"), other
    whole = client_headers(app, client, ["430000"])
    assert all(client.get(f"/api/v1/accounts/{i}", headers=whole).status_code == 200 for i in people.values())


def test_the_record_is_masked_and_carries_no_score(app, client, people):
    headers = client_headers(app, client, ["430000"])
    body = client.get(f"/api/v1/accounts/{people['changsha']}", headers=headers).get_json()
    assert "****" in body["account"]["id_number"] and "****" in body["account"]["phone"]
    assert body["verification"]["status"] == "real_person" and body["grants"] == []
    state = client.get(
        f"/api/v1/accounts/{people['province']}/verification-status", headers=headers
    ).get_json()
    assert (state["verification"]["status"], state["attempt"], state["reasons"]) == ("none", None, [])


def test_polls_revalidate_with_a_strong_etag(app, client, people):
    headers = client_headers(app, client, ["430000"])
    url = f"/api/v1/accounts/{people['changsha']}/verification-status"
    first = client.get(url, headers=headers)
    assert first.headers["Cache-Control"] == "private, no-cache" and not first.headers["ETag"].startswith(
        "W/"
    )
    again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    with app.app_context():
        from models.accounts import Account
        from models.base import db
        from service.verification.lifecycle import set_account_verification

        set_account_verification(db.session.get(Account, people["changsha"]), VerificationStatus.NONE)
        db.session.commit()
    changed = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("held", ["W/{}", '"other", {}', "*"])
def test_if_none_match_compares_weakly(app, client, people, held):
    """A proxy that compresses answers weakens their ETags (nginx: W/"..."); RFC 9110 compares
    If-None-Match weakly, so a poller behind one still gets its 304s, on every ETag'd read."""
    headers = client_headers(app, client, ["430000"])
    for url in (
        f"/api/v1/accounts/{people['changsha']}/verification-status",
        f"/api/v1/accounts/{people['changsha']}",
        "/api/v1/accounts?username=cs_person",
    ):
        etag = client.get(url, headers=headers).headers["ETag"]
        again = client.get(url, headers={**headers, "If-None-Match": held.format(etag)})
        assert (again.status_code, again.headers.get("ETag")) == (304, etag), url


def test_lookup_by_username_phone_or_full_id_number(app, client, people):
    headers = client_headers(app, client, ["430000"])
    found = client.get("/api/v1/accounts?username=cs_person", headers=headers).get_json()["items"]
    assert [a["id"] for a in found] == [people["changsha"]]
    refused = client.get("/api/v1/accounts?username=cs_person&phone=13900000000", headers=headers)
    assert refused.status_code == 422
    fragment = client.get("/api/v1/accounts?id_number=430120", headers=headers)
    assert fragment.status_code == 422  # an ID number is found only whole, through its keyed hash


def test_the_batch_answers_what_is_in_scope_and_names_the_rest(app, client, people):
    headers = client_headers(app, client, ["430100"])
    ids = [people["changsha"], people["zhuzhou"], 2_000_000_000]
    body = client.post(
        "/api/v1/verification-status/batch", json={"account_ids": ids}, headers=headers
    ).get_json()
    assert [i["account_id"] for i in body["items"]] == [people["changsha"]]
    assert body["missing"] == sorted(ids[1:])
    too_many = client.post(
        "/api/v1/verification-status/batch", json={"account_ids": list(range(1, 502))}, headers=headers
    )
    assert too_many.status_code == 422


def test_a_person_token_is_not_a_client_token(app, client, people):
    from tests.factories import login

    person = login(client, "cs_person")
    response = client.get(f"/api/v1/accounts/{people['changsha']}", headers=person)
    assert (response.status_code, response.get_json()["reason"]) == (401, "client_token_invalid")
