"""Result types shared by every stage: frozen dataclasses with ``to_dict()``.

Results carry evidence (measured values, confidences, timings) for support staff; the service decides
what a client sees (pass/fail and reason codes only, GB/T 38671-2020). Image arrays (the card portrait)
stay on the objects for the caller but are left out of ``to_dict()``, which must be safe to log as JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
#: A recognised character's other choices: (character, probability), most probable first.
Choices = tuple[tuple[str, float], ...]

#: Every reason code the library can emit, with what it means. Codes are stable API.
REASONS: Mapping[str, str] = {
    # images
    "image_empty": "no bytes or an empty array",
    "image_format_unsupported": "not a JPEG, PNG or WebP file (sniffed from content)",
    "image_too_large_bytes": "file larger than the byte limit",
    "image_too_large_pixels": "more pixels than the limit (decompression bomb guard)",
    "image_too_small": "smaller than the minimum side",
    "image_corrupt": "truncated or undecodable file",
    "video_format_unsupported": "not an MP4 or WebM container",
    "video_corrupt": "video could not be decoded into frames",
    # card
    "card_not_found": "no ID card found in the photo",
    "not_id_card": "a card-like object, but not a resident ID card",
    "wrong_side": "the other side of the card was uploaded",
    "field_unreadable": "a required field could not be read (read_card now gives <field>_unreadable)",
    "id_number_format": "number is not 17 digits and a digit or X",
    "id_number_checksum": "GB 11643-1999 check character wrong",
    "id_number_birth_date": "number encodes an impossible birth date",
    "id_number_division": "division code never existed in GB/T 2260",
    "birth_date_mismatch": "printed birth date differs from the number's",
    "sex_mismatch": "printed sex differs from the number's",
    "card_expired": "validity period ended before the reference date",
    "validity_invalid": "validity period unreadable or inconsistent",
    "name_mismatch": "OCR'd name differs from the declared name",
    "id_number_mismatch": "OCR'd number differs from the declared number",
    # identity fields that could not be read with certainty: "needs review", never a failure by themselves
    "name_unreadable": "review: the name could not be read",
    "name_uncertain": "review: the name was read with low confidence and a check on it failed",
    "sex_unreadable": "review: the sex could not be read",
    "sex_uncertain": "review: the sex was read with low confidence and a check on it failed",
    "birth_date_unreadable": "review: the birth date could not be read",
    "birth_date_uncertain": "review: the birth date was read with low confidence and a check on it failed",
    "id_number_unreadable": "review: the number could not be read",
    "id_number_uncertain": "review: number low-confidence or two readings disagree, and a check failed",
    "validity_unreadable": "review: the validity period could not be read",
    "validity_uncertain": "review: the validity period was read with low confidence and a check on it failed",
    # fields that prove nothing about identity: warnings only
    "nation_unreadable": "warning: the nation (民族) could not be read",
    "nation_uncertain": "warning: the nation read is not one of the 56 official names, or is low-confidence",
    "address_unreadable": "warning: the address could not be read",
    "address_uncertain": "warning: address low-confidence or its province/county not a GB/T 2260 name",
    "authority_unreadable": "warning: the issuing authority could not be read",
    "authority_uncertain": "warning: authority not of the shape …公安局(…分局) with GB/T 2260 names",
    # upload pre-check
    "side_unconfirmed": "pre-check warning: the side could not be confirmed cheaply (the upload is accepted)",
    # quality warnings
    "quality_blur": "image blurred (variance of Laplacian low)",
    "quality_dark": "card too dark",
    "quality_overexposed": "card over-exposed",
    "quality_glare": "specular glare over the card within its margin",
    "quality_cut_off": "the frame cuts the card's print",
    "quality_monochrome": "no colour: likely a black-and-white copy",
    "quality_screen": "a narrow periodic peak: likely a photo of a screen",
    "card_face_not_found": "no face found in the card portrait",
    "quality_glare_fields": "pre-check: glare covers part of the printed fields",
    "quality_too_small": "pre-check: the card is too small in the photo to read surely",
    # faces and liveness
    "face_not_found": "no face in the live capture",
    "multiple_faces": "more than one face in the live capture",
    "face_mismatch": "live face does not match the card portrait",
    "liveness_frame_count": "frame count outside the allowed range",
    "liveness_challenge_invalid": "challenge is not 2-3 known actions",
    "liveness_challenge_failed": "the asked actions were not seen in order",
    "liveness_static": "frames show no natural motion (still photo)",
    "liveness_identity_changed": "a different person appears in the sequence",
}


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One field read from a card.

    Attributes:
        name: field key, e.g. ``name``, ``id_number``, ``valid_until``.
        text: normalised text ("" when unreadable).
        confidence: recogniser score in [0, 1], the lowest over the lines the field spans.
    """

    name: str
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Check:
    """One check; ``code`` is the reason code reported when it fails."""

    code: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class QualityWarning:
    """A quality problem with the measured value and the limit it crossed."""

    code: str
    value: float
    limit: float


