"""The authority check (公安人像比对): a provider compares the live face with the public-security
photo of the declared ID number and name, and answers in its own result codes.

Off by default (``XJY_AUTHORITY_CHECK``). When on, the verification job asks it after the card read and
before the face match, and the answer decides with the engine's: a mismatch fails the attempt; no
such identity or no photo on record sends it to support (``needs_review``); a provider that is over
its daily limit, down, slow or refusing our credentials leaves the attempt queued for the scheduler's
sweep to run again - an outage on our side never fails a person. A circuit breaker (state in Redis,
shared by all workers) stops calling a provider that keeps failing for a while.

The HTTP adapter speaks a plain JSON protocol (README): POST ``{"request_id", "name", "id_number",
"photo"}`` (photo base64 JPEG) with ``X-App-Id``, ``X-Timestamp`` and ``X-Signature`` (hex
HMAC-SHA256 of ``"<timestamp>.<body>"`` under the app secret); the answer ``{"code", "message",
"score"}``. Provider codes map to ours through ``DEFAULT_CODES``, which ``XJY_AUTHORITY_RESULT_CODES``
extends or overrides, so a gateway in front of a commercial service needs no code change here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from flask import current_app

from idverify.images import decode_video, encode_jpeg
from service.platform.extensions import redis_store

log = logging.getLogger(__name__)

MATCH, REVIEW, FAILED, RETRY = "match", "review", "failed", "retry"
#: our code -> what it means for the attempt
OUTCOMES = {
    "authority_match": MATCH,
    "authority_not_found": REVIEW,  # 库中无此号
    "authority_no_photo": REVIEW,  # 库中无照片
    "authority_unknown_code": REVIEW,  # a code the table does not know: support reads it in the evidence
    "authority_identity_mismatch": FAILED,  # 姓名与号码不一致
    "authority_face_mismatch": FAILED,  # 人像与库中照片不一致
    "authority_limit_reached": RETRY,  # 调用量超限
    "authority_unavailable": RETRY,  # 数据源异常, timeouts, 5xx, refused credentials
    "authority_circuit_open": RETRY,  # not called: it failed too often just now
}
#: provider code -> our code (the defaults of the JSON protocol; XJY_AUTHORITY_RESULT_CODES adds)
DEFAULT_CODES = {
    "0": "authority_match",
    "1001": "authority_not_found",
    "1002": "authority_no_photo",
    "1003": "authority_identity_mismatch",
    "1004": "authority_face_mismatch",
    "2001": "authority_limit_reached",
    "2002": "authority_unavailable",
}
_FAILURES_KEY = "xjy:authority:failures"
_OPEN_KEY = "xjy:authority:circuit-open"


@dataclass(frozen=True)
class AuthorityAnswer:
    """Our code, what it means (match | review | failed | retry), and the provider's own words."""

    code: str
    outcome: str
    provider_code: str | None = None
    provider_message: str | None = None
    score: float | None = None
    elapsed_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """For the evidence support reads (no personal data: the request held the name and number)."""
        return asdict(self)


def answer(code: str, **extra: Any) -> AuthorityAnswer:
    return AuthorityAnswer(code, OUTCOMES.get(code, REVIEW), **extra)


class AuthorityCheck(Protocol):
    """Compares a live photo with the public-security photo of ``id_number`` and ``name``."""

    def check(self, request_id: str, name: str, id_number: str, photo: bytes) -> AuthorityAnswer: ...


