"""The whole real-person verification: both card sides, card face vs live face, liveness.

Two halves the service can run as separate jobs: :func:`read_cards` reads the front (with the
declared name and number) and the back and encodes the card portrait once (right after upload);
:func:`verify_live` runs the liveness challenge with that encoding, so the live person must match
the card in every encoded frame. :func:`verify` is both in one call. A separate still selfie is
optional: the liveness frames already hold the live face.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from idverify import faces, idcard, liveness
from idverify.types import (
    CardsResult,
    FaceMatchResult,
    LivenessResult,
    Problem,
    RGBImage,
    Severity,
    Side,
    VerificationResult,
)


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
    from idverify import hanzi
    from idverify.ocr import get_ocr_engine

    get_ocr_engine()
    faces.get_face_models()
    hanzi.to_simplified("")  # its table, read once here rather than in the first job


def read_cards(
    front: bytes | RGBImage,
    back: bytes | RGBImage,
    *,
    declared_name: str | None = None,
    declared_id_number: str | None = None,
    today: dt.date | None = None,
    config: VerifyConfig | None = None,
) -> CardsResult:
    """Read and check both card sides and encode the card portrait: the card half of a verification.

    The service can run it as its own job right after the uploads (its result tells the person at
    once what to retake) and keep its ``to_dict()`` for :func:`verify_live`.

    Args:
        front: photo of the portrait side (人像面).
        back: photo of the emblem side (国徽面).
        declared_name: the registered real name, compared with the card.
        declared_id_number: the registered ID number, compared with the card.
        today: reference date for expiry (defaults to today).
        config: thresholds.

    Returns:
        CardsResult with both sides, the portrait encoding and the merged outcome codes.
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
    sides = (front_result, back_result)
    return CardsResult(
        front_result,
        back_result,
        tuple(float(x) for x in encoding) if encoding is not None else None,
        _merged(side.reasons for side in sides),
        _merged(side.review_reasons for side in sides),
        _merged((*side.field_warnings, *(w.code for w in side.warnings)) for side in sides),
        tuple(p for side in sides for p in side.problems),
        timings,
    )


def verify_live(
    cards: CardsResult,
    frames: Sequence[bytes | RGBImage] | bytes,
    challenge: Sequence[str],
    *,
    config: VerifyConfig | None = None,
) -> VerificationResult:
    """The live half: liveness challenge and card-vs-live face match, given the cards already read.

    Args:
        cards: what :func:`read_cards` returned (or :meth:`CardsResult.from_dict` of its stored dict).
        frames: the liveness frames (4-12 images) or a short MP4/WebM clip.
        challenge: the actions that were asked for (from ``liveness.new_challenge``).
        config: thresholds.

    Returns:
        VerificationResult: ``ok`` only when both sides passed, the card face matches the live face
        and the challenge passed; ``needs_review`` when nothing failed but an identity field of the
        card is in doubt (``review_reasons`` say which).
    """
    config = config or VerifyConfig()
    start = time.perf_counter()
    encoding = np.array(cards.card_encoding, np.float64) if cards.card_encoding is not None else None
    live = liveness.check_liveness(frames, challenge, card_encoding=encoding, config=config.liveness)
    had_portrait = cards.front.detected_side is Side.FRONT
    face = _face_result(encoding, live, config.face_threshold, had_portrait)
    reasons = _merged((cards.reasons, face.reasons, live.reasons))
    review = () if reasons else cards.review_reasons
    problems = (
        *cards.problems,
        *(Problem(r, Severity.FAIL, None, None) for r in face.reasons),
        *(Problem(r, Severity.FAIL, None, None) for r in live.reasons),
    )
    timings = {**cards.timings, "liveness_ms": round((time.perf_counter() - start) * 1000, 2)}
    timings["total_ms"] = round(sum(timings.values()), 2)
    ok = not reasons and not review
    return VerificationResult(
        ok, reasons, cards.front, cards.back, face, live, timings, review, cards.warnings, problems
    )


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
    """Run every stage: :func:`read_cards` then :func:`verify_live`; never raises for bad input.

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
        stage's failure codes in order (front, back, face, liveness), without duplicates;
        ``needs_review`` with ``review_reasons`` when nothing failed but a card field is in doubt;
        ``warnings`` and ``problems`` say what to tell the person.
    """
    cards = read_cards(front, back, declared_name=declared_name, declared_id_number=declared_id_number,
                       today=today, config=config)  # fmt: skip
    return verify_live(cards, frames, challenge, config=config)


def _merged(parts: Iterable[Iterable[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for part in parts:
        out += [code for code in part if code not in out]
    return tuple(out)


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
