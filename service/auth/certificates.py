"""X.509 certificates for CA USB-key login: load, check trust and validity, verify a signed nonce.

Hunan's CAs issue SM2 certificates (GM/T 0015: ``id-ecPublicKey`` with the SM2 curve, signed with
SM2-with-SM3), which ``cryptography`` parses but cannot use: it reads every field except the key.
So the certificate is always parsed by ``cryptography`` (a strict DER parser), the SM2 public key is
lifted out of the already-validated TBSCertificate with a minimal DER walker, and SM2 signatures are
checked with gmssl's curve arithmetic behind our own input checks (see ``_sm2_verify``). RSA and
ECDSA P-256 stay entirely on ``cryptography``.

Every failure is a ``CertificateError`` whose ``reason`` is a stable machine code:

- ``certificate_malformed``: not a PEM X.509 certificate, or a broken public key
- ``certificate_key_unsupported``: a key other than RSA >= 2048, ECDSA P-256 or SM2
- ``certificate_untrusted``: not directly issued (valid CA signature) by a configured CA
- ``certificate_not_yet_valid`` / ``certificate_expired``: outside notBefore..notAfter
- ``certificate_usage_invalid``: keyUsage forbids signing (e.g. the encryption half of a dual-cert key)
- ``signature_scheme_unsupported``: unknown scheme, or one that does not fit the certificate's key
- ``signature_invalid``: the signature does not verify

No Flask and no I/O: the caller supplies PEMs, the time and the bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

KeyType = Literal["rsa", "ec-p256", "sm2"]

SCHEMES: dict[str, KeyType] = {
    "rsa-pkcs1v15-sha256": "rsa",
    "rsa-pss-sha256": "rsa",
    "ecdsa-p256-sha256": "ec-p256",
    "sm2-sm3": "sm2",
}
"""Signature schemes a USB key may use, each with the only key type it fits."""

DEFAULT_SM2_USER_ID = b"1234567812345678"
"""GM/T 0009 default signer ID, hashed into Z; USB keys and CAs use it unless agreed otherwise."""

MIN_RSA_BITS = 2048

OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
OID_SM2_CURVE = "1.2.156.10197.1.301"
OID_SM2_WITH_SM3 = "1.2.156.10197.1.501"

# Signature algorithms of RSA and ECDSA CAs on CRLs and OCSP responses, by OID.
_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.2.840.113549.1.1.11": hashes.SHA256,  # sha256WithRSAEncryption
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
    "1.2.840.10045.4.3.2": hashes.SHA256,  # ecdsa-with-SHA256
    "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
}

_SM2 = gm_sm2.default_ecc_table  # the GM/T 0003.5 recommended curve, as hex strings
_SM2_P = int(_SM2["p"], 16)
_SM2_A = int(_SM2["a"], 16)
_SM2_B = int(_SM2["b"], 16)
_SM2_N = int(_SM2["n"], 16)


class CertificateError(Exception):
    """A certificate or signature was refused; ``reason`` is the stable machine code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CertificateInfo:
    """What the service stores and shows about a registered certificate.

    ``der`` is the certificate itself, so checks and verification never depend on anything but it.
    """

    serial: str  # upper-case hex, as CAs print it
    fingerprint_sha256: str  # lower-case hex of SHA-256 over the DER
    subject_cn: str | None
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    key_type: KeyType
    der: bytes = field(repr=False)


def load_certificate(pem: bytes | str) -> CertificateInfo:
    """Parse a PEM certificate and classify its key.

    Raises:
        CertificateError: ``certificate_malformed`` or ``certificate_key_unsupported``.
    """
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        cert = x509.load_pem_x509_certificate(data.strip())
    except ValueError as exc:
        raise CertificateError("certificate_malformed") from exc
    return _describe(cert)


