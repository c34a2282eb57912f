"""The algorithms data at rest may be kept under, by name: AEAD ciphers (AES-256-GCM, SM4-GCM) and
keyed hashes (HMAC-SHA256, HMAC-SM3).

SM4 (GB/T 32907-2016) and SM3 (GB/T 32905-2016) are the national commercial algorithms (国密) a
government system is assessed for (GB/T 39786-2021). Both come from OpenSSL through ``cryptography``:
SM4 in GCM mode (as specified for TLS in RFC 8998) is an AEAD like AES-GCM, so the sealed layout is
the same for both (nonce, ciphertext, 16-byte tag). gmssl's pure-Python SM4 has no GCM and ran at
about 10 KB/s here (OpenSSL's SM4-GCM at about 12 MB/s, AES-GCM at over 1 GB/s with AES-NI:
``python -m scripts.bench_crypto``), far too slow for images; the tests check both libraries against
the standards.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
TAG_BYTES = 16


class Aead(Protocol):
    """AESGCM's shape: ``encrypt`` returns ciphertext followed by the tag; ``decrypt`` raises
    ``cryptography.exceptions.InvalidTag`` when the key, nonce, data or associated data differ."""

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class SM4GCM:
    """SM4 in Galois/Counter Mode with a 96-bit nonce and a 128-bit tag, shaped like ``AESGCM``."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 16:
            raise ValueError("SM4 keys are 16 bytes")
        self._key = key

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(associated_data or b"")
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        if len(data) < TAG_BYTES:
            raise InvalidTag()
        body, tag = data[:-TAG_BYTES], data[-TAG_BYTES:]
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(associated_data or b"")
        return decryptor.update(body) + decryptor.finalize()


#: cipher name -> (key length in bytes, constructor)
CIPHERS: dict[str, tuple[int, Callable[[bytes], Aead]]] = {
    "aes-256-gcm": (32, AESGCM),
    "sm4-gcm": (16, SM4GCM),
}


def hmac_sha256(key: bytes, data: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def sm3(data: bytes) -> str:
    """The SM3 digest, hex (64 characters, as SHA-256's)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


#: keyed-hash name -> function(key, data) -> 64 hex characters
MACS: dict[str, Callable[[bytes, bytes], str]] = {
    "hmac-sha256": hmac_sha256,
    "hmac-sm3": hmac_sm3,
}
