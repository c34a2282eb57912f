"""The national algorithms against their standards' examples, each checked with two libraries:
OpenSSL (through ``cryptography``, what the service uses) and gmssl's independent pure-Python code."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from gmssl import func
from gmssl import sm3 as gm_sm3
from gmssl import sm4 as gm_sm4

from service.platform.ciphers import SM4GCM, hmac_sm3, sm3

SM4_KEY = bytes.fromhex("0123456789abcdeffedcba9876543210")


def test_sm4_block_gb_t_32907_example_1():
    """GB/T 32907-2016 Appendix A, example 1: the key encrypts itself."""
    encryptor = Cipher(algorithms.SM4(SM4_KEY), modes.ECB()).encryptor()  # noqa: S305 - one block, the standard's example
    assert (encryptor.update(SM4_KEY) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_gmssl_sm4_agrees_with_the_standard():
    cipher = gm_sm4.CryptSM4()
    cipher.set_key(SM4_KEY, gm_sm4.SM4_ENCRYPT)
    assert cipher.crypt_ecb(SM4_KEY)[:16].hex() == "681edf34d206965e86b3e94f536e4246"  # then PKCS#7 padding


@pytest.mark.parametrize(
    ("message", "digest"),
    [
        (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ],
    ids=["example-1", "example-2"],
)
def test_sm3_gb_t_32905_examples(message, digest):
    assert sm3(message) == digest
    assert gm_sm3.sm3_hash(func.bytes_to_list(message)) == digest


def test_sm4_gcm_rfc_8998_vector():
    """RFC 8998 Appendix A.1 (SM4-GCM as TLS 1.3 uses it)."""
    nonce = bytes.fromhex("00001234567800000000abcd")
    aad = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    plain = bytes.fromhex("".join(c * 16 for c in "abcdefea"))
    sealed = SM4GCM(SM4_KEY).encrypt(nonce, plain, aad)
    assert sealed.hex() == (
        "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735"
        "d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d"
        "83de3541e4c2b58177e065a9bf7b62ec"  # the tag
    )
    assert SM4GCM(SM4_KEY).decrypt(nonce, sealed, aad) == plain


@pytest.mark.parametrize("tamper", ["ciphertext", "aad", "truncated"])
def test_sm4_gcm_refuses_altered_data(tamper):
    nonce = bytes(12)
    sealed = SM4GCM(SM4_KEY).encrypt(nonce, b"430102198506150011", b"purpose")
    aad = b"purpose"
    if tamper == "ciphertext":
        sealed = bytes([sealed[0] ^ 1]) + sealed[1:]
    elif tamper == "aad":
        aad = b"another purpose"
    else:
        sealed = sealed[:10]
    with pytest.raises(InvalidTag):
        SM4GCM(SM4_KEY).decrypt(nonce, sealed, aad)


def _rfc2104_hmac_sm3(key: bytes, message: bytes) -> str:
    """HMAC (RFC 2104, GB/T 15852.2) spelled out over gmssl's SM3: 64-byte blocks."""
    key = key.ljust(64, b"\0")

    def digest(data: bytes) -> bytes:
        return bytes.fromhex(gm_sm3.sm3_hash(func.bytes_to_list(data)))

    inner = digest(bytes(k ^ 0x36 for k in key) + message)
    return digest(bytes(k ^ 0x5C for k in key) + inner).hex()


@pytest.mark.parametrize("message", [b"", b"430102198506150011", "测试".encode() * 50])
def test_hmac_sm3_is_rfc_2104_over_sm3(message):
    assert hmac_sm3(b"lookup key", message) == _rfc2104_hmac_sm3(b"lookup key", message)
