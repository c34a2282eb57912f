"""Read either side of a resident ID card from a phone photo, layout-aware.

Pipeline: decode (JPEG DCT-scaled) -> find and rectify the card -> decide side and upside-down by
reading signature lines (the number line, the 居民身份证 title), the asked-for side's upright first
-> cut each field's line, trimmed to its ink -> one recognition call, batched by width -> parse ->
checks and quality.
Only a dozen small crops reach the recogniser; no whole-image text detection runs.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from idverify import checks, layout, quality
from idverify.images import ImageLimits, decode_image
from idverify.ocr import TextLine, get_ocr_engine
from idverify.types import CardResult, FieldValue, QualityWarning, RGBImage, Side

_CJK = re.compile(r"[^\u4e00-\u9fff·]")
_TITLE = "居民身份证"


@dataclass(frozen=True, slots=True)
class CardConfig:
    """Settings of the card reader.

    Attributes:
        limits: decode limits; ``max_side`` 1600 keeps the fields legible while halving decode
            time of 12 MP photos.
        quality: warning limits.
        min_confidence: a field read below this recogniser score counts as unreadable.
        find_portrait_face: look for a face in the front's portrait (for the card_face_not_found
            warning); the face match stage finds it anyway, so batch tools may turn it off.
    """

    limits: ImageLimits = field(default_factory=lambda: ImageLimits(max_side=1600))
    quality: quality.QualityLimits = field(default_factory=quality.QualityLimits)
    min_confidence: float = 0.5
    find_portrait_face: bool = True


DEFAULT_CONFIG = CardConfig()


def read_card(
    data: bytes | RGBImage,
    side: Side | str,
    *,
    today: dt.date | None = None,
    declared_name: str | None = None,
    declared_id_number: str | None = None,
    config: CardConfig = DEFAULT_CONFIG,
) -> CardResult:
    """Read and check one side of an ID card.

    Args:
        data: the photo (JPEG, PNG or WebP bytes, or an RGB array).
        side: ``front`` (人像面) or ``back`` (国徽面), the side the person was asked for.
        today: reference date for expiry and impossible birth dates (defaults to today).
        declared_name: the name the person registered; compared with the card when given.
        declared_id_number: the number the person registered; compared when given.
        config: reader settings.

    Returns:
        A CardResult; ``ok`` is False with reason codes for unreadable photos, a missing card,
        the wrong side, unreadable fields or failed checks. Never raises for bad input.
    """
    side = Side(side)
    timer = _Timer()
    decoded = decode_image(data, limits=config.limits)
    timer.lap("decode")
    if decoded.pixels is None:
        return CardResult(False, side, None, (decoded.reason or "image_corrupt",), timings=timer.laps)
    candidates = layout.locate_cards(decoded.pixels)
    timer.lap("locate")
    if not candidates:
        return CardResult(False, side, None, ("card_not_found",), timings=timer.laps)
    for location in candidates:
        card, quad = layout.rectify(decoded.pixels, location)
        seen, flipped, signature = _orient(card, side)
        if seen is not None:
            break
    timer.lap("orient")
    if seen is None:
        return CardResult(False, side, None, ("not_id_card",), timings=timer.laps)
    if flipped:
        card = np.ascontiguousarray(card[::-1, ::-1])
    rotation = _rotation(quad, flipped)
    if seen != side:
        return CardResult(False, side, seen, ("wrong_side",), rotation=rotation, timings=timer.laps)
    return _read_side(card, side, signature, location.cut_off, rotation, timer, today, declared_name,
                      declared_id_number, config)  # fmt: skip


def _read_side(
    card: RGBImage, side: Side, signature: TextLine, cut_off: bool, rotation: int, timer: _Timer,
    today: dt.date | None, declared_name: str | None, declared_id_number: str | None, config: CardConfig,
) -> CardResult:  # fmt: skip
    boxes = layout.FRONT_FIELDS if side is Side.FRONT else layout.BACK_FIELDS
    names = [n for n in boxes if n != "id_number"]
    lines = dict(zip(names, get_ocr_engine().recognize([_line(card, boxes[n]) for n in names]), strict=True))
    if side is Side.FRONT:
        lines["id_number"] = signature
    timer.lap("recognize")
    fields = _front_fields(lines) if side is Side.FRONT else _back_fields(lines)
    if side is Side.FRONT:
        found = checks.check_front(
            fields, declared_name=declared_name, declared_id_number=declared_id_number, today=today
        )
    else:
        found = checks.check_back(fields, today=today)
    warnings = list(quality.assess(card, cut_off=cut_off, limits=config.quality))
    portrait = layout.crop(card, layout.FRONT_PORTRAIT).copy() if side is Side.FRONT else None
    timer.lap("checks")
    if portrait is not None and config.find_portrait_face and not _has_face(portrait):
        warnings.append(QualityWarning("card_face_not_found", 0.0, 1.0))
    timer.lap("portrait")
    unreadable = [n for n, v in fields.items() if not v.text or v.confidence < config.min_confidence]
    reasons = (["field_unreadable"] if unreadable else []) + [c.code for c in found if not c.passed]
    return CardResult(
        not reasons,
        side,
        side,
        tuple(reasons),
        fields,
        found,
        tuple(warnings),
        rotation,
        timer.laps,
        portrait,
    )


def _orient(card: RGBImage, expected: Side) -> tuple[Side | None, bool, TextLine]:
    """Decide the side and whether the card is upside down from two signature lines.

    Signatures are read one at a time, the asked-for side upright first: most photos show that
    side upright, and then one line decides (on the front it is the number, which is needed
    anyway). The other readings run only while none is convincing.
    """
    best: tuple[float, Side | None, bool, TextLine] = (0.0, None, False, TextLine("", 0.0))
    order = (expected, Side.BACK if expected is Side.FRONT else Side.FRONT)
    for flip, seen in ((False, order[0]), (False, order[1]), (True, order[0]), (True, order[1])):
        view = np.ascontiguousarray(card[::-1, ::-1]) if flip else card
        box = layout.FRONT_FIELDS["id_number"] if seen is Side.FRONT else layout.BACK_TITLE
        (line,) = get_ocr_engine().recognize([_line(view, box)])
        score = _number_score(line) if seen is Side.FRONT else _title_score(line)
        if score > best[0]:
            best = (score, seen, flip, line)
        if best[0] >= 0.8:
            break
    if best[0] < 0.5:
        return None, False, TextLine("", 0.0)
    return best[1], best[2], best[3] if best[1] is Side.FRONT else TextLine("", 0.0)


def _number_score(line: TextLine) -> float:
    """Score times the share of 18 digits in one unbroken run.

    Runs are split at date punctuation, so the back's validity line (16 digits in dotted dates)
    never passes for the front's number line.
    """
    digits = max((len(re.findall(r"[\dXx]", part)) for part in re.split(r"[.\-/:~—]", line.text)), default=0)
    return line.score * min(digits, 18) / 18 if digits >= 12 else 0.0


def _title_score(line: TextLine) -> float:
    hits = sum(ch in line.text for ch in _TITLE)
    return line.score * hits / len(_TITLE) if hits >= 3 else 0.0


def _rotation(quad: np.ndarray, flipped: bool) -> int:
    """Clockwise rotation of the card in the photo, from the direction of its top edge."""
    left, right = (quad[2], quad[3]) if flipped else (quad[0], quad[1])
    angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    return int(round(angle / 90.0)) % 4 * 90


def _line(card: RGBImage, box: layout.Box) -> RGBImage:
    """A field's crop trimmed to its ink, so the recogniser sees little blank paper.

    Ink is found relative to the paper around it (see :func:`_ink_ratio`), so a shadow edge, a glare
    gradient or a blurred single character neither hides the text nor counts as text.
    """
    region = layout.crop(card, box)
    ratio, depth, noise = _ink_ratio(region)
    ink = ratio < 1.0 - max(_MIN_INK_DEPTH, 0.5 * depth, 2.0 * noise)
    rows = _span(ink.sum(axis=1) >= 2, gap=3)
    if rows is None or rows[1] - rows[0] < 14:  # shorter than a glyph: a neighbour's edge
        return region[:0]
    top, bottom = max(0, rows[0] - 5), min(region.shape[0], rows[1] + 6)
    cols = _span(ink[rows[0] : rows[1] + 1].sum(axis=0) >= 1, gap=60, widest=False)
    if cols is None:
        return region[:0]
    # Along the line, fainter ink extends the span: glare fades a line's end before its middle.
    faint = ratio[rows[0] : rows[1] + 1] < 1.0 - max(_FAINT_INK_DEPTH, 0.2 * depth, 2.0 * noise)
    left, right = _extend(faint.sum(axis=0) >= 2, cols, gap=24)
    return np.ascontiguousarray(region[top:bottom, max(0, left - 10) : right + 11])


def _extend(mask: np.ndarray, span: tuple[int, int], gap: int) -> tuple[int, int]:
    """Grow ``span`` over True entries of ``mask`` that lie within ``gap`` of its ends."""
    left, right = span
    idx = np.flatnonzero(mask)
    for i in idx[idx > right]:
        if i - right > gap:
            break
        right = int(i)
    for i in idx[idx < left][::-1]:
        if left - i > gap:
            break
        left = int(i)
    return left, right


def _ink_ratio(region: RGBImage) -> tuple[np.ndarray, float, float]:
    """Each pixel's grey level over the local paper level, the ink depth and the paper noise.

    The paper level is a max filter wider than a stroke (then smoothed), so it follows shadows
    and glare; thresholds are set from the darkest ink (``depth`` is 1 minus its ratio), so a
    blurred character (ink at 70 % of the paper) is found while paper noise (a few per cent)
    is not. ``noise`` (1 minus the median ratio) rises with moiré and sensor noise, which the
    max filter turns into a paper level above the typical pixel.
    """
    grey = cv2.GaussianBlur(region.min(axis=2), (3, 3), 0).astype(np.float32)
    paper = cv2.blur(cv2.dilate(grey, _PAPER_KERNEL), (15, 15))
    ratio = grey / np.maximum(paper, 1.0)
    low, median = np.percentile(ratio, (0.5, 50))
    return ratio, 1.0 - float(low), 1.0 - float(median)


_PAPER_KERNEL = np.ones((15, 15), np.uint8)
_MIN_INK_DEPTH = 0.12  # below this a crop holds no print, only paper texture and noise
_FAINT_INK_DEPTH = 0.07


def _span(mask: np.ndarray, gap: int, widest: bool = True) -> tuple[int, int] | None:
    """The densest run of True (runs closer than ``gap`` merged), or the whole extent."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return None
    if not widest:
        return int(idx[0]), int(idx[-1])
    breaks = np.flatnonzero(np.diff(idx) > gap)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]]))
    mass = [int(mask[s : e + 1].sum()) for s, e in zip(starts, ends, strict=True)]
    best = int(np.argmax(mass))
    return int(starts[best]), int(ends[best])


