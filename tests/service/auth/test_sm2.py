"""SM2/SM3 against published answers and OpenSSL, so our SM2 interoperates rather than only agreeing
with itself.

Vectors: GM/T 0004-2012 (SM3) examples 1 and 2; the GM/T 0003.5-2012 signature example over the
recommended curve (the same values OpenSSL, GmSSL and other SM2 libraries test against).
OpenSSL fixtures: see ``data/README.md``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from service.auth.certificates import (
    CertificateError,
    check_certificate,
    load_certificate,
    sm2_z,
    sm3_digest,
    verify_signature,
)

DATA = Path(__file__).parent / "data"

KAT_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
KAT_PUBLIC = bytes.fromhex(
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
KAT_MESSAGE = b"message digest"
KAT_Z = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
KAT_E = bytes.fromhex("F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640")
KAT_K = 0x59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21
KAT_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
KAT_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
SM2_N = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


def reason_of(call) -> str:
    with pytest.raises(CertificateError) as excinfo:
        call()
    return excinfo.value.reason


@pytest.fixture(scope="module")
def kat_certificate(ca_client, authority):
    """A certificate around the standard's key pair, so the vector runs through the public API."""
    leaf = ca_client.issue_leaf(authority("sm2"), "sm2", key=ca_client.TokenKey("sm2", KAT_D))
    return load_certificate(leaf.pem)


# --- known answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"abc", "66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0"),
        (b"abcd" * 16, "DEBE9FF92275B8A138604889C18E5A4D6FDB70E5387E5765293DCBA39C0C5732"),
    ],
)
def test_sm3_matches_the_standard(message, digest):
    assert sm3_digest(message).hex().upper() == digest


def test_z_matches_the_standard():
    assert sm2_z(KAT_PUBLIC) == KAT_Z


def test_verify_accepts_the_standard_signature(kat_certificate):
    verify_signature(kat_certificate, KAT_MESSAGE, encode_dss_signature(KAT_R, KAT_S), "sm2-sm3")


def test_verify_rejects_the_standard_signature_over_another_message(kat_certificate):
    signature = encode_dss_signature(KAT_R, KAT_S)
    call = lambda: verify_signature(kat_certificate, b"message digesT", signature, "sm2-sm3")  # noqa: E731
    assert reason_of(call) == "signature_invalid"


def test_toolkit_derives_the_standard_public_key(ca_client):
    assert ca_client.sm2_public_point(KAT_D) == KAT_PUBLIC


def test_toolkit_hashes_like_the_standard(ca_client):
    assert ca_client.sm2_message_digest(KAT_PUBLIC, KAT_MESSAGE) == KAT_E


def test_toolkit_signs_like_the_standard(ca_client):
    assert ca_client.sm2_sign(KAT_D, KAT_MESSAGE, k=KAT_K) == encode_dss_signature(KAT_R, KAT_S)


# --- edge cases gmssl alone gets wrong or leaves to the caller ------------------------------------


def test_verify_handles_a_public_key_whose_x_starts_with_04(ca_client, authority):
    """gmssl's ``public_key.lstrip("04")`` would eat these digits of x; d = 11 gives x = 04b3cb10..."""
    key = ca_client.TokenKey("sm2", 11)
    assert ca_client.sm2_public_point(11).hex().startswith("04")
    info = load_certificate(ca_client.issue_leaf(authority("sm2"), "sm2", key=key).pem)

    verify_signature(info, b"nonce", key.sign(b"nonce"), "sm2-sm3")


@pytest.mark.parametrize(
    "signature",
    [
        KAT_R.to_bytes(32, "big") + KAT_S.to_bytes(32, "big"),  # raw r||s: the client must DER-encode
        encode_dss_signature(0, KAT_S),
        encode_dss_signature(KAT_R, 0),
        encode_dss_signature(KAT_R + SM2_N, KAT_S),
        encode_dss_signature(KAT_R, SM2_N),
        encode_dss_signature(KAT_R, SM2_N - KAT_R),  # r + s = n: t = 0
        encode_dss_signature(KAT_R, KAT_S) + b"\x00",  # trailing data
        b"",
    ],
    ids=["raw", "r=0", "s=0", "r>=n", "s=n", "r+s=n", "trailing", "empty"],
)
def test_verify_rejects_malformed_or_out_of_range_signatures(kat_certificate, signature):
    call = lambda: verify_signature(kat_certificate, KAT_MESSAGE, signature, "sm2-sm3")  # noqa: E731
    assert reason_of(call) == "signature_invalid"


def test_verify_hashes_the_user_id_into_z(kat_certificate):
    signature = encode_dss_signature(KAT_R, KAT_S)
    call = lambda: verify_signature(  # noqa: E731
        kat_certificate, KAT_MESSAGE, signature, "sm2-sm3", sm2_user_id=b"ALICE123@YAHOO.COM"
    )
    assert reason_of(call) == "signature_invalid"


# --- OpenSSL interoperability --------------------------------------------------------------------


@pytest.fixture(scope="module")
def openssl_user():
    return load_certificate((DATA / "openssl_sm2_user.pem").read_bytes())


def test_openssl_certificate_is_read_as_sm2(openssl_user):
    assert (openssl_user.key_type, openssl_user.serial) == ("sm2", "1234ABCD")
    assert openssl_user.subject_cn == "OpenSSL SM2 User"


def test_openssl_ca_signature_is_accepted(openssl_user):
    check_certificate(openssl_user, [(DATA / "openssl_sm2_ca.pem").read_bytes()], datetime.now(UTC))


def test_openssl_certificate_is_untrusted_under_another_sm2_ca(openssl_user, authority):
    call = lambda: check_certificate(openssl_user, [authority("sm2").pem], datetime.now(UTC))  # noqa: E731
    assert reason_of(call) == "certificate_untrusted"


def test_openssl_nonce_signature_is_accepted(openssl_user):
    nonce = (DATA / "openssl_sm2_nonce.bin").read_bytes()
    verify_signature(openssl_user, nonce, (DATA / "openssl_sm2_nonce.sig").read_bytes(), "sm2-sm3")


def test_openssl_nonce_signature_over_another_nonce_is_rejected(openssl_user):
    signature = (DATA / "openssl_sm2_nonce.sig").read_bytes()
    call = lambda: verify_signature(openssl_user, b"another nonce", signature, "sm2-sm3")  # noqa: E731
    assert reason_of(call) == "signature_invalid"
