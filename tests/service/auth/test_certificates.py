"""Certificate login: loading, trust and validity, nonce signatures, with real keys of every kind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from service.auth.certificates import (
    CertificateError,
    check_certificate,
    load_certificate,
    verify_signature,
)

KINDS = ["rsa", "ec-p256", "sm2"]
SCHEMES = [
    ("rsa", "rsa-pkcs1v15-sha256"),
    ("rsa", "rsa-pss-sha256"),
    ("ec-p256", "ecdsa-p256-sha256"),
    ("sm2", "sm2-sm3"),
]
NONCE = b"\x8a\x10nonce-from-the-server\x00\xff"


def now() -> datetime:
    return datetime.now(UTC)


def reason(excinfo: pytest.ExceptionInfo[CertificateError]) -> str:
    return excinfo.value.reason


@pytest.fixture(scope="module")
def leaves(ca_client, authority):
    """One valid USB-key certificate per kind, issued by the session CA of that kind."""
    return {kind: ca_client.issue_leaf(authority(kind), kind) for kind in KINDS}


# --- load_certificate ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_load_reads_the_fields(leaves, kind):
    leaf = leaves[kind]
    cert = x509.load_pem_x509_certificate(leaf.pem)

    info = load_certificate(leaf.pem.decode())

    assert info.key_type == kind
    assert info.serial == format(cert.serial_number, "X")
    assert info.fingerprint_sha256 == cert.fingerprint(hashes.SHA256()).hex()
    assert info.subject_cn == "测试用户"
    assert info.subject == "CN=测试用户,O=湖南省某单位,C=CN"
    assert info.issuer == "CN=Test CA,O=湖南测试CA,C=CN"
    assert info.not_before.tzinfo is not None and info.not_before.utcoffset() == timedelta(0)
    assert info.not_after - info.not_before == timedelta(days=365)
    assert info.der == cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize(
    "pem", [b"", b"hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]
)
def test_load_rejects_what_is_not_a_certificate(pem):
    with pytest.raises(CertificateError) as excinfo:
        load_certificate(pem)
    assert reason(excinfo) == "certificate_malformed"


def _self_signed(key) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "other key")])
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now())
        .not_valid_after(now() + timedelta(days=1))
        .sign(key, algorithm)
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize(
    "make_key",
    [
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
        lambda: ec.generate_private_key(ec.SECP384R1()),
        ed25519.Ed25519PrivateKey.generate,
    ],
    ids=["rsa-1024", "ec-p384", "ed25519"],
)
def test_load_rejects_other_keys(make_key):
    with pytest.raises(CertificateError) as excinfo:
        load_certificate(_self_signed(make_key()))
    assert reason(excinfo) == "certificate_key_unsupported"


def test_load_rejects_an_sm2_key_off_the_curve(ca_client, authority):
    class OffCurveKey(ca_client.TokenKey):
        def spki_der(self) -> bytes:
            good = super().spki_der()
            return good[:-1] + bytes([good[-1] ^ 1])  # flip the last bit of y

    leaf = ca_client.issue_leaf(authority("sm2"), "sm2", key=OffCurveKey("sm2", 12345))

    with pytest.raises(CertificateError) as excinfo:
        load_certificate(leaf.pem)
    assert reason(excinfo) == "certificate_malformed"


# --- check_certificate ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_check_accepts_a_certificate_from_a_configured_ca(leaves, authority, kind):
    other_ca = authority("rsa" if kind != "rsa" else "sm2")
    check_certificate(load_certificate(leaves[kind].pem), [other_ca.pem, authority(kind).pem], now())


@pytest.mark.parametrize(("ca_kind", "leaf_kind"), [("rsa", "sm2"), ("sm2", "rsa"), ("sm2", "ec-p256")])
def test_check_accepts_mixed_algorithms(ca_client, authority, ca_kind, leaf_kind):
    leaf = ca_client.issue_leaf(authority(ca_kind), leaf_kind)
    check_certificate(load_certificate(leaf.pem), [authority(ca_kind).pem], now())


@pytest.mark.parametrize("kind", KINDS)
def test_check_rejects_a_certificate_from_another_ca_of_the_same_name(ca_client, leaves, kind):
    impostor = ca_client.make_ca(kind, "Test CA")  # same subject: only the signature tells them apart

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(leaves[kind].pem), [impostor.pem], now())
    assert reason(excinfo) == "certificate_untrusted"


def test_check_rejects_a_certificate_issued_by_a_non_ca(ca_client, leaves):
    holder = leaves["sm2"]
    child = ca_client.issue_certificate(holder, ca_client.TokenKey.generate("sm2"), "child")

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(child.pem), [holder.pem], now())
    assert reason(excinfo) == "certificate_untrusted"


def test_check_rejects_when_the_ca_itself_has_expired(ca_client):
    start = now() - timedelta(days=30)
    ca = ca_client.issue_certificate(
        None, ca_client.TokenKey.generate("ec-p256"), "Old CA", is_ca=True, not_before=start, not_after=start
    )
    leaf = ca_client.issue_leaf(ca, "ec-p256", not_before=start, not_after=now() + timedelta(days=30))

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(leaf.pem), [ca.pem], now())
    assert reason(excinfo) == "certificate_untrusted"


@pytest.mark.parametrize("kind", KINDS)
def test_check_rejects_an_expired_certificate(ca_client, authority, kind):
    start = now() - timedelta(days=400)
    leaf = ca_client.issue_leaf(
        authority(kind), kind, not_before=start, not_after=now() - timedelta(seconds=1)
    )

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(leaf.pem), [authority(kind).pem], now())
    assert reason(excinfo) == "certificate_expired"


@pytest.mark.parametrize("kind", KINDS)
def test_check_rejects_a_certificate_not_yet_valid(ca_client, authority, kind):
    start = now() + timedelta(days=1)
    leaf = ca_client.issue_leaf(
        authority(kind), kind, not_before=start, not_after=start + timedelta(days=365)
    )

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(leaf.pem), [authority(kind).pem], now())
    assert reason(excinfo) == "certificate_not_yet_valid"


def test_check_uses_the_given_time(leaves, authority):
    info = load_certificate(leaves["rsa"].pem)
    check_certificate(info, [authority("rsa").pem], info.not_after)

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(info, [authority("rsa").pem], info.not_after + timedelta(seconds=1))
    assert reason(excinfo) == "certificate_expired"


@pytest.mark.parametrize("kind", KINDS)
def test_check_rejects_an_encryption_only_certificate(ca_client, authority, kind):
    leaf = ca_client.issue_leaf(authority(kind), kind, signing=False)

    with pytest.raises(CertificateError) as excinfo:
        check_certificate(load_certificate(leaf.pem), [authority(kind).pem], now())
    assert reason(excinfo) == "certificate_usage_invalid"


def test_check_refuses_a_naive_time(leaves, authority):
    with pytest.raises(ValueError, match="timezone-aware"):
        check_certificate(load_certificate(leaves["rsa"].pem), [authority("rsa").pem], datetime.now())


def test_check_reports_a_broken_bundle_as_configuration_error(leaves):
    with pytest.raises(ValueError, match="CA bundle entry 0"):
        check_certificate(load_certificate(leaves["rsa"].pem), [b"not a pem"], now())


def test_check_accepts_a_bundle_with_several_certificates_in_one_pem(leaves, authority):
    bundle = authority("rsa").pem + authority("ec-p256").pem + authority("sm2").pem
    check_certificate(load_certificate(leaves["sm2"].pem), [bundle], now())


# --- verify_signature ----------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "scheme"), SCHEMES)
def test_verify_accepts_the_token_signature(leaves, kind, scheme):
    leaf = leaves[kind]
    verify_signature(load_certificate(leaf.pem), NONCE, leaf.key.sign(NONCE, scheme), scheme)


@pytest.mark.parametrize(("kind", "scheme"), SCHEMES)
def test_verify_rejects_a_signature_by_another_key(ca_client, leaves, kind, scheme):
    other = ca_client.TokenKey.generate(kind)

    with pytest.raises(CertificateError) as excinfo:
        verify_signature(load_certificate(leaves[kind].pem), NONCE, other.sign(NONCE, scheme), scheme)
    assert reason(excinfo) == "signature_invalid"


@pytest.mark.parametrize(("kind", "scheme"), SCHEMES)
def test_verify_rejects_a_tampered_message(leaves, kind, scheme):
    signature = leaves[kind].key.sign(NONCE, scheme)

    with pytest.raises(CertificateError) as excinfo:
        verify_signature(load_certificate(leaves[kind].pem), NONCE + b"!", signature, scheme)
    assert reason(excinfo) == "signature_invalid"


@pytest.mark.parametrize(("kind", "scheme"), SCHEMES)
def test_verify_rejects_a_tampered_signature(leaves, kind, scheme):
    signature = bytearray(leaves[kind].key.sign(NONCE, scheme))
    signature[-3] ^= 0x01

    with pytest.raises(CertificateError) as excinfo:
        verify_signature(load_certificate(leaves[kind].pem), NONCE, bytes(signature), scheme)
    assert reason(excinfo) == "signature_invalid"


MISFITS = [
    (kind, scheme)
    for kind in KINDS
    for scheme in [scheme for _, scheme in SCHEMES] + ["rsa-pkcs1v15-sha1", ""]
    if (kind, scheme) not in SCHEMES
]


@pytest.mark.parametrize(("kind", "scheme"), MISFITS)
def test_verify_rejects_a_scheme_that_does_not_fit_the_key(leaves, kind, scheme):
    with pytest.raises(CertificateError) as excinfo:
        verify_signature(load_certificate(leaves[kind].pem), NONCE, b"\x30\x00", scheme)
    assert reason(excinfo) == "signature_scheme_unsupported"
