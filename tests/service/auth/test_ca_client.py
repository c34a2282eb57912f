"""The developer script: files it writes are usable certificates and keys; login speaks the contract."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import requests

from service.auth.certificates import (
    CertificateError,
    check_certificate,
    load_certificate,
    verify_signature,
)


def test_script_runs_standalone(ca_client):
    result = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, ca_client.__file__, "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "make-ca" in result.stdout


@pytest.mark.parametrize("kind", ["rsa", "ec-p256", "sm2"])
def test_cli_makes_a_ca_and_a_usable_user_certificate(ca_client, tmp_path, kind):
    ca_dir, user_dir = tmp_path / "ca", tmp_path / "user"
    assert ca_client.main(["make-ca", "--kind", kind, "--out", str(ca_dir)]) == 0
    assert ca_client.main(["issue", "--ca", str(ca_dir), "--kind", kind, "--out", str(user_dir)]) == 0

    info = load_certificate((user_dir / "cert.pem").read_bytes())
    check_certificate(info, [(ca_dir / "cert.pem").read_bytes()], datetime.now(UTC))
    key = ca_client.TokenKey.from_pem((user_dir / "key.pem").read_bytes())
    verify_signature(info, b"nonce", key.sign(b"nonce"), ca_client.DEFAULT_SCHEME[kind])


def test_cli_issues_an_expired_certificate_for_negative_days(ca_client, tmp_path):
    ca_dir, user_dir = tmp_path / "ca", tmp_path / "user"
    ca_client.main(["make-ca", "--kind", "sm2", "--out", str(ca_dir)])
    ca_client.main(["issue", "--ca", str(ca_dir), "--kind", "sm2", "--days", "-1", "--out", str(user_dir)])

    info = load_certificate((user_dir / "cert.pem").read_bytes())
    with pytest.raises(CertificateError) as excinfo:
        check_certificate(info, [(ca_dir / "cert.pem").read_bytes()], datetime.now(UTC))
    assert excinfo.value.reason == "certificate_expired"


class FakeResponse:
    """Stands in for ``requests.Response``: the service endpoints do not exist yet."""

    def __init__(self, status_code: int, body: dict) -> None:
        self.status_code, self._body = status_code, body

    def json(self) -> dict:
        return self._body

    @property
    def text(self) -> str:
        return str(self._body)


@pytest.mark.parametrize("kind", ["rsa", "ec-p256", "sm2"])
def test_login_follows_the_challenge_contract(ca_client, authority, monkeypatch, kind):
    leaf = ca_client.issue_leaf(authority(kind), kind)
    nonce = b"\x00\x01server-nonce\xfe"
    calls: list[tuple[str, dict]] = []

    def fake_post(url: str, json: dict, timeout: float) -> FakeResponse:
        calls.append((url, json))
        if url.endswith("/certificate-challenges"):
            return FakeResponse(201, {"challenge_id": "c1", "nonce": base64.b64encode(nonce).decode()})
        return FakeResponse(201, {"token": "t"})

    monkeypatch.setattr(requests, "post", fake_post)

    result = ca_client.login("http://svc", leaf.pem, leaf.key)

    (challenge_url, challenge), (session_url, session) = calls
    info = load_certificate(leaf.pem)
    assert challenge_url == "http://svc/api/v1/certificate-challenges"
    assert challenge == {"fingerprint": info.fingerprint_sha256}
    assert session_url == "http://svc/api/v1/sessions"
    assert session["method"] == "certificate" and session["challenge_id"] == "c1"
    verify_signature(info, nonce, base64.b64decode(session["signature"]), session["scheme"])
    assert result == {"step": "session", "status": 201, "body": {"token": "t"}}


def test_login_stops_when_the_challenge_is_refused(ca_client, authority, monkeypatch):
    leaf = ca_client.issue_leaf(authority("ec-p256"), "ec-p256")
    refused = {"code": 404, "reason": "certificate_not_registered"}
    monkeypatch.setattr(requests, "post", lambda url, json, timeout: FakeResponse(404, refused))

    assert ca_client.login("http://svc", leaf.pem, leaf.key) == {
        "step": "challenge",
        "status": 404,
        "body": refused,
    }
