"""Consistency checks over the fields read from a card, each with a stable reason code.

These work on text, so they run the same on OCR output and on what a person typed; OCR noise is
normalised here (full-width digits, ``x`` for ``X``, spaces) but never "corrected" into agreement.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from idverify.idnumber import IdNumber, IdNumberError, normalize_id_number, parse_id_number
from idverify.types import Check, FieldValue

_DATE_CN = re.compile(r"(\d{4})\D{0,3}?(\d{1,2})\D{0,3}?(\d{1,2})")
_DATE_DOTTED = re.compile(r"(\d{4})[.\-/]?(\d{2})[.\-/]?(\d{2})")
_DOTS_MISREAD = re.compile(r"(?<=\d)[,，·:](?=\d)")  # between digits only: 2022,12,12


def parse_cn_date(text: str) -> dt.date | None:
    """Parse ``1990年1月2日`` (front) or ``2015.03.10`` (back); None when impossible."""
    text = unicodedata.normalize("NFKC", text)
    for pattern in (_DATE_DOTTED, _DATE_CN):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


def parse_validity(text: str) -> tuple[dt.date | None, dt.date | None, bool]:
    """Split ``2015.03.10-2035.03.10`` or ``2015.03.10-长期`` into (start, end, long_term).

    A dot read as a comma, a middle dot or a colon (blur, a photo of a screen: ``2022,12,12-2027,12.12``)
    still parts a date's digits, which stand in fixed places (4, 2, 2): it had lost the start, or the
    whole period.
    """
    text = _DOTS_MISREAD.sub(".", unicodedata.normalize("NFKC", text).replace(" ", ""))
    dates = re.findall(r"\d{4}[.\-/]?\d{2}[.\-/]?\d{2}", text)
    start = parse_cn_date(dates[0]) if dates else None
    long_term = "长期" in text
    end = parse_cn_date(dates[1]) if len(dates) > 1 and not long_term else None
    return start, end, long_term


def lawful_period(start: dt.date, end: dt.date | None) -> bool:
    """Whether a card's validity period is one the law gives (居民身份证法 art. 5: 5, 10 or 20 years,
    or 长期 from 46): it ends on its start's month and day that many years on (a 29 February start
    on the 28th or the 1st of March when that year has none). ``end`` None is 长期."""
    if end is None:
        return True
    if end.year - start.year not in _TERMS:
        return False
    if (start.month, start.day) == (2, 29):
        return (end.month, end.day) in ((2, 29), (2, 28), (3, 1))
    return (end.month, end.day) == (start.month, start.day)


_TERMS = (5, 10, 20)


def normalize_name(text: str) -> str:
    """Compare names without spaces, full-width forms or the middle-dot variants of minority names."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s·•・.]", "", text)
    return text


def check_id_number(number: str, *, today: dt.date | None = None) -> tuple[Check, IdNumber | None]:
    """GB 11643-1999 format, check digit, birth date and GB/T 2260 division in one check."""
    try:
        parsed = parse_id_number(number, today=today)
    except IdNumberError as err:
        return Check(err.reason, False, "the number read from the card"), None
    return Check("id_number_checksum", True), parsed


def check_front(
    fields: Mapping[str, FieldValue],
    *,
    declared_name: str | None = None,
    declared_id_number: str | None = None,
    today: dt.date | None = None,
) -> tuple[Check, ...]:
    """Checks of the portrait side.

    Args:
        fields: what OCR read (``name``, ``sex``, ``birth_date``, ``id_number``).
        declared_name: the real name the person registered, compared when given.
        declared_id_number: the number the person registered, compared when given.
        today: reference date for impossible birth dates.
    """
    number_check, parsed = check_id_number(_text(fields, "id_number"), today=today)
    checks = [number_check]
    if parsed is not None:
        printed = parse_cn_date(_text(fields, "birth_date"))
        checks.append(Check("birth_date_mismatch", printed == parsed.birth_date, f"printed {printed}"))
        checks.append(Check("sex_mismatch", _text(fields, "sex") == parsed.sex, _text(fields, "sex")))
    if declared_name is not None:
        same = normalize_name(declared_name) == normalize_name(_text(fields, "name"))
        checks.append(Check("name_mismatch", same))
    if declared_id_number is not None:
        same = normalize_id_number(declared_id_number) == normalize_id_number(_text(fields, "id_number"))
        checks.append(Check("id_number_mismatch", same))
    return tuple(checks)


def check_back(fields: Mapping[str, FieldValue], *, today: dt.date | None = None) -> tuple[Check, ...]:
    """Checks of the emblem side: a coherent validity period that has not ended by ``today``.

    Coherent: it has begun, and it is a period the law gives (:func:`lawful_period`). A card is
    valid through its end date, so it expires the day after.
    """
    today = today or dt.date.today()
    start = parse_cn_date(_text(fields, "valid_from"))
    until = _text(fields, "valid_until")
    long_term = until == "长期"
    end = None if long_term else parse_cn_date(until)
    coherent = (
        start is not None
        and start <= today
        and (long_term or (end is not None and end > start and lawful_period(start, end)))
    )
    checks = [Check("validity_invalid", coherent, f"{start} - {until}")]
    if coherent:
        checks.append(Check("card_expired", long_term or (end is not None and end >= today), until))
    return tuple(checks)


def _text(fields: Mapping[str, FieldValue], name: str) -> str:
    value = fields.get(name)
    return value.text if value else ""
