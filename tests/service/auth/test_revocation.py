"""Certificate revocation: a CA revokes a certificate in the test (a CRL in the configured folder, or
fetched by the scheduler from the CA's URL, or an OCSP responder the test starts), and that
certificate can no longer log in or be registered."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp

from service.auth import certificate_login
from tests.factories import make_account
from tests.service.auth.test_certificate_login import answer, challenge, registered

KINDS = ("rsa", "ec-p256", "sm2")


@pytest.fixture
def bundle(app, authority, tmp_path, monkeypatch):
    path = tmp_path / "ca-bundle.pem"
    path.write_bytes(b"".join(authority(kind).pem for kind in KINDS))
    monkeypatch.setitem(app.config, "CA_BUNDLE_PATH", str(path))
    return path


@pytest.fixture
def crl_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "crl"
    folder.mkdir()
    monkeypatch.setitem(app.config, "CRL_DIR", str(folder))
    return folder


def login_reason(client, leaf, ca_client):
    response = answer(client, challenge(client, leaf, ca_client), leaf.key)
    return response.status_code, (response.get_json() or {}).get("reason")


@pytest.mark.parametrize("kind", KINDS)
def test_a_revoked_certificate_cannot_log_in(app, client, bundle, crl_dir, ca_client, authority, kind):
    leaf = registered(app, client, ca_client, authority, kind)
    (crl_dir / "empty.crl").write_bytes(ca_client.make_crl(authority(kind), []))
    assert login_reason(client, leaf, ca_client)[0] == 201
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)  # a newer CRL of the same CA replaces it
    (crl_dir / "today.crl").write_bytes(ca_client.make_crl(authority(kind), [leaf], this_update=later))
    assert login_reason(client, leaf, ca_client) == (401, "certificate_revoked")


def test_a_revoked_certificate_cannot_be_registered(app, client, bundle, crl_dir, ca_client, authority):
    leaf = ca_client.issue_leaf(authority("sm2"), "sm2")
    (crl_dir / "sm2.crl").write_bytes(ca_client.make_crl(authority("sm2"), [leaf]))
    with app.app_context():
        account = make_account(username="li")
        with pytest.raises(certificate_login.InvalidInput) as refused:
            certificate_login.register(account, leaf.pem.decode(), actor=account)
    assert refused.value.reason == "certificate_revoked"


def test_a_crl_not_signed_by_the_ca_is_ignored(app, client, bundle, crl_dir, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "ec-p256")
    impostor = ca_client.make_ca("ec-p256")  # the same name "Test CA", another key
    (crl_dir / "forged.crl").write_bytes(ca_client.make_crl(impostor, [leaf]))
    assert login_reason(client, leaf, ca_client)[0] == 201


def test_a_crl_long_out_of_date_vouches_for_nobody(app, client, bundle, crl_dir, ca_client, authority):
    leaf = registered(app, client, ca_client, authority, "rsa")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    crl = ca_client.make_crl(authority("rsa"), [], this_update=old, next_update=old + dt.timedelta(days=7))
    (crl_dir / "old.crl").write_bytes(crl)
    assert login_reason(client, leaf, ca_client) == (401, "certificate_revocation_unknown")


# --- a local server: the CA's CRL distribution point and its OCSP responder ---------------------


class FakeCa:
    """What the test's CA publishes: a CRL at GET /ca.crl, OCSP answers at POST /ocsp."""

    def __init__(self, ca, ca_client) -> None:
        self.ca, self.crl = ca, ca_client.make_crl(ca, [])
        self.ca_cert = x509.load_pem_x509_certificate(ca.pem)
        self.revoked: set[int] = set()
        self.requests = 0
        self.url = ""  # set once the server listens
        self.signing_key = ca.key.private  # another key makes a forged answer

    def ocsp_answer(self, body: bytes) -> bytes:
        self.requests += 1
        request = ocsp.load_der_ocsp_request(body)
        now = dt.datetime.now(dt.UTC)
        revoked = request.serial_number in self.revoked
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=request.hash_algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
            this_update=now - dt.timedelta(minutes=1),
            next_update=now + dt.timedelta(hours=1),
            revocation_time=now - dt.timedelta(minutes=1) if revoked else None,
            revocation_reason=None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.ca_cert)
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
        builder = builder.add_extension(nonce, critical=False)
        return builder.sign(self.signing_key, hashes.SHA256()).public_bytes(Encoding.DER)