class Side(enum.StrEnum):
    """The two sides of a resident ID card."""

    FRONT = "front"  # 人像面: name, sex, nation, birth, address, number, portrait
    BACK = "back"  # 国徽面: issuing authority, validity period


class Severity(enum.StrEnum):
    """What a problem does to the outcome."""

    FAIL = "fail"  # proof against the identity (or an unusable upload): the verification fails
    REVIEW = "review"  # an identity field is in doubt: a person must look (neither pass nor fail)
    WARNING = "warning"  # worth telling the person or support staff; does not change the outcome


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, placed so the service can tell the person what to fix.

    Attributes:
        code: a reason code from :data:`REASONS`.
        severity: fail, review or warning.
        side: the card side it concerns (``front`` = 人像面, ``back`` = 国徽面); None for the face
            and liveness stages.
        field: the field it concerns (``name``, ``id_number``, ``address`` …); None for the whole
            image (blur, glare, wrong side …).
    """

    code: str
    severity: Severity
    side: Side | None = None
    field: str | None = None


@dataclass(frozen=True)
class CardResult:
    """The outcome of reading one side of an ID card.

    Three outcomes: pass (``ok``), fail (``reasons`` not empty: an unusable photo, the wrong side,
    or a check that failed on confidently read fields) and needs review (``needs_review``: no
    failure, but an identity field is unreadable or uncertain and a check on it could not be
    decided). Fields that prove nothing about identity (民族, 住址, 签发机关) only ever add
    ``field_warnings``.

    Attributes:
        ok: True when the side was found, read and every check passed (no reasons, no review reasons).
        side: the side that was asked for.
        detected_side: the side that was seen (None when no card was found).
        reasons: failure reason codes, in the order found.
        fields: field key -> value (front: name, sex, nation, birth_date, address, id_number;
            back: authority, valid_from, valid_until).
        checks: every check run, passed or not.
        warnings: quality warnings (they do not fail the card by themselves).
        rotation: clockwise degrees (0/90/180/270) the card was turned in the photo.
        timings: stage -> milliseconds.
        portrait: the card portrait crop (front only); not serialised.
        review_reasons: why a person must look (``id_number_uncertain``, ``name_unreadable`` …).
        field_warnings: codes about fields that cannot fail a person (``nation_unreadable``,
            ``address_uncertain``, ``authority_uncertain`` …).
        problems: every reason, review reason, field warning and quality warning with its
            severity, side and field, for telling the person what to fix.
    """

    ok: bool
    side: Side
    detected_side: Side | None
    reasons: tuple[str, ...]
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    checks: tuple[Check, ...] = ()
    warnings: tuple[QualityWarning, ...] = ()
    rotation: int = 0
    timings: Mapping[str, float] = field(default_factory=dict)
    portrait: RGBImage | None = field(default=None, repr=False)
    review_reasons: tuple[str, ...] = ()
    field_warnings: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def needs_review(self) -> bool:
        """No failure, but an identity field is in doubt: neither pass nor fail."""
        return not self.reasons and bool(self.review_reasons)

    def text(self, name: str) -> str:
        """The text of a field, "" when it was not read."""
        value = self.fields.get(name)
        return value.text if value else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no image arrays), with ``needs_review``."""
        return {**_dict_of(self), "needs_review": self.needs_review}