def check_certificate(
    info: CertificateInfo, ca_bundle_pems: Sequence[bytes | str], at: datetime
) -> x509.Certificate:
    """Accept a certificate only if a configured CA issued it and it is valid at ``at``; returns that CA.

    Trust is checked before the dates, so nothing is said about the dates of a certificate we do not
    trust. A CA counts when its own certificate is in the bundle (root or intermediate: whichever
    issues the USB-key certificates), is a CA, is valid at ``at``, and its signature over the
    TBSCertificate verifies. Revocation (CRL/OCSP) is checked by ``service.auth.revocation``.

    Raises:
        CertificateError: ``certificate_untrusted``, ``certificate_not_yet_valid``,
            ``certificate_expired``, ``certificate_usage_invalid`` or ``certificate_malformed``.
        ValueError: ``at`` is naive, or a bundle entry is not a certificate (a configuration error).
    """
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    issuer = issuer_of(info, ca_bundle_pems, at)
    if issuer is None:
        raise CertificateError("certificate_untrusted")
    if at < info.not_before:
        raise CertificateError("certificate_not_yet_valid")
    if at > info.not_after:
        raise CertificateError("certificate_expired")
    if not _allows_signing(_parse_der(info.der)):
        raise CertificateError("certificate_usage_invalid")
    return issuer


def issuer_of(
    info: CertificateInfo, ca_bundle_pems: Sequence[bytes | str], at: datetime
) -> x509.Certificate | None:
    """The CA of the bundle that issued the certificate and is usable at ``at``, or None."""
    cert = _parse_der(info.der)
    return next((ca for ca in _load_bundle(ca_bundle_pems) if _issued_by(cert, ca, at)), None)


def signed_by(ca: x509.Certificate, tbs: bytes, signature: bytes, algorithm_oid: str) -> bool:
    """Whether ``ca``'s key made ``signature`` over ``tbs`` (a CRL's or an OCSP response's signed
    part) with the algorithm ``algorithm_oid`` names: SM2-with-SM3 (default user ID, GM/T 0015),
    or RSA PKCS#1 v1.5 / ECDSA with SHA-256, -384 or -512."""
    if algorithm_oid == OID_SM2_WITH_SM3:
        try:
            return _is_sm2(ca) and _sm2_verify(_sm2_point(ca), tbs, signature, DEFAULT_SM2_USER_ID)
        except CertificateError:
            return False
    digest = _DIGESTS.get(algorithm_oid)
    if digest is None or _is_sm2(ca):
        return False
    try:
        key = ca.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, tbs, padding.PKCS1v15(), digest())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, tbs, ec.ECDSA(digest()))
        else:
            return False
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        return False
    return True


