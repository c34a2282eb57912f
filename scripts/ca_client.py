"""Test certificate authority and USB-key stand-in for certificate ("数字证书") login.

A library for tests and a developer tool. It makes throwaway CAs and leaf certificates with RSA,
ECDSA P-256 or SM2 keys, and signs a login nonce the way a CA USB key does. ``cryptography`` cannot
sign with or even hold SM2 keys, so certificates are assembled here with a small DER encoder for
every key type (one code path, parsed back by ``cryptography`` in the tests), and SM2 signatures
come from gmssl with a ``secrets`` nonce (gmssl's default nonce uses ``random``).

Command line::

    scripts/run python scripts/ca_client.py make-ca --kind sm2 --out instance/ca/
    scripts/run python scripts/ca_client.py issue --ca instance/ca/ --kind sm2 --cn 张三 --out instance/user/
    scripts/run python scripts/ca_client.py login --cert instance/user/cert.pem --key instance/user/key.pem
    scripts/run python scripts/ca_client.py revoke --ca instance/ca/ --cert instance/user/cert.pem \\
        --out instance/crl/ca.crl

``login`` speaks this contract (the service must trust ``ca/cert.pem`` and the account must have
``user/cert.pem`` registered)::

    POST /api/v1/certificate-challenges {"fingerprint": "<sha256 hex of the DER>"}
      -> {"challenge_id": ..., "nonce": "<base64>", "expires_at": ...}
    POST /api/v1/sessions {"method": "certificate", "challenge_id": ..., "signature": "<base64>",
                           "scheme": <one of the schemes below>}
      schemes: "rsa-pkcs1v15-sha256", "rsa-pss-sha256", "ecdsa-p256-sha256" (DER), "sm2-sm3" (DER)

Keys are written unencrypted (PKCS#8 for RSA/EC, SEC1 "EC PRIVATE KEY" for SM2, as ``openssl
ecparam -name SM2 -genkey`` writes): they are test keys only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import ExtensionOID, NameOID
from gmssl import sm2 as gm_sm2
from gmssl import sm3 as gm_sm3

KINDS = ("rsa", "ec-p256", "sm2")
DEFAULT_SCHEME = {"rsa": "rsa-pkcs1v15-sha256", "ec-p256": "ecdsa-p256-sha256", "sm2": "sm2-sm3"}
SM2_DEFAULT_USER_ID = b"1234567812345678"
_SM2 = gm_sm2.default_ecc_table
_SM2_N = int(_SM2["n"], 16)

OID_SM2_CURVE = "1.2.156.10197.1.301"
OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_SIGNATURE_ALGORITHMS = {  # AlgorithmIdentifier used when this kind of key signs a certificate
    "rsa": ("1.2.840.113549.1.1.11", b"\x05\x00"),  # sha256WithRSAEncryption, NULL parameters
    "ec-p256": ("1.2.840.10045.4.3.2", b""),  # ecdsa-with-SHA256, no parameters
    "sm2": ("1.2.156.10197.1.501", b""),  # SM2-with-SM3 (GM/T 0015), no parameters
}


# --- DER encoding --------------------------------------------------------------------------------


def der_tlv(tag: int, content: bytes) -> bytes:
    """One DER tag-length-value (definite length, minimal length octets)."""
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + content


def der_integer(value: int) -> bytes:
    """A non-negative INTEGER in the fewest octets (a leading 0 keeps the sign bit clear)."""
    if value < 0:
        raise ValueError("only non-negative integers are needed here")
    return der_tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def der_oid(dotted: str) -> bytes:
    first, second, *rest = (int(arc) for arc in dotted.split("."))
    body = bytearray()
    for arc in (40 * first + second, *rest):
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.append(0x80 | (arc & 0x7F))
        body.extend(reversed(chunk))
    return der_tlv(0x06, bytes(body))


def der_sequence(*items: bytes) -> bytes:
    return der_tlv(0x30, b"".join(items))


def der_bit_string(data: bytes) -> bytes:
    return der_tlv(0x03, b"\x00" + data)  # whole octets: no unused bits


def der_octet_string(data: bytes) -> bytes:
    return der_tlv(0x04, data)


def der_explicit(number: int, inner: bytes) -> bytes:
    return der_tlv(0xA0 | number, inner)


def der_time(moment: datetime) -> bytes:
    """UTCTime up to 2049, GeneralizedTime after (RFC 5280 4.1.2.5)."""
    moment = moment.astimezone(UTC)
    if 1950 <= moment.year < 2050:
        return der_tlv(0x17, moment.strftime("%y%m%d%H%M%SZ").encode())
    return der_tlv(0x18, moment.strftime("%Y%m%d%H%M%SZ").encode())


def der_children(data: bytes) -> list[tuple[int, bytes]]:
    """Split concatenated DER TLVs into (tag, content); enough to read back our own key files."""
    items, offset = [], 0
    while offset < len(data):
        tag, size = data[offset], data[offset + 1]
        offset += 2
        if size & 0x80:
            count = size & 0x7F
            size = int.from_bytes(data[offset : offset + count], "big")
            offset += count
        items.append((tag, data[offset : offset + size]))
        offset += size
    return items


# --- SM2 -----------------------------------------------------------------------------------------


def sm3_digest(data: bytes) -> bytes:
    return bytes.fromhex(gm_sm3.sm3_hash(list(data)))


def sm2_public_point(private: int) -> bytes:
    """xA||yA (64 bytes) = d·G, with gmssl's scalar multiplication (a private helper of the pinned 3.2.2)."""
    point = gm_sm2.CryptSM2(private_key=None, public_key="")._kg(private, _SM2["g"])
    return bytes.fromhex(point)