@dataclass(frozen=True, slots=True)
class PrecheckResult:
    """The fast upload-time check of one card photo (OCR only when its pictures do not tell the side).

    Attributes:
        ok: the upload can be kept: it decodes, a card is there, it is not the other side, it is
            not cut off, blurred or glared over its fields beyond what the reader copes with.
        reasons: why it should be retaken (each names the problem; the side is the one asked for).
        detected_side: the side seen, or None when neither the pictures nor the print told it
            (then ``side_unconfirmed`` is among the warnings and the upload is accepted).
        warnings: problems that do not stop the upload.
        timings: stage -> milliseconds.
        measures: the measured values behind the decision (sharpness, glare share …), for tuning.
    """

    ok: bool
    reasons: tuple[str, ...]
    detected_side: Side | None
    warnings: tuple[str, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    measures: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return _dict_of(self)


@dataclass(frozen=True, slots=True)
class FaceMatchResult:
    """Card portrait against a live capture.

    Attributes:
        ok: True when exactly one live face matched the card face.
        reasons: failure reason codes.
        distance: Euclidean distance of dlib 128-d encodings (None when a face was missing).
        threshold: the distance at or below which faces match.
        live_faces: how many faces the live image held.
        timings: stage -> milliseconds.
    """

    ok: bool
    reasons: tuple[str, ...]
    distance: float | None
    threshold: float
    live_faces: int
    timings: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return _dict_of(self)


@dataclass(frozen=True, slots=True)
class FrameMeasure:
    """Landmark measures of one liveness frame.

    Attributes:
        index: position in the submitted sequence.
        faces: faces found in the frame.
        ear: mean eye-aspect ratio of both eyes.
        mar: mouth-aspect ratio (inner lips).
        yaw: head turn from nose offset, signed, positive = subject's left.
        pitch: nose height between eyes and mouth, relative (positive = head down).
        distance: encoding distance to the sequence's reference (None when not encoded).
        eye_edges: (right, left) eye's vertical/horizontal edge ratio; falls as the eye closes.
        mouth_dark: dark area of the mouth box relative to the face; grows as the mouth opens.
    """

    index: int
    faces: int
    ear: float | None = None
    mar: float | None = None
    yaw: float | None = None
    pitch: float | None = None
    distance: float | None = None
    eye_edges: tuple[float, float] | None = None
    mouth_dark: float | None = None


@dataclass(frozen=True, slots=True)
class LivenessResult:
    """Outcome of an active-liveness challenge.

    Attributes:
        ok: True when the actions were seen in order and one identity held.
        reasons: failure reason codes.
        challenge: the actions that were asked for.
        detected: the actions matched, in order, with the frame index where each peaked.
        frames: per-frame measures.
        card_distance: encoding distance of the live face to the card face (when a card encoding was given).
        timings: stage -> milliseconds.
    """

    ok: bool
    reasons: tuple[str, ...]
    challenge: tuple[str, ...]
    detected: tuple[tuple[str, int], ...] = ()
    frames: tuple[FrameMeasure, ...] = ()
    card_distance: float | None = None
    timings: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return _dict_of(self)


@dataclass(frozen=True, slots=True)
class CardsResult:
    """Both card sides read and checked, ready for the live stage (``pipeline.read_cards``).

    Attributes:
        front, back: each side's result.
        card_encoding: the card portrait's dlib 128-d face encoding (None when no face was found
            in the portrait); serialised, so the service can store it and run the live stage in
            another job or process (:meth:`from_dict`).
        reasons, review_reasons, warnings, problems: both sides' outcome codes merged, as in
            :class:`VerificationResult`.
        timings: stage -> milliseconds.
    """

    front: CardResult
    back: CardResult
    card_encoding: tuple[float, ...] | None
    reasons: tuple[str, ...] = ()
    review_reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Both sides passed."""
        return not self.reasons and not self.review_reasons

    @property
    def needs_review(self) -> bool:
        """No failure, but an identity field is in doubt."""
        return not self.reasons and bool(self.review_reasons)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no image arrays; the encoding as 128 floats at full precision)."""
        out = {**_dict_of(self), "ok": self.ok, "needs_review": self.needs_review}
        out["card_encoding"] = list(self.card_encoding) if self.card_encoding is not None else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CardsResult:
        """Rebuild from :meth:`to_dict` output (the portrait array is not kept)."""
        encoding = data.get("card_encoding")
        return cls(
            _card_from_dict(data["front"]),
            _card_from_dict(data["back"]),
            tuple(float(x) for x in encoding) if encoding is not None else None,
            tuple(data.get("reasons", ())),
            tuple(data.get("review_reasons", ())),
            tuple(data.get("warnings", ())),
            tuple(_problem_from_dict(p) for p in data.get("problems", ())),
            dict(data.get("timings", {})),
        )


def _problem_from_dict(data: Mapping[str, Any]) -> Problem:
    side = data.get("side")
    return Problem(data["code"], Severity(data["severity"]), Side(side) if side else None, data.get("field"))


def _card_from_dict(data: Mapping[str, Any]) -> CardResult:
    seen = data.get("detected_side")
    return CardResult(
        bool(data["ok"]),
        Side(data["side"]),
        Side(seen) if seen else None,
        tuple(data.get("reasons", ())),
        {
            k: FieldValue(v["name"], v["text"], float(v["confidence"]))
            for k, v in data.get("fields", {}).items()
        },
        tuple(Check(c["code"], bool(c["passed"]), c.get("detail", "")) for c in data.get("checks", ())),
        tuple(
            QualityWarning(w["code"], float(w["value"]), float(w["limit"])) for w in data.get("warnings", ())
        ),
        int(data.get("rotation", 0)),
        dict(data.get("timings", {})),
        None,
        tuple(data.get("review_reasons", ())),
        tuple(data.get("field_warnings", ())),
        tuple(_problem_from_dict(p) for p in data.get("problems", ())),
    )


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The whole real-person verification: both card sides, face match and liveness.

    Attributes:
        ok: passed: no failure reason and nothing to review.
        reasons: failure codes of every stage (front, back, face, liveness), without duplicates.
        front, back, face, liveness: each stage's result (None when it did not run).
        timings: stage -> milliseconds.
        review_reasons: why a person must decide (an identity field in doubt); empty when
            ``reasons`` already fail it or everything passed.
        warnings: field and quality warning codes of both sides (tell the person, fail nothing).
        problems: every reason, review reason and warning with severity, side and field.
    """

    ok: bool
    reasons: tuple[str, ...]
    front: CardResult | None
    back: CardResult | None
    face: FaceMatchResult | None
    liveness: LivenessResult | None
    timings: Mapping[str, float] = field(default_factory=dict)
    review_reasons: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def needs_review(self) -> bool:
        """Not failed, but a person must decide (see ``review_reasons``)."""
        return not self.reasons and bool(self.review_reasons)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no image arrays), with ``needs_review``."""
        return {**_dict_of(self), "needs_review": self.needs_review}


def _dict_of(obj: Any) -> dict[str, Any]:
    """``to_dict`` typed for a dataclass."""
    result: dict[str, Any] = to_dict(obj)
    return result


def to_dict(obj: Any) -> Any:
    """Recursively turn results into JSON-ready values, dropping image arrays."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, np.ndarray):
                continue
            out[f.name] = to_dict(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): to_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return round(float(obj), 4)
    if isinstance(obj, dt.date):
        return obj.isoformat()
    return obj