def public_key_bits(cert: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING's bytes (what OCSP's issuerKeyHash and key ids hash)."""
    _, key_bits = _spki_parts(cert)
    return key_bits[1:]


def verify_signature(
    info: CertificateInfo,
    message: bytes,
    signature: bytes,
    scheme: str,
    *,
    sm2_user_id: bytes = DEFAULT_SM2_USER_ID,
) -> None:
    """Verify ``signature`` over ``message`` with the certificate's key.

    Schemes: ``rsa-pkcs1v15-sha256``; ``rsa-pss-sha256`` (MGF1-SHA256, any salt length, as tokens
    differ); ``ecdsa-p256-sha256`` and ``sm2-sm3`` with DER ``SEQUENCE {r, s}`` (GM/T 0009), the
    SM2 digest being SM3(Z || message) with Z over ``sm2_user_id``. A raw ``r||s`` token output
    must be DER-encoded by the client.

    Raises:
        CertificateError: ``signature_scheme_unsupported`` or ``signature_invalid``.
    """
    if SCHEMES.get(scheme) != info.key_type:
        raise CertificateError("signature_scheme_unsupported")
    cert = _parse_der(info.der)
    if scheme == "sm2-sm3":
        ok = _sm2_verify(_sm2_point(cert), message, signature, sm2_user_id)
    else:
        ok = _verify_with_cryptography(cert.public_key(), message, signature, scheme)
    if not ok:
        raise CertificateError("signature_invalid")


# --- parsing -------------------------------------------------------------------------------------


def _parse_der(der: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CertificateError("certificate_malformed") from exc


def _describe(cert: x509.Certificate) -> CertificateInfo:
    try:
        _ = cert.extensions  # parsed lazily: fail at registration, not at the first login
    except ValueError as exc:
        raise CertificateError("certificate_malformed") from exc
    der = cert.public_bytes(Encoding.DER)
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateInfo(
        serial=format(cert.serial_number, "X"),
        fingerprint_sha256=hashlib.sha256(der).hexdigest(),
        subject_cn=str(cns[0].value) if cns else None,
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=_key_type(cert),
        der=der,
    )


def _key_type(cert: x509.Certificate) -> KeyType:
    if _is_sm2(cert):
        _sm2_point(cert)  # refuse an off-curve key now, not at the first login
        return "sm2"
    try:
        key = cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise CertificateError("certificate_key_unsupported") from exc
    if isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS:
        return "rsa"
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        return "ec-p256"
    raise CertificateError("certificate_key_unsupported")


def _load_bundle(pems: Iterable[bytes | str]) -> list[x509.Certificate]:
    cas: list[x509.Certificate] = []
    for index, pem in enumerate(pems):
        data = pem.encode("ascii") if isinstance(pem, str) else pem
        try:
            cas.extend(x509.load_pem_x509_certificates(data))
        except ValueError as exc:
            raise ValueError(f"CA bundle entry {index} holds no valid certificate") from exc
    return cas


# --- trust ---------------------------------------------------------------------------------------


def _issued_by(cert: x509.Certificate, ca: x509.Certificate, at: datetime) -> bool:
    """Whether ``ca`` is a usable CA now and its signature over ``cert`` verifies."""
    if cert.issuer != ca.subject or not _is_usable_ca(ca, at):
        return False
    if cert.signature_algorithm_oid.dotted_string == OID_SM2_WITH_SM3:
        return _is_sm2(ca) and _sm2_signed_by(cert, ca)
    if _is_sm2(ca):
        return False  # an SM2 key only makes SM2-with-SM3 signatures
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def _sm2_signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    """GM/T 0015: a CA's SM2 signature over the TBSCertificate uses the default user ID."""
    try:
        point = _sm2_point(ca)
    except CertificateError:
        return False  # a broken CA key in the bundle trusts nothing
    return _sm2_verify(point, cert.tbs_certificate_bytes, cert.signature, DEFAULT_SM2_USER_ID)


def _is_usable_ca(ca: x509.Certificate, at: datetime) -> bool:
    if not ca.not_valid_before_utc <= at <= ca.not_valid_after_utc:
        return False
    try:
        extensions = ca.extensions
    except ValueError:
        return False
    try:
        if not extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        return False  # RFC 5280 4.2.1.9: a CA certificate must say it is one
    try:
        return extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        return True


def _allows_signing(cert: x509.Certificate) -> bool:
    """Refuse an encryption-only certificate (Chinese USB keys hold a signing and an encryption pair).

    Non-repudiation alone is accepted too, because some CAs mark the signing certificate that way.
    """
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment


def _is_sm2(cert: x509.Certificate) -> bool:
    return cert.public_key_algorithm_oid.dotted_string == OID_EC_PUBLIC_KEY and (
        _ec_curve_oid(cert) == OID_SM2_CURVE
    )


# --- signatures ----------------------------------------------------------------------------------


def _verify_with_cryptography(key: object, message: bytes, signature: bytes, scheme: str) -> bool:
    try:
        if scheme == "rsa-pkcs1v15-sha256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        elif scheme == "rsa-pss-sha256" and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
            key.verify(signature, message, pss, hashes.SHA256())
        elif scheme == "ecdsa-p256-sha256" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        else:
            return False
    except InvalidSignature:
        return False
    return True