def sm2_message_digest(point: bytes, message: bytes, user_id: bytes = SM2_DEFAULT_USER_ID) -> bytes:
    """e = SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GM/T 0003.2)."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    z = sm3_digest(entl + user_id + bytes.fromhex(_SM2["a"] + _SM2["b"] + _SM2["g"]) + point)
    return sm3_digest(z + message)


def sm2_sign(private: int, message: bytes, *, k: int | None = None) -> bytes:
    """SM2-with-SM3 signature as DER ``SEQUENCE {r, s}`` (GM/T 0009), default user ID.

    ``k`` is for known-answer tests only; otherwise each try draws it from ``secrets``.
    """
    point = sm2_public_point(private)
    digest = sm2_message_digest(point, message)
    signer = gm_sm2.CryptSM2(private_key=f"{private:064x}", public_key="")
    signer.public_key = point.hex()  # set directly: gmssl's lstrip("04") can eat digits of x
    while True:
        raw = signer.sign(digest, f"{k if k is not None else secrets.randbelow(_SM2_N - 1) + 1:064x}")
        if raw:  # None when r = 0, r + k = n or s = 0: draw another k
            return encode_dss_signature(int(raw[:64], 16), int(raw[64:], 16))
        if k is not None:
            raise ValueError("this k cannot sign this message")


# --- keys ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenKey:
    """A private key of one of the kinds a USB key holds."""

    kind: str  # "rsa" | "ec-p256" | "sm2"
    private: Any  # RSAPrivateKey | EllipticCurvePrivateKey | int (SM2 d)

    @classmethod
    def generate(cls, kind: str) -> TokenKey:
        if kind == "rsa":
            return cls(kind, rsa.generate_private_key(public_exponent=65537, key_size=2048))
        if kind == "ec-p256":
            return cls(kind, ec.generate_private_key(ec.SECP256R1()))
        if kind == "sm2":
            return cls(kind, secrets.randbelow(_SM2_N - 2) + 1)  # d in [1, n-2]
        raise ValueError(f"unknown key kind {kind!r}")

    def spki_der(self) -> bytes:
        """SubjectPublicKeyInfo; for SM2 id-ecPublicKey with the SM2 curve OID (GM/T 0015)."""
        if self.kind == "sm2":
            algorithm = der_sequence(der_oid(OID_EC_PUBLIC_KEY), der_oid(OID_SM2_CURVE))
            return der_sequence(algorithm, der_bit_string(b"\x04" + sm2_public_point(self.private)))
        return self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, message: bytes, scheme: str | None = None) -> bytes:
        """Sign as the USB key does: the token hashes ``message`` itself under ``scheme``."""
        scheme = scheme or DEFAULT_SCHEME[self.kind]
        if scheme == "sm2-sm3" and self.kind == "sm2":
            return sm2_sign(self.private, message)
        if scheme == "rsa-pkcs1v15-sha256" and self.kind == "rsa":
            return self.private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        if scheme == "rsa-pss-sha256" and self.kind == "rsa":
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
            return self.private.sign(message, pss, hashes.SHA256())
        if scheme == "ecdsa-p256-sha256" and self.kind == "ec-p256":
            return self.private.sign(message, ec.ECDSA(hashes.SHA256()))
        raise ValueError(f"a {self.kind} key cannot sign with {scheme!r}")

    def to_pem(self) -> bytes:
        if self.kind != "sm2":
            return self.private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        sec1 = der_sequence(
            der_integer(1),
            der_octet_string(self.private.to_bytes(32, "big")),
            der_explicit(0, der_oid(OID_SM2_CURVE)),
            der_explicit(1, der_bit_string(b"\x04" + sm2_public_point(self.private))),
        )
        return _pem("EC PRIVATE KEY", sec1)

    @classmethod
    def from_pem(cls, pem: bytes) -> TokenKey:
        """Read a key written by ``to_pem`` or by OpenSSL (``ecparam -name SM2 -genkey`` or
        ``genpkey -algorithm SM2``); SM2 keys are picked out by their curve OID."""
        curve = der_oid(OID_SM2_CURVE)
        if (sec1 := _unpem(pem, "EC PRIVATE KEY")) and curve in sec1:
            return cls("sm2", _sec1_private(sec1))
        if (pkcs8 := _unpem(pem, "PRIVATE KEY")) and curve in pkcs8:
            ((_, body),) = der_children(pkcs8)
            return cls("sm2", _sec1_private(der_children(body)[2][1]))  # version, algorithm, key
        key = serialization.load_pem_private_key(pem, password=None)
        return cls("rsa" if isinstance(key, rsa.RSAPrivateKey) else "ec-p256", key)


def _sec1_private(sec1: bytes) -> int:
    """d from RFC 5915 ``ECPrivateKey ::= SEQUENCE {version, privateKey OCTET STRING, ...}``."""
    ((_, body),) = der_children(sec1)
    return int.from_bytes(der_children(body)[1][1], "big")


# --- certificates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key; a CA is an ``Issued`` with ``is_ca`` set."""

    key: TokenKey
    pem: bytes
    name_der: bytes
    key_id: bytes

    @property
    def der(self) -> bytes:
        return _unpem(self.pem)


