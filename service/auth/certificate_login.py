"""Certificates on accounts and the challenge/response of CA USB-key login (数字证书登录).

Registering keeps the certificate's DER after checking that a configured CA issued it and that it
is valid now. A login asks for a challenge naming a registered certificate (SHA-256 fingerprint or
serial); the server keeps a random nonce in Redis for ``CERT_CHALLENGE_TTL`` seconds; the USB key
signs it (its PIN unlocks the key on the client); the answer consumes the challenge (``GETDEL``),
so a nonce is good for one try. The signature is verified before anything about the certificate is
said, so only the key holder learns that a certificate expired or is no longer trusted.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any, cast

from flask import current_app
from sqlalchemy import select

from models.accounts import Account
from models.base import db, utcnow
from models.certificates import Certificate
from service import audit
from service.auth import revocation
from service.auth.certificates import (
    CertificateError,
    CertificateInfo,
    check_certificate,
    load_certificate,
    verify_signature,
)
from service.platform import ratelimit
from service.platform.errors import Conflict, InvalidInput, NotFound, ServiceError, Unauthorized
from service.platform.extensions import redis_store

NONCE_PREFIX = b"xjy-certificate-login-v1:"  # the key signs something that can only be a login nonce

CERTIFICATE_MESSAGES = {
    "certificate_malformed": "证书格式不正确,请导出 PEM 格式的 X.509 证书",
    "certificate_key_unsupported": "不支持该证书的密钥类型(支持 SM2、RSA 2048位以上、ECDSA P-256)",
    "certificate_untrusted": "该证书不是由受信任的 CA 签发",
    "certificate_not_yet_valid": "证书尚未生效",
    "certificate_expired": "证书已过期,请更新 CA 锁证书",
    "certificate_usage_invalid": "该证书不能用于签名(可能是加密证书),请使用签名证书",
    "certificate_revoked": "该证书已被 CA 吊销,请联系 CA 更换证书",
    "certificate_revocation_unknown": "暂时无法确认该证书是否已被吊销,请稍后再试",
}


class CertificateLoginUnavailable(ServiceError):
    """The deployment has no CA bundle: a refusal by configuration, not a failure of the service."""

    status = 403
    reason = "certificate_login_unavailable"
    message = "数字证书登录暂未开通"


def refused(exc: CertificateError) -> InvalidInput:
    message = CERTIFICATE_MESSAGES.get(exc.reason, "证书无法使用")
    return InvalidInput(exc.reason, message, errors={"certificate": [message]})


def ca_bundle() -> list[bytes]:
    """The configured CA bundle, re-read when the file changes."""
    path = current_app.config.get("CA_BUNDLE_PATH")
    if not path:
        raise CertificateLoginUnavailable()
    stamp = Path(path).stat().st_mtime_ns
    cached = current_app.extensions.get("xjy_ca_bundle")
    if cached is None or cached[0] != (path, stamp):
        cached = ((path, stamp), [Path(path).read_bytes()])
        current_app.extensions["xjy_ca_bundle"] = cached
    return cached[1]


def trusted(info: CertificateInfo, at: dt.datetime) -> None:
    """Issued by a configured CA, valid at ``at``, and not revoked (CRLs, OCSP when configured).

    Raises:
        CertificateError: with the reason of ``CERTIFICATE_MESSAGES``.
    """
    bundle = ca_bundle()
    issuer = check_certificate(info, bundle, at)
    revocation.check(info, issuer, bundle, at)


def refresh_revocation_lists() -> dict[str, str]:
    """The scheduler's step: fetch the CAs' CRLs into ``CRL_DIR`` (nothing when either is unset)."""
    if not current_app.config.get("CA_BUNDLE_PATH") or not current_app.config.get("CRL_DIR"):
        return {}
    return revocation.refresh(ca_bundle())


# --- registration --------------------------------------------------------------------------------


def register(account: Account, pem: str, *, actor: Account, at: dt.datetime | None = None) -> Certificate:
    """Check and store a certificate for ``account``; ``at`` (tests) is the time it must be valid."""
    try:
        info = load_certificate(pem)
        trusted(info, at or utcnow())
    except CertificateError as exc:
        raise refused(exc) from None
    if db.session.scalar(
        select(Certificate.id).where(Certificate.fingerprint_sha256 == info.fingerprint_sha256)
    ):
        raise Conflict("certificate_registered", "该证书已被登记")
    certificate = Certificate(
        account_id=account.id,
        der=info.der,
        fingerprint_sha256=info.fingerprint_sha256,
        serial=info.serial,
        subject=info.subject[:512],
        issuer=info.issuer[:512],
        key_type=info.key_type,
        not_before=info.not_before,
        not_after=info.not_after,
        created_by_id=actor.id,
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("certificate.register", target_type="account", target_id=account.id, actor=actor,
                 detail={"certificate_id": certificate.id, "fingerprint": info.fingerprint_sha256,
                         "serial": info.serial, "key_type": info.key_type})  # fmt: skip
    db.session.commit()
    return certificate


def live_certificates(account_id: int) -> list[Certificate]:
    query = select(Certificate).where(Certificate.account_id == account_id, Certificate.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.id)))


def remove(account: Account, certificate_id: int, *, actor: Account) -> None:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.account_id != account.id or certificate.removed_at is not None:
        raise NotFound()
    certificate.removed_at = utcnow()
    audit.record("certificate.remove", target_type="account", target_id=account.id, actor=actor,
                 detail={"certificate_id": certificate.id})  # fmt: skip
    db.session.commit()


# --- challenge and response ----------------------------------------------------------------------


def _key(challenge_id: str) -> str:
    return f"xjy:cert-challenge:{challenge_id}"


def _find(fingerprint: str | None, serial: str | None) -> Certificate | None:
    live = select(Certificate).where(Certificate.removed_at.is_(None))
    if fingerprint:
        return db.session.scalar(live.where(Certificate.fingerprint_sha256 == fingerprint.strip().lower()))
    matches = db.session.scalars(live.where(Certificate.serial == (serial or "").strip().upper())).all()
    return matches[0] if len(matches) == 1 else None  # a serial is unique only per CA


def issue_challenge(fingerprint: str | None, serial: str | None, address: str | None) -> dict[str, Any]:
    """A single-use nonce for the named certificate.

    An unknown certificate gets a challenge too (bound to nothing, so its answer fails like a wrong
    signature): the answer never says which certificates are registered.
    """
    cfg = current_app.config
    ca_bundle()  # refuse early when certificate login is not configured
    if address:
        ratelimit.enforce(cfg["CERT_CHALLENGE_LIMITS_PER_ADDRESS"], "cert-challenge-addr", address,
                          reason="challenge_rate_limited", message="请求过于频繁,请稍后再试")  # fmt: skip
    certificate = _find(fingerprint, serial)
    challenge_id = secrets.token_urlsafe(16)
    nonce = NONCE_PREFIX + secrets.token_bytes(32)
    ttl = cfg["CERT_CHALLENGE_TTL"]
    record = {
        "certificate_id": certificate.id if certificate else None,
        "nonce": base64.b64encode(nonce).decode(),
    }
    redis_store.client.set(_key(challenge_id), json.dumps(record), ex=ttl)
    return {
        "challenge_id": challenge_id,
        "nonce": record["nonce"],
        "expires_at": utcnow() + dt.timedelta(seconds=ttl),
    }


def take_challenge(challenge_id: str) -> tuple[Certificate | None, bytes]:
    """Consume a challenge: (its certificate or None, the nonce). Raises when expired or used."""
    # redis-py types sync and asyncio replies alike; this sync client (decode_responses=False) gives bytes.
    raw = cast("bytes | None", redis_store.client.getdel(_key(challenge_id)))
    if raw is None:
        raise Unauthorized("challenge_invalid", "登录挑战已失效或已使用,请重新获取")
    record = json.loads(raw)
    certificate = db.session.get(Certificate, record["certificate_id"]) if record["certificate_id"] else None
    if certificate is not None and certificate.removed_at is not None:
        certificate = None
    return certificate, base64.b64decode(record["nonce"])


def signature_matches(certificate: Certificate, nonce: bytes, signature_b64: str, scheme: str) -> bool:
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        verify_signature(load_der(certificate), nonce, signature, scheme)
    except (CertificateError, binascii.Error, ValueError):
        return False
    return True


def check_still_valid(certificate: Certificate) -> None:
    """After a good signature: trust, dates and revocation now, with the certificate's own reason codes."""
    try:
        trusted(load_der(certificate), utcnow())
    except CertificateError as exc:
        message = CERTIFICATE_MESSAGES.get(exc.reason, "证书无法使用")
        raise Unauthorized(exc.reason, message) from None


def load_der(certificate: Certificate) -> CertificateInfo:
    from cryptography.hazmat.primitives.serialization import Encoding
    from cryptography.x509 import load_der_x509_certificate

    return load_certificate(load_der_x509_certificate(certificate.der).public_bytes(Encoding.PEM))