def sm3_digest(data: bytes) -> bytes:
    """SM3 (GM/T 0004) of ``data``, via gmssl."""
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def sm2_z(point: bytes, user_id: bytes = DEFAULT_SM2_USER_ID) -> bytes:
    """Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) of GM/T 0003.2, ``point`` being xA||yA.

    Computed here rather than by gmssl, whose ``_sm3_z`` hard-codes the default ID.
    """
    if len(user_id) >= 0x2000:
        raise ValueError("SM2 user ID longer than 8191 bytes")
    entl = (len(user_id) * 8).to_bytes(2, "big")
    curve = bytes.fromhex(_SM2["a"] + _SM2["b"] + _SM2["g"])
    return sm3_digest(entl + user_id + curve + point)


def _sm2_verify(point: bytes, message: bytes, signature: bytes, user_id: bytes) -> bool:
    """SM2 verification with gmssl's arithmetic, guarded where gmssl 3.2.2 is lax.

    gmssl skips the 1 <= r, s < n range check of GM/T 0003.2 (and a zero scalar there yields a point,
    not infinity), so it is done here; the DER is parsed strictly by ``cryptography``. The public key
    is set after construction because gmssl's ``lstrip("04")`` also strips leading hex digits 0 and 4
    of x.
    """
    try:
        r, s = decode_dss_signature(signature)
    except ValueError:
        return False
    if not (1 <= r < _SM2_N and 1 <= s < _SM2_N):
        return False
    digest = sm3_digest(sm2_z(point, user_id) + message)
    verifier = gm_sm2.CryptSM2(private_key=None, public_key="")
    verifier.public_key = point.hex()
    return bool(verifier.verify(f"{r:064x}{s:064x}", digest))


def _sm2_point(cert: x509.Certificate) -> bytes:
    """The SM2 public key as 64 bytes xA||yA, checked to be a point on the curve."""
    _, key_bits = _spki_parts(cert)
    if len(key_bits) != 66 or key_bits[:2] != b"\x00\x04":  # no unused bits; uncompressed point
        raise CertificateError("certificate_malformed")
    x, y = int.from_bytes(key_bits[2:34], "big"), int.from_bytes(key_bits[34:], "big")
    if x >= _SM2_P or y >= _SM2_P or (y * y - x * x * x - _SM2_A * x - _SM2_B) % _SM2_P:
        raise CertificateError("certificate_malformed")
    return key_bits[2:]


# --- minimal DER walker --------------------------------------------------------------------------
# Only ever applied to a TBSCertificate that cryptography has already parsed strictly, to reach the
# SubjectPublicKeyInfo fields it does not expose for SM2 keys.


def _ec_curve_oid(cert: x509.Certificate) -> str | None:
    algorithm, _ = _spki_parts(cert)
    items = _der_children(algorithm)
    if len(items) != 2 or items[1][0] != 0x06:
        return None
    return _decode_oid(items[1][1])


def _spki_parts(cert: x509.Certificate) -> tuple[bytes, bytes]:
    """(AlgorithmIdentifier content, BIT STRING content) of the certificate's SPKI."""
    ((_, tbs),) = _der_children(cert.tbs_certificate_bytes)
    fields = _der_children(tbs)
    spki = fields[6 if fields[0][0] == 0xA0 else 5]  # [0] version is optional (v1 certificates)
    algorithm, key_bits = _der_children(spki[1])
    return algorithm[1], key_bits[1]


def _der_children(data: bytes) -> list[tuple[int, bytes]]:
    """Split concatenated DER TLVs into (tag, content) pairs."""
    items: list[tuple[int, bytes]] = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise CertificateError("certificate_malformed")
        tag, length = data[offset], data[offset + 1]
        offset += 2
        if length & 0x80:
            size = length & 0x7F
            if not 1 <= size <= 4 or offset + size > len(data):
                raise CertificateError("certificate_malformed")
            length = int.from_bytes(data[offset : offset + size], "big")
            offset += size
        if offset + length > len(data):
            raise CertificateError("certificate_malformed")
        items.append((tag, data[offset : offset + length]))
        offset += length
    return items


def _decode_oid(content: bytes) -> str:
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if not arcs:
        return ""
    first = min(arcs[0] // 40, 2)
    return ".".join(str(arc) for arc in (first, arcs[0] - 40 * first, *arcs[1:]))
