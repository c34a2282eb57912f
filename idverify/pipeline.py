"""The whole real-person verification: both card sides, card face vs live face, liveness.

``verify`` is what the service's RQ job calls. It reads the front (with the declared name and
number), the back, encodes the card portrait once, and runs the liveness challenge with that
encoding, so the live person must match the card in every encoded frame. A separate still
selfie is optional: the liveness frames already hold the live face.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from idverify import faces, idcard, liveness
from idverify.types import FaceMatchResult, LivenessResult, RGBImage, Side, VerificationResult


@dataclass(frozen=True, slots=True)
class VerifyConfig:
    """Settings for a whole verification.

    Attributes:
        card: card reader settings.
        liveness: liveness thresholds (its ``identity_threshold`` is also the face-match threshold).
        face_threshold: card-vs-live encoding distance at or below which faces match.
    """

    card: idcard.CardConfig = field(default_factory=lambda: idcard.CardConfig(find_portrait_face=False))
    liveness: liveness.LivenessConfig = field(default_factory=liveness.LivenessConfig)
    face_threshold: float = faces.DEFAULT_THRESHOLD


def warm_up() -> None:
    """Load the OCR and face models (call in the worker before forking)."""
    from idverify.ocr import get_ocr_engine

    get_ocr_engine()
    faces.get_face_models()


def verify(
    front: bytes | RGBImage,
    back: bytes | RGBImage,
    frames: Sequence[bytes | RGBImage] | bytes,
    challenge: Sequence[str],
    *,
    declared_name: str | None = None,
    declared_id_number: str | None = None,
    today: dt.date | None = None,
    config: VerifyConfig | None = None,
) -> VerificationResult:
    """Run every stage and return pass/fail with reason codes; never raises for bad input.

    Args:
        front: photo of the portrait side.
        back: photo of the emblem side.
        frames: the liveness frames (4-12 images) or a short MP4/WebM clip.
        challenge: the actions that were asked for (from ``liveness.new_challenge``).
        declared_name: the registered real name, compared with the card.
        declared_id_number: the registered ID number, compared with the card.
        today: reference date for expiry (defaults to today).
        config: thresholds.

    Returns:
        VerificationResult: ``ok`` only when both sides read and pass their checks, the card face
        matches the live face, and the liveness challenge passes. ``reasons`` collects every
        stage's reason codes in order (front, back, face, liveness), without duplicates.
    """
    config = config or VerifyConfig()
    start = time.perf_counter()
    timings: dict[str, float] = {}
    front_result = idcard.read_card(front, Side.FRONT, today=today, declared_name=declared_name,
                                    declared_id_number=declared_id_number, config=config.card)  # fmt: skip
    timings["front_ms"] = _lap(start, timings)
    back_result = idcard.read_card(back, Side.BACK, today=today, config=config.card)
    timings["back_ms"] = _lap(start, timings)
    encoding = faces.card_face_encoding(front_result.portrait) if front_result.portrait is not None else None
    timings["card_face_ms"] = _lap(start, timings)
    live = liveness.check_liveness(frames, challenge, card_encoding=encoding, config=config.liveness)
    timings["liveness_ms"] = _lap(start, timings)
    face = _face_result(encoding, live, config.face_threshold, front_result.portrait is not None)
    reasons: list[str] = []
    for part in (front_result.reasons, back_result.reasons, face.reasons, live.reasons):
        reasons += [r for r in part if r not in reasons]
    timings["total_ms"] = round((time.perf_counter() - start) * 1000, 2)
    return VerificationResult(not reasons, tuple(reasons), front_result, back_result, face, live, timings)


def _face_result(
    encoding: faces.Encoding | None, live: LivenessResult, threshold: float, had_portrait: bool
) -> FaceMatchResult:
    """Card-vs-live outcome, taken from the liveness reference frame's distance to the card."""
    if encoding is None:
        reasons = ("card_face_not_found",) if had_portrait else ()
        return FaceMatchResult(False, reasons, None, threshold, 0)
    distance = live.card_distance
    if distance is None:
        return FaceMatchResult(False, (), None, threshold, 0)
    ok = distance <= threshold
    return FaceMatchResult(ok, () if ok else ("face_mismatch",), distance, threshold, 1)


def _lap(start: float, timings: dict[str, float]) -> float:
    elapsed = (time.perf_counter() - start) * 1000 - sum(timings.values())
    return round(elapsed, 2)
