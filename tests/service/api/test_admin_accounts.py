"""The admin account list (用户权限管理): searchable, masked, paginated, within scope."""

from __future__ import annotations

import re

from models.accounts import Role, VerificationStatus
from tests.factories import login, make_account


def setup(app):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin")
        ids = [
            make_account(
                org_code="430102-housing", username=f"clerk{i}", verification=VerificationStatus.NONE
            ).id
            for i in range(25)
        ]
        make_account(org_code="430181-drc", username="liuyang", verification=VerificationStatus.REAL_PERSON)
    return ids


def test_pages_and_masking(app, client):
    setup(app)
    headers = login(client, "csadmin")
    page = client.get("/api/v1/admin/accounts?page=2&page_size=10", headers=headers).get_json()
    assert (page["total"], page["pages"], len(page["items"])) == (26, 3, 10)
    row = page["items"][0]
    assert re.fullmatch(r"\d{6}\*{4}[\dX]{4}", row["id_number"]) and re.fullmatch(
        r"1\d{2}\*{4}\d{4}", row["phone"]
    )


def test_search_by_username_fragment_and_organisation(app, client):
    setup(app)
    headers = login(client, "csadmin")
    found = client.get("/api/v1/admin/accounts?q=liuy", headers=headers).get_json()
    assert [r["username"] for r in found["items"]] == ["liuyang"]
    by_org = client.get("/api/v1/admin/accounts?q=浏阳市", headers=headers).get_json()
    assert [r["username"] for r in by_org["items"]] == ["liuyang"]


def test_search_by_full_id_number_uses_the_lookup_hash(app, client):
    from sqlalchemy import select

    from models.accounts import Account
    from models.base import db
    from service.platform.crypto import decrypt_id_number

    setup(app)
    headers = login(client, "csadmin")
    with app.app_context():
        sealed = db.session.scalar(select(Account.id_number_enc).where(Account.username == "liuyang"))
        number = decrypt_id_number(sealed)
    rows = client.get(f"/api/v1/admin/accounts?q={number}", headers=headers).get_json()["items"]
    assert [r["username"] for r in rows] == ["liuyang"]
    partial = client.get(f"/api/v1/admin/accounts?q={number[:10]}", headers=headers).get_json()["items"]
    assert partial == []  # ID numbers are never matched by fragment


def test_filter_by_verification_status(app, client):
    setup(app)
    headers = login(client, "csadmin")
    verified = client.get(
        "/api/v1/admin/accounts?verification_status=real_person", headers=headers
    ).get_json()
    assert [r["username"] for r in verified["items"]] == ["liuyang"]
