"""Secrets at rest: sealed data (ID numbers, uploads, card reads, webhook secrets) under versioned
keys, keyed lookup hashes, passwords (argon2id), tokens.

Every sealed value starts with the one-byte version of the key it was sealed under, so a deployment
can rotate keys or switch algorithms (AES-256-GCM or SM4-GCM, HMAC-SHA256 or HMAC-SM3) without a
flag day: new data is sealed under ``DATA_KEY_VERSION``, old data is opened with the key its version
names until ``flask crypto reencrypt`` has resealed it. Version 1 is ``ID_NUMBER_KEY`` under
AES-256-GCM and ``LOOKUP_KEY`` under HMAC-SHA256 (what the service has always used); further versions
come from ``DATA_KEYS`` and ``LOOKUP_KEYS`` (``VERSION:ALGORITHM:KEY``, comma-separated). Lookup hashes
carry no version: a lookup compares against the hash under every configured lookup key, and
``reencrypt`` rewrites stored hashes under the current one. Keys come from config only.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from service.platform.ciphers import CIPHERS, MACS, NONCE_BYTES, Aead

# OWASP Password Storage Cheat Sheet's argon2id minimum: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Keyring:
    """The configured keys by version: data keys (an AEAD each) and lookup keys (a keyed hash each)."""

    data: Mapping[int, tuple[str, Aead]]
    data_version: int
    lookup: Mapping[int, tuple[str, bytes]]
    lookup_version: int


def _entries(spec: str | None, setting: str) -> dict[int, tuple[str, str]]:
    """``2:sm4-gcm:KEY, 3:...`` -> {2: ("sm4-gcm", "KEY")}; version 1 belongs to the original keys."""
    entries: dict[int, tuple[str, str]] = {}
    for item in (spec or "").replace(",", " ").split():
        version, _, rest = item.partition(":")
        algorithm, _, key = rest.partition(":")
        if not version.isdigit() or not 2 <= int(version) <= 255 or not key or int(version) in entries:
            raise RuntimeError(f"{setting}: entries are VERSION:ALGORITHM:KEY with distinct versions 2-255")
        entries[int(version)] = (algorithm, key)
    return entries


def _aead(cipher: str, key_b64: str, setting: str) -> Aead:
    if cipher not in CIPHERS:
        raise RuntimeError(f"{setting}: unknown cipher {cipher!r} (one of {', '.join(CIPHERS)})")
    length, make = CIPHERS[cipher]
    try:
        key = base64.b64decode(key_b64, validate=True)
    except binascii.Error:
        key = b""
    if len(key) != length:
        raise RuntimeError(f"{setting}: a {cipher} key is {length} bytes, base64-encoded")
    return make(key)


@functools.lru_cache(maxsize=8)
def _parse(
    id_key: str,
    data_keys: str | None,
    data_version: int,
    lookup_key: str,
    lookup_keys: str | None,
    lookup_version: int,
) -> Keyring:
    data = {1: ("aes-256-gcm", _aead("aes-256-gcm", id_key, "ID_NUMBER_KEY"))}
    for version, (cipher, key) in _entries(data_keys, "DATA_KEYS").items():
        data[version] = (cipher, _aead(cipher, key, "DATA_KEYS"))
    lookup = {1: ("hmac-sha256", lookup_key.encode())}
    for version, (algorithm, key) in _entries(lookup_keys, "LOOKUP_KEYS").items():
        if algorithm not in MACS:
            raise RuntimeError(f"LOOKUP_KEYS: unknown keyed hash {algorithm!r} (one of {', '.join(MACS)})")
        lookup[version] = (algorithm, key.encode())
    if data_version not in data:
        raise RuntimeError(f"DATA_KEY_VERSION {data_version} is not among the configured data keys")
    if lookup_version not in lookup:
        raise RuntimeError(f"LOOKUP_KEY_VERSION {lookup_version} is not among the configured lookup keys")
    return Keyring(data, data_version, lookup, lookup_version)


def check_keys(config: Mapping[str, Any]) -> Keyring:
    """The keyring the config describes; raises RuntimeError naming the setting that is wrong (the
    app refuses to start rather than fail at the first upload)."""
    return _parse(
        config["ID_NUMBER_KEY"],
        config.get("DATA_KEYS") or None,
        int(config.get("DATA_KEY_VERSION") or 1),
        config["LOOKUP_KEY"],
        config.get("LOOKUP_KEYS") or None,
        int(config.get("LOOKUP_KEY_VERSION") or 1),
    )


def keyring() -> Keyring:
    return check_keys(current_app.config)


def seal(data: bytes, purpose: bytes) -> bytes:
    """Encrypt under the current data key: version byte, nonce, ciphertext and tag. The version and
    ``purpose`` are bound in as associated data, so a blob sealed for one use cannot be passed off as
    another, nor its version byte changed."""
    ring = keyring()
    version = bytes([ring.data_version])
    nonce = os.urandom(NONCE_BYTES)
    return version + nonce + ring.data[ring.data_version][1].encrypt(nonce, data, version + purpose)


def unseal(blob: bytes, purpose: bytes) -> bytes:
    """Decrypt with the key the blob's version byte names (raises ``InvalidTag`` if it was altered)."""
    version, nonce, sealed = blob[:1], blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    return _data_key(version[0]).decrypt(nonce, sealed, version + purpose)


def _data_key(version: int) -> Aead:
    ring = keyring()
    if version not in ring.data:
        raise RuntimeError(f"data sealed under key version {version}, which is not configured (DATA_KEYS)")
    return ring.data[version][1]


def key_version(sealed: bytes | str) -> int:
    """The key version a sealed value (bytes, or an ID number's base64 text) was sealed under."""
    raw = base64.b64decode(sealed[:4]) if isinstance(sealed, str) else sealed[:1]
    return raw[0]


def reseal(blob: bytes, purpose: bytes) -> bytes | None:
    """The blob sealed again under the current key, or None when it already is."""
    if key_version(blob) == keyring().data_version:
        return None
    return seal(unseal(blob, purpose), purpose)


def encrypt_id_number(number: str) -> str:
    """An ID number sealed (no purpose: its associated data is the version byte alone), base64."""
    return base64.b64encode(seal(number.encode(), b"")).decode()


def decrypt_id_number(token: str) -> str:
    return unseal(base64.b64decode(token), b"").decode()


def _mac(version: int, data: bytes) -> str:
    algorithm, key = keyring().lookup[version]
    return MACS[algorithm](key, data)


def lookup_hash(value: str) -> str:
    """The keyed hash stored to find and de-duplicate ID numbers without storing them (current key)."""
    return _mac(keyring().lookup_version, value.encode())


def lookup_hashes(value: str) -> tuple[str, ...]:
    """The value's hash under every configured lookup key, the current first: what a lookup compares
    a stored hash with, so rows hashed under an earlier key are still found until they are rehashed."""
    ring = keyring()
    versions = [ring.lookup_version, *sorted(set(ring.lookup) - {ring.lookup_version})]
    return tuple(_mac(v, value.encode()) for v in versions)


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
    """One-time codes are stored (for minutes) as a keyed hash bound to their phone and purpose, under
    the current lookup key: a code in flight while the key changes has to be asked for again."""
    return _mac(keyring().lookup_version, f"{salt}:{code}".encode())