def _front_fields(lines: Mapping[str, TextLine]) -> dict[str, FieldValue]:
    address_lines = [lines[k] for k in ("address_1", "address_2", "address_3") if lines[k].text]
    sex_text = _nfkc(lines["sex"].text)
    sex = "男" if "男" in sex_text else "女" if "女" in sex_text else ""
    nation = _CJK.sub("", _nfkc(lines["nation"].text)).removeprefix("民族")
    address = "".join(_nfkc(x.text).replace(" ", "") for x in address_lines).removeprefix("住址")
    return {
        "name": FieldValue(
            "name", _CJK.sub("", _nfkc(lines["name"].text)).removeprefix("姓名"), lines["name"].score
        ),
        "sex": FieldValue("sex", sex, lines["sex"].score),
        "nation": FieldValue("nation", nation, lines["nation"].score),
        "birth_date": FieldValue(
            "birth_date", _birth_text(lines["birth_date"].text), lines["birth_date"].score
        ),
        "address": FieldValue("address", address, min((x.score for x in address_lines), default=0.0)),
        "id_number": FieldValue("id_number", _number_text(lines["id_number"].text), lines["id_number"].score),
    }


def _back_fields(lines: Mapping[str, TextLine]) -> dict[str, FieldValue]:
    authority = _nfkc(lines["authority"].text).replace(" ", "").removeprefix("签发机关")
    validity = lines["validity"]
    start, end, long_term = checks.parse_validity(validity.text)
    until = "长期" if long_term else (end.strftime("%Y.%m.%d") if end else "")
    return {
        "authority": FieldValue("authority", authority, lines["authority"].score),
        "valid_from": FieldValue("valid_from", start.strftime("%Y.%m.%d") if start else "", validity.score),
        "valid_until": FieldValue("valid_until", until, validity.score),
    }


def _birth_text(raw: str) -> str:
    """``1990年1月2日`` with year, month and day each followed by its mark.

    A line whose end glare erased ("1987年11月") must stay unreadable, not be split into
    1987-1-1 as a lenient date pattern would.
    """
    match = _BIRTH.search(_nfkc(raw).replace(" ", ""))
    parsed = checks.parse_cn_date("-".join(match.groups())) if match else None
    return f"{parsed.year}年{parsed.month}月{parsed.day}日" if parsed else ""


_BIRTH = re.compile(r"(\d{4})\D{1,2}?(\d{1,2})\D{1,2}?(\d{1,2})\D")


def _number_text(raw: str) -> str:
    return re.sub(r"[^\dX]", "", _nfkc(raw).upper())


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _has_face(portrait: RGBImage) -> bool:
    from idverify.faces import find_faces

    return bool(find_faces(portrait))


class _Timer:
    """Milliseconds per stage, in order."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round((now - self._last) * 1000, 2)
        self._last = now