@pytest.fixture
def fake_ca(authority, ca_client):
    published = FakeCa(authority("ec-p256"), ca_client)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._reply(published.crl, "application/pkix-crl")

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self._reply(published.ocsp_answer(body), "application/ocsp-response")

        def _reply(self, data: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    published.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield published
    server.shutdown()
    server.server_close()


def test_the_scheduler_fetches_the_cas_crl(
    app, client, bundle, crl_dir, ca_client, authority, fake_ca, monkeypatch
):
    leaf = registered(app, client, ca_client, authority, "ec-p256")
    monkeypatch.setitem(app.config, "CRL_URLS", f"{fake_ca.url}/ca.crl")
    fake_ca.crl = ca_client.make_crl(fake_ca.ca, [leaf])
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert len(list(crl_dir.iterdir())) == 1
    assert login_reason(client, leaf, ca_client) == (401, "certificate_revoked")


def test_a_fetched_crl_not_signed_by_a_configured_ca_is_not_written(
    app, bundle, crl_dir, ca_client, fake_ca, monkeypatch
):
    monkeypatch.setitem(app.config, "CRL_URLS", [f"{fake_ca.url}/ca.crl"])
    fake_ca.crl = ca_client.make_crl(ca_client.make_ca("ec-p256"), [1234])
    with app.app_context():
        outcome = certificate_login.refresh_revocation_lists()
    assert list(outcome.values()) == ["refused: not a CRL of a configured CA"]
    assert list(crl_dir.iterdir()) == []


def test_the_ocsp_responder_revokes(app, client, bundle, ca_client, authority, fake_ca, monkeypatch):
    leaf = registered(app, client, ca_client, authority, "ec-p256")
    monkeypatch.setitem(app.config, "OCSP_URL", f"{fake_ca.url}/ocsp")
    assert login_reason(client, leaf, ca_client)[0] == 201
    fake_ca.revoked.add(x509.load_pem_x509_certificate(leaf.pem).serial_number)
    assert login_reason(client, leaf, ca_client) == (401, "certificate_revoked")
    assert fake_ca.requests == 2


@pytest.mark.parametrize(("required", "expected"), [(False, 201), (True, 401)])
def test_an_unreachable_responder_refuses_only_when_required(
    app, client, bundle, ca_client, authority, monkeypatch, required, expected
):
    leaf = registered(app, client, ca_client, authority, "rsa")
    monkeypatch.setitem(app.config, "OCSP_URL", "http://127.0.0.1:9/ocsp")  # discard: nothing answers
    monkeypatch.setitem(app.config, "OCSP_REQUIRED", required)
    status, reason = login_reason(client, leaf, ca_client)
    assert status == expected
    if required:
        assert reason == "certificate_revocation_unknown"


def test_an_ocsp_answer_not_signed_by_the_ca_is_not_believed(
    app, client, bundle, ca_client, authority, fake_ca, monkeypatch
):
    leaf = registered(app, client, ca_client, authority, "ec-p256")
    monkeypatch.setitem(app.config, "OCSP_URL", f"{fake_ca.url}/ocsp")
    monkeypatch.setitem(app.config, "OCSP_REQUIRED", True)
    fake_ca.signing_key = ca_client.TokenKey.generate("ec-p256").private  # says "good", signed by a stranger
    assert login_reason(client, leaf, ca_client) == (401, "certificate_revocation_unknown")