def make_ca(kind: str, common_name: str = "Test CA", *, days: int = 3650) -> Issued:
    """A self-signed CA certificate (basicConstraints cA, keyUsage keyCertSign + cRLSign)."""
    key = TokenKey.generate(kind)
    return issue_certificate(None, key, common_name, is_ca=True, not_after=_now() + timedelta(days=days))


def issue_leaf(
    ca: Issued,
    kind: str,
    common_name: str = "测试用户",
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    signing: bool = True,
    key: TokenKey | None = None,
) -> Issued:
    """A USB-key certificate issued by ``ca``; past dates make expired ones, ``signing=False`` an
    encryption-only one (keyUsage keyEncipherment), as the second certificate of a dual-cert key."""
    key = key or TokenKey.generate(kind)
    return issue_certificate(
        ca, key, common_name, not_before=not_before, not_after=not_after, signing=signing
    )


def issue_certificate(
    issuer: Issued | None,
    key: TokenKey,
    common_name: str,
    *,
    is_ca: bool = False,
    signing: bool = True,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    """Assemble and sign an X.509 v3 certificate; ``issuer=None`` makes it self-signed."""
    spki = key.spki_der()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "湖南测试CA" if is_ca else "湖南省某单位"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    ).public_bytes()
    key_id = _key_identifier(spki)
    signer_key, issuer_name, authority_id = (
        (key, name, key_id) if issuer is None else (issuer.key, issuer.name_der, issuer.key_id)
    )
    start = not_before or _now() - timedelta(minutes=5)
    tbs = der_sequence(
        der_explicit(0, der_integer(2)),  # v3
        der_integer(x509.random_serial_number()),
        _algorithm_identifier(signer_key.kind),
        issuer_name,
        der_sequence(der_time(start), der_time(not_after or start + timedelta(days=365))),
        name,
        spki,
        der_explicit(3, _extensions(is_ca, signing, key_id, authority_id)),
    )
    signature = _sign_tbs(signer_key, tbs)
    cert = der_sequence(tbs, _algorithm_identifier(signer_key.kind), der_bit_string(signature))
    return Issued(key=key, pem=_pem("CERTIFICATE", cert), name_der=name, key_id=key_id)