class HttpAuthorityCheck:
    """The JSON-over-HTTP adapter (module docstring), with a timeout on every call."""

    def __init__(self, url: str, app_id: str, secret: str, timeout: float, codes: Mapping[str, str]) -> None:
        self.url, self.app_id, self.secret = url, app_id, secret.encode()
        self.timeout, self.codes = timeout, codes

    def check(self, request_id: str, name: str, id_number: str, photo: bytes) -> AuthorityAnswer:
        fields = {"request_id": request_id, "name": name, "id_number": id_number}
        body = json.dumps({**fields, "photo": base64.b64encode(photo).decode()}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        signature = hmac.new(self.secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(  # noqa: S310 - the operator's configured https URL
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-App-Id": self.app_id,
                "X-Timestamp": timestamp,
                "X-Signature": signature,
            },
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                reply = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            code = "authority_limit_reached" if exc.code == 429 else "authority_unavailable"
            return answer(code, provider_code=f"http_{exc.code}", elapsed_ms=_ms(started))
        except (OSError, ValueError) as exc:  # refused, timed out, reset, not JSON
            return answer(
                "authority_unavailable", provider_message=type(exc).__name__, elapsed_ms=_ms(started)
            )
        provider_code = str(reply.get("code"))
        score = reply.get("score")
        return answer(
            self.codes.get(provider_code, "authority_unknown_code"),
            provider_code=provider_code,
            provider_message=str(reply.get("message") or "")[:200] or None,
            score=float(score) if isinstance(score, int | float) else None,
            elapsed_ms=_ms(started),
        )


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def get_check() -> AuthorityCheck | None:
    """The configured adapter, None when the check is off. Tests may put another in
    ``app.extensions["authority_check"]``."""
    cfg = current_app.config
    if not cfg["AUTHORITY_CHECK"]:
        return None
    if "authority_check" in current_app.extensions:
        check: AuthorityCheck = current_app.extensions["authority_check"]
        return check
    if not cfg.get("AUTHORITY_URL"):
        raise RuntimeError("AUTHORITY_CHECK is on but AUTHORITY_URL is not set")
    codes = {**DEFAULT_CODES, **(cfg.get("AUTHORITY_RESULT_CODES") or {})}
    return HttpAuthorityCheck(
        cfg["AUTHORITY_URL"],
        cfg.get("AUTHORITY_APP_ID") or "",
        cfg.get("AUTHORITY_APP_SECRET") or "",
        float(cfg["AUTHORITY_TIMEOUT_SECONDS"]),
        codes,
    )


def ask(check: AuthorityCheck, request_id: str, name: str, id_number: str, photo: bytes) -> AuthorityAnswer:
    """One check through the circuit breaker: after ``AUTHORITY_BREAKER_FAILURES`` answers in a row
    that say retry, the provider is left alone for ``AUTHORITY_BREAKER_SECONDS``; any other answer
    closes the count again."""
    cfg, redis = current_app.config, redis_store.client
    if redis.exists(_OPEN_KEY):
        return answer("authority_circuit_open")
    result = check.check(request_id, name, id_number, photo)
    if result.outcome != RETRY:
        redis.delete(_FAILURES_KEY)
        return result
    failures: int = redis.incr(_FAILURES_KEY)  # type: ignore[assignment]  # sync client, not awaitable
    redis.expire(_FAILURES_KEY, int(cfg["AUTHORITY_BREAKER_SECONDS"]) * 2)
    if failures >= int(cfg["AUTHORITY_BREAKER_FAILURES"]):
        redis.set(_OPEN_KEY, "1", ex=int(cfg["AUTHORITY_BREAKER_SECONDS"]))
        redis.delete(_FAILURES_KEY)
        log.warning("authority check: circuit open after %d failures (%s)", failures, result.code)
    return result


def live_photo(live: bytes | tuple[bytes, ...]) -> bytes | None:
    """The still sent to the provider: the first liveness frame as uploaded, or a clip's first
    frame as JPEG (None when the clip cannot be decoded: the engine reports that itself)."""
    if isinstance(live, tuple):
        return live[0] if live else None
    frames = decode_video(live, max_frames=1).frames
    return encode_jpeg(frames[0]) if frames else None


def check_attempt(
    attempt_id: int, name: str | None, id_number: str | None, live: bytes | tuple[bytes, ...]
) -> AuthorityAnswer | None:
    """The authority's answer for an attempt, None when the check is off or there is nothing to
    send (the engine then decides alone)."""
    check = get_check()
    photo = live_photo(live) if check else None
    if check is None or photo is None or not name or not id_number:
        return None
    return ask(check, f"verification-{attempt_id}-{int(time.time())}", name, id_number, photo)


def merge(
    reasons: list[str], review: list[str], checked: AuthorityAnswer | None
) -> tuple[list[str], list[str]]:
    """The engine's failure and review reasons with the authority's answer added where it counts."""
    if checked is not None and checked.outcome == FAILED:
        return [*reasons, checked.code], review
    if checked is not None and checked.outcome == REVIEW:
        return reasons, [*review, checked.code]
    return reasons, review
