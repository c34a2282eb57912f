"""Factories for accounts and logins. Every ID number is fictional (see seed.fictional_id_number)."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from models.accounts import Account, AccountStatus, AdminPost, Role, VerificationStatus
from models.base import db
from models.organisations import Organisation
from service.accounts import build_account
from service.seed import fictional_id_number

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def org(code: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.code == code))
    assert found is not None, code
    return found


def make_account(
    *,
    role: Role = Role.APPROVER,
    org_code: str | None = "drc",
    status: AccountStatus = AccountStatus.ACTIVE,
    city: str | None = None,
    post: AdminPost | None = None,
    password: str | None = PASSWORD,
    username: str | None = None,
    verification: VerificationStatus = VerificationStatus.NONE,
    **extra: Any,
) -> Account:
    """Add and commit an account (call inside an app context)."""
    n = next(_seq)
    account = build_account(
        username=username or f"user{n:05d}",
        password=password,
        phone=f"139{n:08d}",
        real_name="测试用户",
        id_number=fictional_id_number(n),
        role=role,
        status=status,
        organisation=org(org_code) if org_code and role is not Role.CITY_ADMIN else None,
        department="审批科",
        position="科员",
        admin_post=post,
        admin_region_code=city,
        **extra,
    )
    account.verification_status = verification
    db.session.commit()
    return account


def login(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/sessions", json={"username": username, "password": password})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
