"""Secrets at rest: ID numbers (AES-GCM + keyed lookup hash), passwords (argon2id), tokens.

Keys come from config only. The ID-number key is 32 bytes, base64-encoded; rotating it means
re-encrypting (the ciphertext carries a one-byte key version for that day).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

_KEY_VERSION = b"\x01"
# OWASP Password Storage Cheat Sheet's argon2id minimum: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _aead() -> AESGCM:
    key = base64.b64decode(current_app.config["ID_NUMBER_KEY"])
    if len(key) != 32:
        raise RuntimeError("ID_NUMBER_KEY must be 32 bytes, base64-encoded")
    return AESGCM(key)


def encrypt_id_number(number: str) -> str:
    """AES-256-GCM with a random nonce; the key version is bound in as associated data."""
    nonce = os.urandom(12)
    sealed = _aead().encrypt(nonce, number.encode(), _KEY_VERSION)
    return base64.b64encode(_KEY_VERSION + nonce + sealed).decode()


def decrypt_id_number(token: str) -> str:
    raw = base64.b64decode(token)
    version, nonce, sealed = raw[:1], raw[1:13], raw[13:]
    return _aead().decrypt(nonce, sealed, version).decode()


def seal(data: bytes, purpose: bytes) -> bytes:
    """AES-256-GCM for biometric uploads; ``purpose`` is bound in, so a blob sealed for one use
    cannot be passed off as another."""
    nonce = os.urandom(12)
    return _KEY_VERSION + nonce + _aead().encrypt(nonce, data, _KEY_VERSION + purpose)


def unseal(blob: bytes, purpose: bytes) -> bytes:
    version, nonce, sealed = blob[:1], blob[1:13], blob[13:]
    return _aead().decrypt(nonce, sealed, version + purpose)


def lookup_hash(value: str) -> str:
    """Keyed HMAC-SHA256: lets us find and de-duplicate ID numbers without storing them."""
    key = current_app.config["LOOKUP_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Constant-shape check: an account without a password still pays for one verification."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_token() -> tuple[str, str]:
    """A 256-bit bearer token and the SHA-256 we store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_code(code: str, salt: str) -> str:
    """One-time codes are stored as a keyed hash bound to their phone and purpose."""
    key = current_app.config["LOOKUP_KEY"].encode()
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()
