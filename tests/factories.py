"""Factories for accounts and logins. Every ID number is fictional (see seed.fictional_id_number)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from sqlalchemy import select

from models.accounts import Account, AccountStatus, AdminPost, Role, VerificationStatus
from models.base import db, utcnow
from models.organisations import Organisation
from models.sms import SmsOutboxMessage
from models.verifications import AttemptStatus, VerificationAttempt
from service.accounts.registration import build_account
from service.reference.seed import fictional_id_number

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
# Factory accounts are born from 1970 on, a new day every 500 accounts; tests that write a form by hand use
# fictional_id_number's default birth date (1985), so the two never collide whatever order tests run in.
_FACTORY_BIRTH = dt.date(1970, 1, 1)


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
    verification: VerificationStatus = VerificationStatus.REAL_PERSON,
    **extra: Any,
) -> Account:
    """Add and commit an account (call inside an app context).

    Real-person verified by default, so it passes the login gate; gate tests pass
    ``verification=VerificationStatus.NONE``.
    """
    n = next(_seq)
    account = build_account(
        username=username or f"user{n:05d}",
        password=password,
        phone=f"139{n:08d}",
        real_name="测试用户",
        id_number=fictional_id_number(n, birth=_FACTORY_BIRTH + dt.timedelta(days=n // 500)),
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


CAPTCHA_ANSWER = "TEST"


def solve_captcha(client) -> dict[str, str]:
    """Fetch a captcha through the API and solve it the test's way.

    The answer is stored only as a keyed hash, so the test cannot read it back: it overwrites the
    stored hash of this captcha id with that of a known answer (keeping the TTL). Nothing in the
    service lets a client do this.
    """
    from service.auth.captcha import _digest, _key
    from service.platform.extensions import redis_store

    response = client.get("/api/v1/captchas")
    assert response.status_code == 200, response.get_json()
    captcha_id = response.get_json()["captcha_id"]
    with client.application.app_context():
        redis_store.client.set(_key(captcha_id), _digest(captcha_id, CAPTCHA_ANSWER), keepttl=True)
    return {"captcha_id": captcha_id, "captcha": CAPTCHA_ANSWER}


def request_sms_code(client, phone: str, purpose: str, **environ):
    """POST /api/v1/sms-codes with a solved captcha (as every send needs); returns the raw response.
    ``environ`` reaches the WSGI environ, e.g. ``REMOTE_ADDR``."""
    body = {"phone": phone, "purpose": purpose, **solve_captcha(client)}
    return client.post("/api/v1/sms-codes", json=body, environ_overrides=environ or None)


def password_login(client, username: str, password: str = PASSWORD):
    """POST a password login with a solved captcha; returns the raw response."""
    body = {"method": "password", "username": username, "password": password, **solve_captcha(client)}
    return client.post("/api/v1/sessions", json=body)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in with a password and captcha; the account must pass the gate (a full session)."""
    response = password_login(client, username, password)
    assert response.status_code == 201, response.get_json()
    return bearer(response.get_json()["token"])


def latest_sms_code(app, phone: str) -> str | None:
    """The newest code the outbox backend "sent" to ``phone`` (the tests' handset), or None."""
    with app.app_context():
        text = db.session.scalar(
            select(SmsOutboxMessage.text)
            .where(SmsOutboxMessage.phone == phone)
            .order_by(SmsOutboxMessage.id.desc())
        )
    return re.search(r"\d{6}", text).group() if text else None


def make_attempt(
    account: Account, status: AttemptStatus = AttemptStatus.CREATED, **fields: Any
) -> VerificationAttempt:
    """A verification attempt of ``account`` (consent given, a two-action challenge valid for ten
    minutes, unless ``fields`` say otherwise) with ``fields`` set on it; added and flushed, not
    committed."""
    now = utcnow()
    defaults = {
        "challenge": ["blink", "nod"],
        "challenge_expires_at": now + dt.timedelta(minutes=10),
        "consent_at": now,
        "consent_version": "test",
    }
    attempt = VerificationAttempt(account_id=account.id, status=status, **{**defaults, **fields})
    db.session.add(attempt)
    db.session.flush()
    return attempt
