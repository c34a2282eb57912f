"""Certificate (CA USB-key) login with real keys made in the test: RSA (PKCS#1 v1.5 and PSS), ECDSA
P-256 and SM2-with-SM3; wrong keys, replayed and expired challenges, expired and untrusted
certificates."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from sqlalchemy import select

from models.accounts import Account, Role, VerificationStatus
from models.base import db
from service.auth import certificate_login
from service.platform.extensions import redis_store
from tests.factories import login, make_account

KINDS = ("rsa", "ec-p256", "sm2")


@pytest.fixture
def bundle(app, authority, tmp_path, monkeypatch):
    """The service trusts one test CA of each key kind."""
    path = tmp_path / "ca-bundle.pem"
    path.write_bytes(b"".join(authority(kind).pem for kind in KINDS))
    monkeypatch.setitem(app.config, "CA_BUNDLE_PATH", str(path))
    return path


def challenge(client, leaf, ca_client, **name):
    body = name or {"fingerprint": ca_client.fingerprint(leaf.pem)}
    response = client.post("/api/v1/certificate-challenges", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def answer(client, issued, key, scheme=None):
    scheme = (
        scheme or {"rsa": "rsa-pkcs1v15-sha256", "ec-p256": "ecdsa-p256-sha256", "sm2": "sm2-sm3"}[key.kind]
    )
    signature = key.sign(base64.b64decode(issued["nonce"]), scheme)
    return client.post(
        "/api/v1/sessions",
        json={
            "method": "certificate",
            "challenge_id": issued["challenge_id"],
            "signature": base64.b64encode(signature).decode(),
            "scheme": scheme,
        },
    )


def registered(app, client, ca_client, authority, kind, **account):
    """A user with a certificate registered by itself after a password login."""
    with app.app_context():
        make_account(username="li", **account)
    leaf = ca_client.issue_leaf(authority(kind), kind)
    headers = login(client, "li") if not account else _full_for(app, client)
    response = client.post(
        "/api/v1/me/certificates", json={"certificate": leaf.pem.decode()}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    return leaf


def _full_for(app, client):
    """Register while verified, so that the test can then take the verification away."""
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.username == "li"))
        saved, account.verification_status = account.verification_status, VerificationStatus.REAL_PERSON
        db.session.commit()
    headers = login(client, "li")
    with app.app_context():
        db.session.scalar(select(Account).where(Account.username == "li")).verification_status = saved
        db.session.commit()
    return headers


@pytest.mark.parametrize(
    ("kind", "scheme"),
    [
        ("rsa", "rsa-pkcs1v15-sha256"),
        ("rsa", "rsa-pss-sha256"),
        ("ec-p256", "ecdsa-p256-sha256"),
        ("sm2", "sm2-sm3"),
    ],
)
def test_certificate_login(app, client, bundle, ca_client, authority, kind, scheme):
    leaf = registered(app, client, ca_client, authority, kind)
    response = answer(client, challenge(client, leaf, ca_client), leaf.key, scheme)
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["method"], response.get_json()["account"]["username"]) == (
        "certificate",
        "li",
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_signature_by_another_key_fails(app, client, bundle, ca_client, authority, kind):
    leaf = registered(app, client, ca_client, authority, kind)
    stranger = ca_client.TokenKey.generate(kind)
    response = answer(client, challenge(client, leaf, ca_client), stranger)
    assert (response.status_code, response.get_json()["reason"]) == (401, "login_failed")


def test_a_challenge_is_single_use(app, client, bundle, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "ec-p256")
    issued = challenge(client, leaf, ca_client)
    assert answer(client, issued, leaf.key).status_code == 201
    replay = answer(client, issued, leaf.key)
    assert (replay.status_code, replay.get_json()["reason"]) == (401, "challenge_invalid")


def test_an_expired_challenge_is_refused(app, client, bundle, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "sm2")
    issued = challenge(client, leaf, ca_client)
    assert (
        0 < (dt.datetime.fromisoformat(issued["expires_at"]) - dt.datetime.now(dt.UTC)).total_seconds() <= 120
    )
    with app.app_context():
        redis_store.client.delete(f"xjy:cert-challenge:{issued['challenge_id']}")  # what the TTL does
    assert answer(client, issued, leaf.key).get_json()["reason"] == "challenge_invalid"


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_certificate_is_refused_after_a_good_signature(
    app, client, bundle, ca_client, authority, kind
):
    now = dt.datetime.now(dt.UTC)
    old_ca = ca_client.issue_certificate(
        None, ca_client.TokenKey.generate(kind), "Old CA", is_ca=True,
        not_before=now - dt.timedelta(days=800), not_after=now + dt.timedelta(days=800),
    )  # fmt: skip
    bundle.write_bytes(bundle.read_bytes() + old_ca.pem)
    leaf = ca_client.issue_leaf(
        old_ca, kind, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=1)
    )
    with app.app_context():
        account = make_account(username="li")
        certificate_login.register(account, leaf.pem.decode(), actor=account, at=now - dt.timedelta(days=30))
    response = answer(client, challenge(client, leaf, ca_client), leaf.key)
    assert (response.status_code, response.get_json()["reason"]) == (401, "certificate_expired")
    stranger = answer(client, challenge(client, leaf, ca_client), ca_client.TokenKey.generate(kind))
    assert stranger.get_json()["reason"] == "login_failed"  # only the key holder learns it expired


def test_unknown_certificate_looks_like_a_wrong_key(app, client, bundle, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "rsa")
    unknown = ca_client.issue_leaf(authority("rsa"), "rsa")
    unknown_answer = answer(client, challenge(client, unknown, ca_client), unknown.key)
    wrong_answer = answer(client, challenge(client, leaf, ca_client), unknown.key)
    assert unknown_answer.status_code == wrong_answer.status_code == 401
    assert unknown_answer.get_json() == wrong_answer.get_json()


def test_challenge_by_serial(app, client, bundle, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "sm2")
    from service.auth.certificates import load_certificate

    issued = challenge(client, leaf, ca_client, serial=load_certificate(leaf.pem).serial)
    assert answer(client, issued, leaf.key).status_code == 201


def test_certificate_login_passes_the_gate(app, client, bundle, ca_client, authority):
    leaf = registered(
        app, client, ca_client, authority, "ec-p256", legacy=True, verification=VerificationStatus.NONE
    )
    response = answer(client, challenge(client, leaf, ca_client), leaf.key)
    assert (response.status_code, response.get_json()["reason"]) == (403, "verification_required")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda ca_client, authority: ca_client.issue_leaf(ca_client.make_ca("ec-p256"), "ec-p256"),
            "certificate_untrusted",
        ),
        (
            lambda ca_client, authority: ca_client.issue_leaf(authority("sm2"), "sm2", signing=False),
            "certificate_usage_invalid",
        ),
    ],
)
def test_registration_refuses(app, client, bundle, ca_client, authority, make, reason):
    with app.app_context():
        make_account(username="li")
    pem = make(ca_client, authority).pem.decode()
    response = client.post("/api/v1/me/certificates", json={"certificate": pem}, headers=login(client, "li"))
    assert (response.status_code, response.get_json()["reason"]) == (422, reason)


def test_registration_refuses_garbage_and_duplicates(app, client, bundle, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "rsa")
    headers = login(client, "li")
    garbage = client.post("/api/v1/me/certificates", json={"certificate": "not a pem"}, headers=headers)
    assert garbage.get_json()["reason"] == "certificate_malformed"
    again = client.post("/api/v1/me/certificates", json={"certificate": leaf.pem.decode()}, headers=headers)
    assert (again.status_code, again.get_json()["reason"]) == (409, "certificate_registered")


def test_admin_registers_a_certificate_in_scope_and_user_removes_it(
    app, client, bundle, ca_client, authority
):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin", org_code=None)
        make_account(role=Role.CITY_ADMIN, city="430200", username="zzadmin", org_code=None)
        target = make_account(org_code="430102-housing", username="li").id
    leaf = ca_client.issue_leaf(authority("sm2"), "sm2")
    url = f"/api/v1/admin/accounts/{target}/certificates"
    outsider = client.post(url, json={"certificate": leaf.pem.decode()}, headers=login(client, "zzadmin"))
    assert outsider.status_code == 404
    made = client.post(url, json={"certificate": leaf.pem.decode()}, headers=login(client, "csadmin"))
    assert made.status_code == 201 and made.get_json()["key_type"] == "sm2"
    user = login(client, "li")
    assert [c["id"] for c in client.get("/api/v1/me/certificates", headers=user).get_json()] == [
        made.get_json()["id"]
    ]
    assert client.delete(f"/api/v1/me/certificates/{made.get_json()['id']}", headers=user).status_code == 204
    assert answer(client, challenge(client, leaf, ca_client), leaf.key).get_json()["reason"] == "login_failed"


def test_certificate_login_is_unavailable_without_a_ca_bundle(app, client, ca_client, authority, monkeypatch):
    monkeypatch.setitem(app.config, "CA_BUNDLE_PATH", None)
    leaf = ca_client.issue_leaf(authority("rsa"), "rsa")
    response = client.post(
        "/api/v1/certificate-challenges", json={"fingerprint": ca_client.fingerprint(leaf.pem)}
    )
    assert (response.status_code, response.get_json()["reason"]) == (403, "certificate_login_unavailable")


def test_the_ca_client_script_logs_in(app, client, bundle, ca_client, authority, monkeypatch):
    """scripts/ca_client.py's login, with its HTTP calls routed to the test client."""
    import requests

    leaf = registered(app, client, ca_client, authority, "sm2")

    class Routed:
        def __init__(self, response):
            self.status_code, self._body = response.status_code, response.get_json()

        def json(self):
            return self._body

    monkeypatch.setattr(
        requests,
        "post",
        lambda url, json, timeout: Routed(client.post(url.removeprefix("http://svc"), json=json)),
    )
    result = ca_client.login("http://svc", leaf.pem, leaf.key)
    assert (result["step"], result["status"], result["body"]["method"]) == ("session", 201, "certificate")