def make_crl(
    ca: Issued,
    revoked: list[Issued | int],
    *,
    this_update: datetime | None = None,
    next_update: datetime | None = None,
) -> bytes:
    """A v2 CRL (PEM) by ``ca`` listing ``revoked`` certificates (or serial numbers), signed by the
    CA's key of any kind (SM2-with-SM3 too, which ``cryptography``'s CRL builder cannot make)."""
    start = this_update or _now() - timedelta(minutes=5)
    serials = [
        r if isinstance(r, int) else x509.load_pem_x509_certificate(r.pem).serial_number for r in revoked
    ]
    entries = [der_sequence(der_integer(serial), der_time(start)) for serial in serials]
    tbs = der_sequence(
        der_integer(1),  # v2
        _algorithm_identifier(ca.key.kind),
        ca.name_der,
        der_time(start),
        der_time(next_update or start + timedelta(days=7)),
        *([der_sequence(*entries)] if entries else []),
    )
    crl = der_sequence(tbs, _algorithm_identifier(ca.key.kind), der_bit_string(_sign_tbs(ca.key, tbs)))
    return _pem("X509 CRL", crl)


def _extensions(is_ca: bool, signing: bool, key_id: bytes, authority_id: bytes) -> bytes:
    usage = x509.KeyUsage(
        digital_signature=signing and not is_ca,
        content_commitment=signing and not is_ca,
        key_encipherment=not signing,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=is_ca,
        crl_sign=is_ca,
        encipher_only=False,
        decipher_only=False,
    )
    entries = [
        (ExtensionOID.BASIC_CONSTRAINTS, True, x509.BasicConstraints(ca=is_ca, path_length=None)),
        (ExtensionOID.KEY_USAGE, True, usage),
        (ExtensionOID.SUBJECT_KEY_IDENTIFIER, False, x509.SubjectKeyIdentifier(key_id)),
        (
            ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
            False,
            x509.AuthorityKeyIdentifier(
                authority_id, authority_cert_issuer=None, authority_cert_serial_number=None
            ),
        ),
    ]
    return der_sequence(
        *(
            der_sequence(
                der_oid(oid.dotted_string),
                *([b"\x01\x01\xff"] if critical else []),  # BOOLEAN TRUE; FALSE is the default, omitted
                der_octet_string(value.public_bytes()),
            )
            for oid, critical, value in entries
        )
    )


def _key_identifier(spki: bytes) -> bytes:
    """RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits (an identifier, not security)."""
    ((_, body),) = der_children(spki)
    _, (_, key_bits) = der_children(body)
    return hashlib.sha1(key_bits[1:], usedforsecurity=False).digest()


def _algorithm_identifier(kind: str) -> bytes:
    oid, parameters = _SIGNATURE_ALGORITHMS[kind]
    return der_sequence(der_oid(oid), parameters)


