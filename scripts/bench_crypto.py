"""Prints what sealing data at rest costs per algorithm: MB/s for a 2 MB upload under AES-256-GCM and
SM4-GCM (OpenSSL through ``cryptography``), gmssl's pure-Python SM4 for comparison, and microseconds
per ID-number lookup hash under HMAC-SHA256 and HMAC-SM3.

    python -m scripts.bench_crypto
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

from gmssl import sm4 as gm_sm4

from service.platform.ciphers import CIPHERS, MACS

UPLOAD = os.urandom(2 * 1024 * 1024)
NONCE = bytes(12)


def _median_seconds(run: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    mb = len(UPLOAD) / 1e6
    for name, (length, make) in CIPHERS.items():
        aead = make(os.urandom(length))
        sealed = aead.encrypt(NONCE, UPLOAD, b"v")
        seal_s = _median_seconds(lambda a=aead: a.encrypt(NONCE, UPLOAD, b"v"))
        open_s = _median_seconds(lambda a=aead, s=sealed: a.decrypt(NONCE, s, b"v"))
        print(f"{name:12s} seal {mb / seal_s:8.1f} MB/s  open {mb / open_s:8.1f} MB/s  (2 MB, median of 7)")
    sample = UPLOAD[: 64 * 1024]
    cipher = gm_sm4.CryptSM4()
    cipher.set_key(os.urandom(16), gm_sm4.SM4_ENCRYPT)
    gm_s = _median_seconds(lambda: cipher.crypt_cbc(bytes(16), sample), repeat=3)
    rate = len(sample) / 1e6 / gm_s
    print(f"{'gmssl sm4-cbc':12s} seal {rate:8.3f} MB/s  (64 KB, pure Python, median of 3)")
    number = b"430102198506150011"
    for name, mac in MACS.items():
        per = _median_seconds(lambda m=mac: [m(b"lookup key", number) for _ in range(10_000)]) / 10_000
        print(f"{name:12s} {per * 1e6:6.1f} us per ID-number lookup hash")


if __name__ == "__main__":
    main()
