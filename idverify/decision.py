"""The decision policy: fail only on proof, ask a person when an identity field is in doubt.

What proves or disproves identity can fail a person: the name and number against what was declared,
the number's check digit, birth date and division, the printed birth date and sex against the
number, the card's validity (and, in the pipeline, the face and the liveness). Everything else
(民族, 住址, 签发机关, image quality) is a warning. A failed check whose input was read unreadably
or uncertainly (low confidence, or two readings that disagree) is no proof: the card then
"needs review" with the field named, neither passed nor failed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from idverify.types import Check, FieldValue, Problem, QualityWarning, Severity, Side

#: Fields whose reading can decide a person's identity, per side.
IDENTITY_FIELDS: Mapping[Side, tuple[str, ...]] = {
    Side.FRONT: ("name", "sex", "birth_date", "id_number"),
    Side.BACK: ("valid_from", "valid_until"),
}
#: Fields that only ever warn.
INFO_FIELDS: Mapping[Side, tuple[str, ...]] = {Side.FRONT: ("nation", "address"), Side.BACK: ("authority",)}

#: The fields each check reads.
CHECK_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id_number_format": ("id_number",),
    "id_number_checksum": ("id_number",),
    "id_number_birth_date": ("id_number",),
    "id_number_division": ("id_number",),
    "birth_date_mismatch": ("birth_date", "id_number"),
    "sex_mismatch": ("sex", "id_number"),
    "name_mismatch": ("name",),
    "id_number_mismatch": ("id_number",),
    "validity_invalid": ("valid_from", "valid_until"),
    "card_expired": ("valid_until",),
}
_CODE_NAME = {"valid_from": "validity", "valid_until": "validity"}
_FIELD_OF_CODE = {
    "validity_invalid": "validity",
    "card_expired": "validity",
    "name_mismatch": "name",
    "id_number_mismatch": "id_number",
    "birth_date_mismatch": "birth_date",
    "sex_mismatch": "sex",
}


@dataclass(frozen=True, slots=True)
class CardDecision:
    """The outcome codes of one side (see :class:`idverify.types.CardResult`)."""

    reasons: tuple[str, ...]
    review_reasons: tuple[str, ...]
    field_warnings: tuple[str, ...]


def decide_card(
    side: Side,
    fields: Mapping[str, FieldValue],
    checks: Iterable[Check],
    *,
    min_confidence: float,
    warn_confidence: float | None = None,
    doubtful: Collection[str] = (),
    notes: Collection[str] = (),
) -> CardDecision:
    """Sort one side's failed checks into failures and reviews, and its other fields into warnings.

    Args:
        side: the side read.
        fields: the fields read.
        checks: every check run on them.
        min_confidence: a field whose least certain character is below this is uncertain.
        warn_confidence: the same for 民族, 住址 and 签发机关 (``min_confidence`` when not given): a
            warning only asks the person to check, so it may be raised on less doubt.
        doubtful: fields the reader found doubtful by other means (two readings disagree).
        notes: the reader's field notes (``nation_not_listed``, ``address_place_unknown``,
            ``address_cut`` (it ends in a digit), ``address_number_lost`` (a 组 or 号 without its
            number), ``authority_uncertain``, ``<field>_glare`` for
            glare over the field's print, ``print_small`` for a card too small in the photo to
            read surely: each of its fields asks the person to check).

    Returns:
        Failure codes (confident proof only), review codes (``<field>_unreadable`` or
        ``<field>_uncertain``) and field warnings.
    """
    unreadable = {f for f in IDENTITY_FIELDS[side] if not _text(fields, f)}
    uncertain = {
        f
        for f in IDENTITY_FIELDS[side]
        if f not in unreadable and (f in doubtful or _confidence(fields, f) < min_confidence)
    }
    reasons: list[str] = []
    review: list[str] = []
    for check in checks:
        if check.passed:
            continue
        blocked = [f for f in CHECK_FIELDS.get(check.code, ()) if f in unreadable or f in uncertain]
        if not blocked:
            _add(reasons, check.code)
        for f in blocked:
            _add(review, f"{_CODE_NAME.get(f, f)}_{'unreadable' if f in unreadable else 'uncertain'}")
    for f in IDENTITY_FIELDS[side]:
        if f in unreadable:
            _add(review, f"{_CODE_NAME.get(f, f)}_unreadable")
    warn_at = min_confidence if warn_confidence is None else warn_confidence
    return CardDecision(tuple(reasons), tuple(review), _field_warnings(side, fields, warn_at, notes))


def _field_warnings(
    side: Side, fields: Mapping[str, FieldValue], min_confidence: float, notes: Collection[str]
) -> tuple[str, ...]:
    doubt = {
        "nation": "nation_not_listed" in notes,
        "address": bool({"address_place_unknown", "address_cut", "address_number_lost"} & set(notes)),
        "authority": "authority_uncertain" in notes,
    }
    out = []
    for f in INFO_FIELDS[side]:
        if not _text(fields, f):
            out.append(f"{f}_unreadable")
        elif (
            doubt[f] or {f"{f}_glare", "print_small"} & set(notes) or _confidence(fields, f) < min_confidence
        ):
            out.append(f"{f}_uncertain")
    return tuple(out)


def card_problems(
    side: Side,
    reasons: Iterable[str],
    review_reasons: Iterable[str] = (),
    field_warnings: Iterable[str] = (),
    quality: Iterable[QualityWarning] = (),
) -> tuple[Problem, ...]:
    """Every code of one side as a Problem with its severity, side and field (None for the whole photo)."""
    out = [Problem(code, Severity.FAIL, side, field_of(code)) for code in reasons]
    out += [Problem(code, Severity.REVIEW, side, field_of(code)) for code in review_reasons]
    out += [Problem(code, Severity.WARNING, side, field_of(code)) for code in field_warnings]
    out += [Problem(w.code, Severity.WARNING, side, None) for w in quality]
    return tuple(out)


def field_of(code: str) -> str | None:
    """The field a reason code is about (``id_number`` for ``id_number_checksum``), or None."""
    if code in _FIELD_OF_CODE:
        return _FIELD_OF_CODE[code]
    for prefix in ("id_number", "name", "sex", "birth_date", "validity", "nation", "address", "authority"):
        if code.startswith(prefix + "_"):
            return prefix
    return None


def _add(codes: list[str], code: str) -> None:
    if code not in codes:
        codes.append(code)


def _text(fields: Mapping[str, FieldValue], name: str) -> str:
    value = fields.get(name)
    return value.text if value else ""


def _confidence(fields: Mapping[str, FieldValue], name: str) -> float:
    value = fields.get(name)
    return value.confidence if value else 0.0