def _sign_tbs(key: TokenKey, tbs: bytes) -> bytes:
    """CA signature over the TBSCertificate; SM2 uses the default user ID, as GM/T 0015 says."""
    if key.kind == "rsa":
        return key.private.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    if key.kind == "ec-p256":
        return key.private.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return sm2_sign(key.private, tbs)


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 over the DER, lower-case hex: how the service names a registered certificate."""
    return hashlib.sha256(_unpem(cert_pem)).hexdigest()


def _pem(label: str, der: bytes) -> bytes:
    body = base64.encodebytes(der).decode().replace("\n", "")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""]).encode()


def _unpem(pem: bytes, label: str = "CERTIFICATE") -> bytes:
    """The DER of the first ``label`` block (OpenSSL puts a parameters block before SM2 keys)."""
    text = pem.decode("ascii", "replace")
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    if begin not in text:
        return b""
    body = text.split(begin, 1)[1].split(end, 1)[0]
    return base64.b64decode("".join(body.split()))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- command line --------------------------------------------------------------------------------


def login(base_url: str, cert_pem: bytes, key: TokenKey, scheme: str | None = None) -> dict[str, Any]:
    """Run the challenge/response login against a running service.

    Returns ``{"step", "status", "body"}`` of the last request made: the challenge if it was refused,
    else the session.
    """
    import requests  # a dev dependency; the library part above does not need it

    scheme = scheme or DEFAULT_SCHEME[key.kind]
    challenge = requests.post(
        f"{base_url}/api/v1/certificate-challenges", json={"fingerprint": fingerprint(cert_pem)}, timeout=10
    )
    if challenge.status_code >= 400:
        return {"step": "challenge", "status": challenge.status_code, "body": _body(challenge)}
    issued = challenge.json()
    signature = key.sign(base64.b64decode(issued["nonce"]), scheme)
    session = requests.post(
        f"{base_url}/api/v1/sessions",
        json={
            "method": "certificate",
            "challenge_id": issued["challenge_id"],
            "signature": base64.b64encode(signature).decode(),
            "scheme": scheme,
        },
        timeout=10,
    )
    return {"step": "session", "status": session.status_code, "body": _body(session)}


def _body(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:  # requests' JSONDecodeError is a ValueError
        return response.text


def _write(folder: str, issued: Issued) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cert.pem").write_bytes(issued.pem)
    (out / "key.pem").touch(mode=0o600)  # private before anything is written to it
    (out / "key.pem").write_bytes(issued.key.to_pem())
    print(f"{out / 'cert.pem'}  sha256={fingerprint(issued.pem)}")


def _load(folder: str) -> Issued:
    pem = (Path(folder) / "cert.pem").read_bytes()
    cert = x509.load_pem_x509_certificate(pem)
    key = TokenKey.from_pem((Path(folder) / "key.pem").read_bytes())
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    return Issued(key=key, pem=pem, name_der=cert.subject.public_bytes(), key_id=ski)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-ca", help="make a self-signed test CA (writes cert.pem, key.pem)")
    make.add_argument("--kind", choices=KINDS, default="sm2")
    make.add_argument("--cn", default="Test CA")
    make.add_argument("--out", required=True)
    issue = commands.add_parser("issue", help="issue a USB-key certificate from a test CA")
    issue.add_argument("--ca", required=True, help="folder written by make-ca")
    issue.add_argument("--kind", choices=KINDS, default="sm2")
    issue.add_argument("--cn", default="测试用户")
    issue.add_argument("--days", type=int, default=365, help="validity; negative for an expired certificate")
    issue.add_argument("--out", required=True)
    revoke = commands.add_parser("revoke", help="write a CRL of a test CA revoking the given certificates")
    revoke.add_argument("--ca", required=True, help="folder written by make-ca")
    revoke.add_argument("--cert", action="append", default=[], help="a certificate to revoke (repeatable)")
    revoke.add_argument("--out", required=True, help="the CRL file to write (PEM), e.g. instance/crl/ca.crl")
    run = commands.add_parser("login", help="log in with a certificate against a running service")
    run.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    run.add_argument("--cert", required=True)
    run.add_argument("--key", required=True)
    run.add_argument("--scheme", choices=sorted({*DEFAULT_SCHEME.values(), "rsa-pss-sha256"}))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "make-ca":
        _write(args.out, make_ca(args.kind, args.cn))
    elif args.command == "issue":
        start = _now() - timedelta(minutes=5)
        end = start + timedelta(days=args.days)
        if args.days < 0:
            start, end = end - timedelta(days=365), end
        _write(args.out, issue_leaf(_load(args.ca), args.kind, args.cn, not_before=start, not_after=end))
    elif args.command == "revoke":
        serials = [x509.load_pem_x509_certificate(Path(c).read_bytes()).serial_number for c in args.cert]
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_bytes(make_crl(_load(args.ca), list(serials)))
        print(f"{args.out}  revoked={[format(s, 'X') for s in serials]}")
    else:
        import requests

        key = TokenKey.from_pem(Path(args.key).read_bytes())
        try:
            result = login(args.base_url.rstrip("/"), Path(args.cert).read_bytes(), key, args.scheme)
        except requests.RequestException as exc:
            print(f"cannot reach {args.base_url}: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(result, ensure_ascii=False, indent=2))
        # 403 verification_required is a login too: the gate's verification-scoped session.
        gated = isinstance(result["body"], dict) and result["body"].get("reason") == "verification_required"
        return 0 if result["status"] < 400 or gated else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
