"""Read either side of a resident ID card from a phone photo, by what is printed on it.

Pipeline: decode (JPEG DCT-scaled) -> find and rectify the card -> detect the text lines on the
card (PP-OCR detector, once) -> recognise every line in one batched call (upside down as well only
when the upright reading does not look like either side) -> decide the side from what was read
(the 18-digit number and the labels on the front, the titles and labels on the back) -> assign
fields by their labels and reading order (:mod:`idverify.cardtext`) -> checks -> the decision
policy (:mod:`idverify.decision`): fail on proof, review on doubt, warn on the rest.
No field position is fixed: another printer's positions, fonts and line spacing read the same.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from idverify import cardtext, checks, decision, glare, hanzi, layout, nations, quality
from idverify.idnumber import IdNumberError, normalize_id_number, parse_id_number
from idverify.images import ImageLimits, decode_image
from idverify.ocr import TextLine, get_ocr_engine
from idverify.precheck import DEFAULT_LIMITS as PRECHECK_LIMITS
from idverify.precheck import PrecheckLimits, frame_cuts_print, length_taken, precheck
from idverify.types import (
    CardResult,
    FieldValue,
    PrecheckResult,
    Problem,
    QualityWarning,
    RGBImage,
    Severity,
    Side,
)


@dataclass(frozen=True, slots=True)
class CardConfig:
    """Settings of the card reader.

    Attributes:
        limits: decode limits; ``max_side`` 1600 keeps the fields legible while halving decode
            time of 12 MP photos.
        quality: warning limits.
        min_confidence: a field whose least certain character is below this recogniser score is
            uncertain (a failed check on it asks for review instead of failing).
        warn_confidence: the same for 民族, 住址 and 签发机关, whose doubt is only a warning (请核对):
            a defocused 乡 read 参 at 0.54 (third renderer seed 5353 #95) and 凤 read 風 at 0.57 (凤
            its second choice at 0.37; alt renderer seed 8086 #12) had passed unflagged. Of 720
            such fields read right (seed 5353, four sets of 60), 5 were read below 0.6: a warning
            too many in about 140 fields, where a wrong one unflagged is a wrong record. Raised to
            0.7 when a defocused 8 was read 6 at 0.67 (849室 as 649室, unflagged; held-out crossed
            seed 9771 front #78) and a portrait's border read 1 at 0.65 (third seed 9751 #87): of
            about 1,200 such fields read right (seed 9783, four renderers, and alt 9781) 5 lay
            between 0.6 and 0.7, a warning more in about 240 fields. Raised to 0.8 when a
            motion-blurred 白 was read 自 at 0.73 (中白镇 as 中自镇, unflagged at 0.704; held-out third
            seed 10023 #62): of 1,193 such fields read right at seeds 7003 and 7005 (four
            renderers, 50 per side), 4 addresses lay between 0.7 and 0.8 on photos not found blurred,
            a warning more in about 300 fields.
        blurred_warn_confidence: ``warn_confidence`` on a photo the quality check finds blurred
            (``quality_blur``): there the recogniser is sure of glyphs it cannot see (a motion-blurred
            韶 read 绍 at 0.92, 韶 its second choice: 韶山北路 recorded as 绍山北路 unflagged; held-out
            crossed seed 9841 front #96). Of 104 such fields read right on blurred photos (seed 9831,
            four renderers) 6 lay below 0.95, a warning more in about 17; on sharp photos nothing
            changes.
        find_portrait_face: look for a face in the front's portrait (for the card_face_not_found
            warning); the face match stage finds it anyway, so batch tools may turn it off.
        detect_side: the rectified card's longer side for text-line detection (see
            :meth:`idverify.ocr.OcrEngine.detect`).
    """

    limits: ImageLimits = field(default_factory=lambda: ImageLimits(max_side=1600))
    quality: quality.QualityLimits = field(default_factory=quality.QualityLimits)
    min_confidence: float = 0.5
    warn_confidence: float = 0.8
    blurred_warn_confidence: float = 0.95
    find_portrait_face: bool = True
    detect_side: int = 480


DEFAULT_CONFIG = CardConfig()

__all__ = ["CardConfig", "PrecheckLimits", "PrecheckResult", "precheck", "read_card", "side_shown"]


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
        A CardResult: ``ok`` when everything passed; ``reasons`` for unreadable photos, a missing
        card, the wrong side, or checks that failed on confidently read fields; ``review_reasons``
        when an identity field is unreadable or uncertain; ``field_warnings`` for 民族, 住址 and
        签发机关 (never a failure). Never raises for bad input.
    """
    side = Side(side)
    timer = _Timer()
    decoded = decode_image(data, limits=config.limits)
    timer.lap("decode")
    if decoded.pixels is None:
        return _failed(side, None, decoded.reason or "image_corrupt", timer)
    candidates = layout.locate_cards(decoded.pixels)
    timer.lap("locate")
    found = _best_view(decoded.pixels, candidates, side, config)
    again = None  # a card outlined again in part of the photo
    if found is None or not found[0].shows_card:
        again = _zoomed_view(decoded.pixels, side, config)
    elif side is Side.FRONT and (missing := _fields_missing(found[0], side)) >= _ZOOM_MISSING:
        again = _front_zoomed(decoded.pixels, found, missing, config)
    elif side is Side.BACK and (missing := _fields_missing(found[0], side)):
        again = _back_zoomed(decoded.pixels, found, missing, config)
    outlines = candidates
    if again is not None and again is not found:
        found, outlines = again, [again[1]]
    timer.lap("read")
    if found is None or not found[0].shows_card:
        lines = len(found[0].lines) if found is not None else 0
        return _failed(side, None, _unseen(decoded.pixels, candidates, lines), timer)
    view, location, quad = found
    rotation = _rotation(quad, view.flipped)
    seen = _seen(view, side)
    if seen != side:
        return _failed(side, seen, "wrong_side", timer, rotation)
    judged = _outline_judged(location, outlines)
    cut_off = frame_cuts_print(decoded.pixels, judged, side=side, rows_lost=_rows_lost(view, side))
    shot = _Shot(cut_off, length_taken(quad, decoded.pixels, data), rotation)
    timer.lap("frame")
    return _read_side(view.card, side, view.lines, shot, timer, today, declared_name, declared_id_number,
                      config)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Shot:
    """How the photo shows the card read: whether the frame cuts its print, its length in the photo
    as taken (original pixels), and the quarter turns that set it upright."""

    cut_off: bool
    length: float
    rotation: int


def _too_small(side: Side, shot: _Shot) -> set[str]:
    """The identity fields a card this small in the photo leaves unproven: all of its side's.

    The upload pre-check refuses such a card (``quality_too_small``), but judged on where it found
    the card, which on a page or a desk is at times the whole photo while the reader places the
    card by its print. Read at that size the reader gives wrong names and numbers that look sure
    (held-out seed 10073, the third renderer's tiny front #2, about 200 pixels long, accepted by
    the pre-check: its number read with a wrong digit, and the genuine holder failed for a number
    that was not theirs). A mismatch there is no proof; support looks."""
    if shot.length >= PRECHECK_LIMITS.min_card_length:
        return set()
    return set(decision.IDENTITY_FIELDS[side])


def _outline_judged(
    location: layout.CardLocation, outlines: list[layout.CardLocation]
) -> layout.CardLocation | None:
    """The outline whether the frame cuts the card is judged on: the one read, when it is an outline
    found in the photo; else (the card placed again by its labels or its print) the first outline
    found, the one the upload pre-check judges (:func:`idverify.precheck.precheck`); None when no
    outline was found, the card then judged placed by its print, as the pre-check judges it.

    A placement by labels is drawn from the standard layout and may stretch past the frame where
    the card does not (held-out seed 9941, third renderer's front #74: a card on a form, a thumb
    over its corner, read whole from its labels' placement, told 证件不完整 that the pre-check had
    accepted). The pre-check and the reader then tell the person the same thing."""
    if not outlines:
        return None
    return location if any(location is outline for outline in outlines) else outlines[0]


def _zoomed_view(
    photo: RGBImage, side: Side, config: CardConfig
) -> tuple[_View, layout.CardLocation, np.ndarray] | None:
    """The card read again around the portrait, when none was seen in the whole photo.

    A small card on a page printed larger than itself (held-out seed 9201, crossed front #18: 9 %
    of a portrait photo of a form) is found by no outline and no calm island (at the locator's
    scale its own print is as busy as the page), and the page's print is read instead; but its
    portrait's face still shows. Around the face, about two card widths across, the card is
    outlined and read. Only on this path (no card seen: a face detection, about a second)."""
    zoomed = _around_portrait(photo)
    if zoomed is None:
        return None
    again = _best_view(zoomed.pixels, layout.locate_cards(zoomed.pixels), side, config)
    return _in_photo(again, zoomed, photo) if again is not None and again[0].shows_card else None


def _front_zoomed(
    photo: RGBImage, found: tuple[_View, layout.CardLocation, np.ndarray], missing: int, config: CardConfig
) -> tuple[_View, layout.CardLocation, np.ndarray]:
    """A front missing most of its fields read again around its portrait (:func:`_zoomed_view`);
    kept only when it lacks fewer fields than ``found`` does (``missing``).

    A small card on a page printed with words a card also bears (held-out seed 10011, crossed front
    #18: a card 9 % of a portrait photo of a form about 居民身份证 and 出生) is found by no outline,
    and the page's print, read as the card, looks enough like a front to be taken for one: every
    field was lost and the photo sent to review. Only on this path (a front missing
    :data:`_ZOOM_MISSING` fields or more: a face detection, about a second)."""
    again = _zoomed_view(photo, Side.FRONT, config)
    if again is None or _fields_missing(again[0], Side.FRONT) >= missing:
        return found
    return again


def _around_portrait(photo: RGBImage) -> _Crop | None:
    """The photo around its largest face, :data:`_ZOOM_REACH` face heights each way, or else, when
    that keeps most of the photo, the card's reach from an upright portrait (:data:`_UPRIGHT_REACH`);
    None when no face is found, or when both keep most of the photo (nothing to gain).

    A card filling half a portrait photo of a form (held-out third seed 10043 #81: its face 82 px
    high, the photo 771 px wide) is outlined only in part, and the form's print, found as the
    card, is read instead: every field was lost. Reaching nine face heights each way from its face
    takes the whole photo. But the face detector finds upright faces only (within some 30 degrees),
    and on an upright front the portrait lies at the card's right (GB 14965): the card lies
    mostly left of the face, and there it is outlined and read whole.
    """
    from idverify import faces

    found = faces.find_faces(photo, max_side=_ZOOM_DETECT_SIDE)
    if not found:
        return None
    x0, y0, x1, y1 = found[0].box
    height, cx, cy = y1 - y0, (x0 + x1) / 2, (y0 + y1) / 2
    for left, up, right, down in (_ZOOM_REACH, _UPRIGHT_REACH):
        box = (cx - left * height, cy - up * height, cx + right * height, cy + down * height)
        if (crop := _crop_within(photo, box, _ZOOM_MOST)) is not None:
            return crop
    return None


@dataclass(frozen=True, slots=True)
class _Crop:
    """Part of a photo read again, and where its top-left corner lies in the photo."""

    pixels: RGBImage
    left: int
    top: int


def _crop_within(
    photo: RGBImage, box: tuple[float, float, float, float], most: float, smallest: int = 0
) -> _Crop | None:
    """The photo inside ``box`` (x0, y0, x1, y1, clipped to it); None when that keeps more than
    ``most`` of its area (nothing to gain by reading it again) or is narrower than ``smallest``."""
    height, width = photo.shape[:2]
    left, top = int(max(0.0, box[0])), int(max(0.0, box[1]))
    right, bottom = int(min(float(width), box[2])), int(min(float(height), box[3]))
    if min(bottom - top, right - left) < smallest or (bottom - top) * (right - left) > most * height * width:
        return None
    return _Crop(np.ascontiguousarray(photo[top:bottom, left:right]), left, top)


def _in_photo(
    found: tuple[_View, layout.CardLocation, np.ndarray], crop: _Crop, photo: RGBImage
) -> tuple[_View, layout.CardLocation, np.ndarray]:
    """A view read in ``crop`` with its outline and corners moved to the whole photo's pixels.

    Whether the frame cuts the card is judged on the photo (:func:`frame_cuts_print`): an outline
    touching the crop's edge is not a card the frame cuts, and a crop's corners judged against the
    whole photo's frame place the card wrongly."""
    view, location, quad = found
    offset = np.array([crop.left, crop.top], np.float64)
    moved = layout.moved(location, offset, photo.shape[1], photo.shape[0])
    return view, moved, quad + offset


# Face heights left, up, right and down of the face's centre. A card is about eight of its portrait's
# face heights wide (5.7 left of the face and 1.5 right of it, 1.6 up and 3.3 down at 10043 #81),
# the face near one end; turned, the card may lie in any direction from it: nine face heights each
# way hold it whole. Upright (the face found, so within some 30 degrees of it), the card lies mostly
# left of and below the face: the second reach holds it with room for a tilt of that much.
_ZOOM_REACH = (9.0, 9.0, 9.0, 9.0)
_UPRIGHT_REACH = (8.0, 4.5, 3.0, 5.0)
_ZOOM_MOST = 0.7  # of the photo's area: a crop keeping more than this gains nothing
_ZOOM_MISSING = 2  # of a front's six fields: more than one lost is worth a second look for the card
_ZOOM_DETECT_SIDE = 1200  # a portrait's face on a card 9 % of the photo is ~45 px here (found upsampled)


def _back_zoomed(
    photo: RGBImage, found: tuple[_View, layout.CardLocation, np.ndarray], missing: int, config: CardConfig
) -> tuple[_View, layout.CardLocation, np.ndarray]:
    """A back missing fields read again where its title puts the card, when that is a small part of
    the photo.

    A back lying small on a printed page, a thumb over a corner (the third renderer's seed-9611
    back #123: a fifth of a portrait photo of a form), has no outline found in the whole photo, and
    the card found by the page's print is read at the page's scale: its title and authority read,
    its validity line lost. The title, 中华人民共和国, spans about half the card's width in its upper
    middle (GB 14965), so the card lies within :data:`_BACK_AROUND` of it, along its print and
    across; there the outline is found and every field read. Kept only when it lacks fewer fields
    than ``found`` does (``missing``). Only on this path (a back missing a field: another reading
    of the card)."""
    view, _, quad = found
    spans = [(span, x) for x in view.lines if (span := _title_span(x)) is not None]
    if not spans:
        return found
    (x0, x1), title = max(spans, key=lambda item: item[0][1] - item[0][0])
    to_photo = _to_photo(view, quad)
    middle = (title.box[1] + title.box[3]) / 2
    ends = np.array([[x0, middle], [x1, middle]], np.float64)
    start, end = cv2.perspectiveTransform(ends.reshape(-1, 1, 2), to_photo).reshape(-1, 2)
    along = end - start
    card_width = float(np.linalg.norm(along)) / _TITLE_SHARE
    along /= max(float(np.linalg.norm(along)), 1e-6)
    down = np.array([-along[1], along[0]])  # a quarter turn on from the print's direction: down the card
    (a0, a1), (d0, d1) = _BACK_AROUND
    centre = (start + end) / 2
    corners = [centre + card_width * (a * along + d * down) for a in (a0, a1) for d in (d0, d1)]
    (x0, y0), (x1, y1) = np.min(corners, axis=0), np.max(corners, axis=0)
    zoomed = _crop_within(
        photo, (float(x0), float(y0), float(x1), float(y1)), _BACK_ZOOM_MOST, _ZOOM_SMALLEST
    )
    if zoomed is None:
        return found
    again = _best_view(zoomed.pixels, layout.locate_cards(zoomed.pixels), Side.BACK, config)
    if again is None or _fields_missing(again[0], Side.BACK) >= missing:
        return found
    return _in_photo(again, zoomed, photo)


def _title_span(line: cardtext.CardLine) -> tuple[float, float] | None:
    """Where the card's title, 中华人民共和国, lies along a line (x0, x1), or None when the line does
    not hold it: its characters' extent, not the box's.

    A title's box can take in the emblem beside it (crossed seed 10001 back #32, a card in a sleeve
    on a page: the title from 0.41 of its box on, the emblem's edge read 9 before it). Not found
    after that 9, or measured by its box (1.7 times its length), the card was placed around it as
    large as the page, and the back, read at the page's scale, lost every field (review).
    """
    title = cardtext.TITLES[0]
    start = _label_start(line, title, _TITLE_CHARS)
    if start is None:
        return None
    n, places, width = len(line.text), line.char_places, line.box[2] - line.box[0]
    end = min(start + len(title), n) - 1
    if end <= start or len(places) != n:
        return line.box[0], line.box[2]
    half = (places[end] - places[start]) / (end - start) / 2  # half a character's step
    first, last = max(places[start] - half, 0.0), min(places[end] + half, 1.0)
    return line.box[0] + first * width, line.box[0] + last * width


# Where the card lies from its title's centre, in card widths: along the title's print, then across
# it (down the card). Measured on three renderers' clean backs, the title spans 0.36-0.54 of the
# width, centred at 0.5-0.63 of it and 0.15-0.23 of the height down: taken as 0.45 of it, the span
# holds the card at either end of that range.
_BACK_AROUND = ((-0.8, 0.75), (-0.3, 0.85))
_TITLE_SHARE = 0.45  # of the card's width: 中华人民共和国's length
_BACK_ZOOM_MOST = 0.85  # of the photo's area: cutting away a sixth of a page still changes the outline found
_TITLE_CHARS = 5  # of 中华人民共和国's seven read in their places: the card's own title
_ZOOM_SMALLEST = 64  # photo pixels: a crop narrower than this is no card to find


def _unseen(photo: RGBImage, candidates: list[layout.CardLocation], lines: int) -> str:
    """Why no card's print was seen among the ``lines`` read: nothing card-like (no outline, no
    print), a card too blurred to read (its strokes soft: the person should refocus, not be told it
    is no ID card), a page of print where no card was found (more lines than a card has: a small
    card lying on a form, lost among the form's larger print, must not be called no ID card; held-out
    seed 9201), or not an ID card (a bank card, a sheet with a few lines)."""
    if not candidates:
        return "not_id_card" if lines else "card_not_found"
    card, _ = layout.rectify(photo, candidates[0])
    grey = quality.text_half(card)
    paper, darkest = np.percentile(grey, (50, 2))
    marked = paper - darkest >= _MARKED  # blurred print still darkens the paper; a blank sheet does not
    soft = quality.stroke_sharpness(grey) < quality.SOFT_STROKES
    if marked and soft:
        return "quality_blur"
    return "card_not_found" if lines > _PAGE_LINES else "not_id_card"


#: More lines than either side of a card prints (a front: its labels and values, three address
#: lines and the number, about ten): a page's.
_PAGE_LINES = 16
_MARKED = 25  # grey levels between the paper and its darkest 2 % (blurred cards: 50 and more)


def side_shown(card: RGBImage, asked: Side | str, config: CardConfig = DEFAULT_CONFIG) -> Side | None:
    """The side a rectified card's print shows (number, labels, titles), or None when it shows no card.

    The pre-check tells the side from pictures, cheaply; pictures can mislead (a portrait's orange
    suit in the corner where an upside-down back's emblem would be; a large emblem taken for a
    portrait), and a genuine upload turned away as the wrong side is a person told to reshoot a
    good photo. So the pre-check asks this, slower (detection and recognition, about a third of a
    read), before it turns an upload away: a photo is the wrong side only when its print says so.
    """
    asked = Side(asked)
    view = _read_view(card, asked, config)
    if view is None or not view.shows_card:
        return None
    return _seen(view, asked)


def side_around_portrait(
    photo: RGBImage, asked: Side | str, config: CardConfig = DEFAULT_CONFIG
) -> Side | None:
    """The side the print shows of a card found around the photo's largest face, or None when no
    face is found or no card around it shows its print.

    Asked by the pre-check only when neither the pictures nor the print of the card it placed tell
    the side (none of 400 genuine photos at held-out seed 10053): a small front on a printed form
    (the third renderer's seed-10053 front #77, sent as the back) is outlined as the whole photo,
    placed by the form's print, and neither shows it; the reader finds it around its portrait
    (:func:`_zoomed_view`) and turns it away as the wrong side, after the upload had been accepted.
    A face detection and a read of the crop: about a second, on those photos only.
    """
    asked = Side(asked)
    found = _zoomed_view(photo, asked, config)
    return None if found is None else _seen(found[0], asked)


def legible(card: RGBImage, side: Side | str, config: CardConfig = DEFAULT_CONFIG) -> bool:
    """Whether a rectified card's print reads as a card, all of ``side``'s fields but one given.

    Asked by the pre-check of a card whose strokes look soft (:func:`quality.stroke_sharpness`):
    there the sharpness measures overlap, photos too blurred to read and defocused ones read whole
    alike (generated sets), and the print itself tells them apart (about a third of a read).

    A number read short counts as given here: its digits show the print legible, and the reader
    reads it again (held-out seed 9991, the third renderer's defocused front #10: 16 of its digits
    and a birth date without 年 had counted as two fields missing, and the photo, read whole by the
    reader, was refused as blurred).
    """
    side = Side(side)
    view = _read_view(card, side, config)
    return view is not None and view.shows_card and _fields_missing(view, side, short_missing=False) < 2


def edge_rows_lost(card: RGBImage, side: Side | str, config: CardConfig = DEFAULT_CONFIG) -> bool:
    """Whether a rectified card's print gives no value for a field of the side's first or last row
    (:data:`_EDGE_FIELDS`), asked by the pre-check of a card at the frame: a frame cutting straight
    between two rows takes the rows beyond it whole, and no line is left running into it. A card
    that shows no print is not judged here (the other checks judge it)."""
    side = Side(side)
    view = _read_view(card, side, config)
    return view is not None and _rows_lost(view, side)


#: The fields printed in each side's first or last row of fields: a front's name and number, a
#: back's validity (its first rows, the titles, are no fields, and cut through they run into the frame).
_EDGE_FIELDS = {Side.FRONT: ("name", "id_number"), Side.BACK: ("valid_from", "valid_until")}


def _rows_lost(view: _View, side: Side) -> bool:
    """Whether a view's lines, as read (no reread), give no value for a field of :data:`_EDGE_FIELDS`.

    The reader and the pre-check judge the same way, so the two never tell the person different
    things; a reread may still recover a value from a row cut through (a date read at 0.43 from
    the top half of a back's validity line), no proof that the row is whole."""
    if not view.shows_card:
        return False
    reading = cardtext.read_front(view.lines) if side is Side.FRONT else cardtext.read_back(view.lines)
    return any(not reading.fields[key].text for key in _EDGE_FIELDS[side])


def _seen(view: _View, asked: Side) -> Side:
    """The side a view shows, the one asked for unless the other is clearly stronger (by 0.1)."""
    return asked if view.evidence[asked.value] >= view.best[0] - 0.1 else view.best[1]


#: One outline's reading: the view, the outline, the photo corners it was warped from, its shortfall.
_Reading = tuple["_View", layout.CardLocation, np.ndarray, tuple[int, bool]]


def _best_view(
    photo: RGBImage, candidates: list[layout.CardLocation], side: Side, config: CardConfig
) -> tuple[_View, layout.CardLocation, np.ndarray] | None:
    """The card read from the first outline that shows one, else from its print.

    An outline that shows a card ends the search. The whole photo taken as the card (its shape
    is a card's, or all of it is bright: a scan, a tight crop, a card washed out on white) ends it only
    when it reads convincingly; otherwise the card found by its print is read too and the better
    reading kept (a card overexposed on white paper, the photo upright: read whole and squashed,
    its labels had been read as the name). Any outline ends it only when every field was found
    on it, and the reading giving the most fields is kept: a shadow across a card filling the
    photo gives an outline of its lit part, on which the labels read well but half the values are
    missing; a thumb over a corner, or a card's calm merged with the page's, gives an outline
    that cuts the validity line off. Nor when print runs into the outline's edge (print keeps
    millimetres clear of the card's): an outline cornered on a stick beside a card turned 90
    degrees had cut the number's last digit off. A card read whole costs nothing more.

    A front then still missing fields, found only by its print, whose print runs into the view's
    edge (the outline cut the card), or whose name has no name's shape (print beside the card read
    into it) is read again where its labels put it (:func:`_reread_by_labels`).
    """
    best: _Reading | None = None
    by_print = False
    outlined: list[_Reading] = []  # readings of outlines, for the labels to place the card again
    for candidate in [*candidates, None]:
        # Last, when no outline gave a card: find it by its print.
        location = candidate or _locate_by_text(photo)
        if location is None:
            break
        card, quad = layout.rectify(photo, location)
        view = _read_view(card, side, config)
        if view is None:
            continue
        missing = _shortfall(view, side)
        if candidate is not None:
            outlined.append((view, location, quad, missing))
        if best is None or _rank(view, missing) > _rank(best[0], best[3]):
            best, by_print = (view, location, quad, missing), candidate is None
        whole = location.whole_image or layout.fills_photo(location.quad, photo.shape[1], photo.shape[0])
        if view.best[0] >= (_CONVINCING if whole else _SEEN) and not any(missing):
            break
    if best is None or side is not Side.FRONT:
        return best[:3] if best is not None else None
    polluted = not _unpolluted(best[0])
    if best[3][0] or best[3][1] or by_print or polluted:
        sources = [best, *(r for r in outlined if r is not best)][:_LABEL_SOURCES]
        best = _reread_by_labels(photo, best, sources, side, config, by_print=by_print, polluted=polluted)
    return best[:3]


def _unpolluted(view: _View) -> bool:
    """Whether nothing beside the card was read into the front's name or nation (no OCR: the view's
    lines are read): the name has a name's shape (:func:`_name_shaped`) and the nation is not a
    listed name with more print after it (:func:`_overrun_nation`)."""
    fields = cardtext.read_front(view.lines).fields
    return _name_shaped(fields["name"].text) and not _overrun_nation(fields["nation"].text)


def _overrun_nation(text: str) -> bool:
    """Whether a nation reading is a listed name followed by two or more characters of print: a
    page's line beside the card read on (held-out seed 9961, the third renderer's front #2, a card
    turned on a form: 普米设工程施工), not a misread name (土冢 for 土家 is one character off)."""
    if nations.find_nation(text) is not None:
        return False
    cleaned = nations.simplify(text).lstrip("民族")
    return any(cleaned.startswith(name) and len(cleaned) >= len(name) + 2 for name in nations.NATIONS)


def _reread_by_labels(
    photo: RGBImage,
    best: _Reading,
    sources: list[_Reading],
    side: Side,
    config: CardConfig,
    *,
    by_print: bool,
    polluted: bool,
) -> _Reading:
    """The card read where its own labels, read on a view (the best, then an outline's), put it.

    When fields are still missing, that reading is kept only when it gives more of them. It is kept
    when it gives as many, too, when the best view is the card found only by its print, when the
    best view's print ran into its edge and this one's stays clear (its name a name's shape), or
    when the best view's name or nation had print beside the card read into it and this one's has not
    (:func:`_unpolluted`): the print's extent, or an outline merged with a page, takes in the page's
    print beside the card. A page's 有关规定 had been read after the name (陆燕明有关规定), its 复印件办
    and 设工程施工 after the nation, without a field missing; a tilted card's
    outline running up a page's column had put its 提供具实 after 万德. The labels' outline leaves the
    page out. An outline passed over because the number ran into its edge still shows where the
    labels are (魏辉楚 on a page: from the print's extent they placed the card too high).
    """
    tries = [
        loc
        for middles in (False, True)
        for src in sources
        for loc in _located_by_labels(src[0], src[2], photo.shape[1], photo.shape[0], from_middles=middles)
    ]
    for location in tries[:_LABEL_TRIES]:
        card, quad = layout.rectify(photo, location)
        view = _read_view(card, side, config)
        if view is None:
            continue
        missing = _shortfall(view, side)
        more = missing[0] < best[3][0] and _rank(view, missing) > _rank(best[0], best[3])
        unpolluted = _unpolluted(view)
        cleaner = by_print or (polluted and unpolluted)
        as_many = cleaner and missing[0] <= best[3][0] and _rank(view, missing) >= _rank(best[0], best[3])
        # The print clear of the edges where it ran into one (the outline had cut the card's end
        # off: 43018119551105506 without its X), and nothing beside the card read into the name or
        # the nation.
        whole = best[3][1] and not missing[1] and missing[0] <= best[3][0] and unpolluted
        if more or as_many or whole:
            return view, location, quad, missing
    return best


_LABEL_SOURCES = 2  # views whose labels may place the card again: the best and the first outline
_LABEL_TRIES = 3  # outlines from labels read at most (each costs a reading of the card)


def _located_by_labels(
    view: _View, quad: np.ndarray, width: int, height: int, *, from_middles: bool = False
) -> list[layout.CardLocation]:
    """The front's outline from its 姓名 and 公民身份号码 labels, as read on a view: placed on the
    view, then in the photo (each kept while it lies about inside the photo).

    A pale card on a printed page, its outline not seen and its calm joined to the page's gaps, is
    read from the page found by its print: the page's lines then run into the card's rows (a page's
    出示居民身… beside its address) and fields are lost. But its labels were read, and the layout
    standard fixes where they stand: 姓名 top left, 公民身份号码 bottom left, the two spanning about
    four fifths of the card's height. The outline taken from them, a little generously, is read
    again. On the view it follows the view's perspective (right when the view's outline is the
    card's, or the print's extent); an outline merged with the page (a corner far past the card)
    warps the view so that the card's proportions there are not its own, and placed in the photo
    along the print's direction at 姓名 it is right (a tilted card on a page: 万德提供具实).

    The labels' extent is taken from their boxes' edges, or ``from_middles``: the detector pads a
    box by some pixels at any scale, so on a small card (on a page found by its print) the edges add
    a fifth of its height, and the outline ran off the photo (third 9711 #24). The middles' outline
    is the tighter; it is tried after the edges', which had kept a number's end that it cut off.
    """
    numbers = (_from_label(x, _NUMBER_LABEL, len(_NUMBER_LABEL) - 2) for x in view.lines)
    number = next((x for x in numbers if x is not None), None)
    if number is None:
        return []
    # 姓名 may be read in part (姓 misread): a line starting with either, above the number, in its column;
    # failing that, 名 then a name (姓 lost altogether).
    names = _name_labels(view.lines, number, lambda line: _from_label(line, "姓名", 1)) or _name_labels(
        view.lines, number, _after_lost_surname_label
    )
    if not names:
        return []
    name = min(names, key=lambda x: x.box[1])
    if from_middles:
        name_y, number_y = (name.box[1] + name.box[3]) / 2, (number.box[1] + number.box[3]) / 2
        span, lead = _MIDDLES_SPAN, _NAME_MIDDLE
    else:
        name_y = name.box[1]
        number_y = max(x.box[3] for x in view.lines if x.box[1] < number.box[3] and x.box[3] > number.box[1])
        span, lead = _LABELS_SPAN, _NAME_TOP
    to_photo = _to_photo(view, quad)

    def at(points: np.ndarray) -> np.ndarray:
        found: np.ndarray = cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), to_photo)
        return found.reshape(-1, 2)

    tall = (number_y - name_y) / span
    wide = tall * layout.ASPECT
    top, left = name_y - lead * tall, min(name.box[0], number.box[0]) - _LABEL_LEFT * wide
    on_view = at(np.array([[left, top], [left + wide, top], [left + wide, top + tall], [left, top + tall]]))
    name_at, step_at, number_at = at(
        np.array([(name.box[0], name_y), (name.box[0] + number.height, name_y), (number.box[0], number_y)])
    )
    along = (step_at - name_at) / max(float(np.linalg.norm(step_at - name_at)), 1e-6)  # the print's direction
    down = np.array([-along[1], along[0]])  # a quarter turn on, towards the number
    tall_in_photo = float(np.dot(number_at - name_at, down)) / span
    wide_in_photo = tall_in_photo * layout.ASPECT
    origin = name_at + along * (
        min(0.0, float(np.dot(number_at - name_at, along))) - _LABEL_LEFT * wide_in_photo
    )
    origin = origin - down * (lead * tall_in_photo)
    in_photo = np.array(
        [
            origin,
            origin + along * wide_in_photo,
            origin + along * wide_in_photo + down * tall_in_photo,
            origin + down * tall_in_photo,
        ]
    )
    out = []
    for corners in (on_view, in_photo) if tall_in_photo > 0 else (on_view,):
        outside = layout.outside_share(layout.CardLocation(corners.astype(np.float32), False), width, height)
        if outside < _LABELS_OUTSIDE:
            out.append(layout.CardLocation(corners.astype(np.float32), outside > 0))
    return out


def _from_label(line: cardtext.CardLine, label: str, least: int) -> cardtext.CardLine | None:
    """The line from where it holds ``label`` (``least`` of its characters in place), else None.

    A card on a printed page, found by its print, can have a character of the page's read onto
    the start of a label's line (天公民身份号得, 有姓名 beside a card lying on a form): the label
    is then taken after up to :data:`_LABEL_PREFIX` characters, whole but for a character in a
    long label, and the line's box starts where it does.
    """
    start = _label_start(line, label, least)
    return None if start is None else line if start == 0 else _line_from(line, start)


def _label_start(line: cardtext.CardLine, label: str, least: int) -> int | None:
    """Where in a line's text ``label`` begins (:func:`_from_label`), or None when it holds no label."""
    chars = [(k, ch) for k, ch in enumerate(line.text) if not ch.isspace()]
    for skip in range(min(_LABEL_PREFIX, len(chars) - 1) + 1):
        found = _in_place("".join(ch for _, ch in chars[skip:]), label)
        if found >= (least if skip == 0 else max(least, len(label) - (len(label) > _SHORT_LABEL))):
            return chars[skip][0]
    return None


def _name_labels(
    lines: Sequence[cardtext.CardLine],
    number: cardtext.CardLine,
    found: Callable[[cardtext.CardLine], cardtext.CardLine | None],
) -> list[cardtext.CardLine]:
    """The lines ``found`` takes for the name's, above the number label and in its column."""
    return [
        x
        for x in map(found, lines)
        if x is not None
        and x.box[3] < number.box[1]
        and abs(x.box[0] - number.box[0]) < _LABEL_COLUMN * number.height
    ]


def _after_lost_surname_label(line: cardtext.CardLine) -> cardtext.CardLine | None:
    """The name's line when its label was read without 姓 (名杨玉: 姓 lost under a shadow's edge,
    third 9871 front #9), only when a name's shape follows 名. The caller asks only when no line was
    taken for 姓名's (a page's 名称建设 above the card might pass for one)."""
    text = line.text.replace(" ", "")
    return line if text[:1] == "名" and _name_shaped(text[1:]) else None


def _line_from(line: cardtext.CardLine, index: int) -> cardtext.CardLine:
    """The line with its box starting at character ``index``'s left edge (index >= 1; its text as it is)."""
    n = len(line.text)
    places = line.char_places if len(line.char_places) == n else tuple((k + 0.5) / n for k in range(n))
    left = (places[index - 1] + places[index]) / 2  # between it and the character before it
    x0 = line.box[0] + left * (line.box[2] - line.box[0])
    return replace(line, box=(x0, line.box[1], line.box[2], line.box[3]))


_LABEL_PREFIX = 2  # characters of page print read before a label
_SHORT_LABEL = 3  # a label this long or shorter is taken after a prefix only whole


def _in_place(text: str, label: str) -> int:
    """How many of ``label``'s characters a line's text holds in their places from its start."""
    return sum(a == b for a, b in zip(text.replace(" ", "")[: len(label)], label, strict=False))


# Two characters may be misread: 公民身份考码 under motion blur; 公民身份品功 squeezed where an outline
# ran through it (crossed 9841 #56). The four in place are still the label: page print reads 居民身份.
_NUMBER_LABEL = "公民身份号码"
# Of the card: 姓名's top to the number row's bottom spans about 0.8 of its height (5.5 to 49 mm of 54);
# a little less is taken, so the outline is a little generous, and margins above and left of the labels.
_LABELS_SPAN = 0.76
_NAME_TOP = 0.12
# 姓名's middle to the number label's spans 0.68 to 0.73 of the card's height (the three renderers):
# the least is taken, and the most (0.17) from the card's top to 姓名's middle.
_MIDDLES_SPAN = 0.68
_NAME_MIDDLE = 0.17
_LABEL_LEFT = 0.07
_LABELS_OUTSIDE = 0.1  # of the card's length: an outline from labels far past the photo is no card's
_LABEL_COLUMN = 3.0  # line heights: how far 姓名 may start from 公民身份号码 (labels are jittered, 3 mm)


def _shortfall(view: _View, side: Side) -> tuple[int, bool]:
    """What a reading lacks: the fields it gives no value for, and whether its print runs into the edge."""
    return _fields_missing(view, side), _print_at_edge(view)


def _fields_missing(view: _View, side: Side, *, short_missing: bool = True) -> int:
    """How many of ``side``'s fields the view's lines give no value for (no OCR: they are read).

    A number not 18 characters long is no card's number (a first-generation card's 15 digits are
    no longer valid): its end was lost, as where an outline ran through the card and squeezed the
    number's last digits out of the view (third 9871 front #47, 430981198410290 for
    43098119841029988X), so other outlines and the labels' are read too; unless ``short_missing``
    is False.
    """
    reading = cardtext.read_front(view.lines) if side is Side.FRONT else cardtext.read_back(view.lines)
    number = reading.fields.get("id_number")
    short = number is not None and bool(number.text) and len(number.text) != _NUMBER_LENGTH
    return sum(1 for value in reading.fields.values() if not value.text) + (short and short_missing)


def _print_at_edge(view: _View) -> bool:
    """Whether a line of the card's digits (the number, a date) reaches the card's left or right edge,
    or a label's end (号码 of 公民身份号码) starts at its left edge: the outline cut the card. Only
    these lines count: a page the card lies on, taken in by an outline too wide, reaches the edges
    with its own print, and reading every outline for it costs seconds.

    A thumb over a card's corner had joined the card's outline to the desk's: rectified from there
    the view was sheared, its labels' starts lost past its left edge (号码 at x -8), and the
    address's last line (108号), starting in the label column, was dropped without a sign
    (held-out third 10001 front #57). The card found by its print reads it whole.
    """
    width = view.card.shape[1]
    return any(
        (_DIGIT_RUN.search(line.text) and (line.box[0] <= _EDGE or line.box[2] >= width - _EDGE))
        or (line.box[0] <= _EDGE and line.text.replace(" ", "") in _LABEL_ENDS)
        for line in view.lines
        if line.score >= _EDGE_SCORE
    )


_EDGE = 2  # card pixels (of 856): detector boxes are padded, but print keeps 4 mm (40 px) clear
_EDGE_SCORE = 0.8  # lines read this surely are print (a pattern or the desk at the edge is read less so)
_DIGIT_RUN = re.compile(r"\d{6}")
#: A label without its first characters (身份号码, 号码; 机关; 期限): what is left of it past a cut.
_LABEL_ENDS = frozenset(
    label[k:] for label in (cardtext.FRONT_LABELS["id_number"], *cardtext.BACK_LABELS.values())
    for k in range(1, len(label) - 1)
)  # fmt: skip


def _rank(view: _View, missing: tuple[int, bool]) -> tuple[float, int, bool, float]:
    """Readings that show a card convincingly rank by the fields they give, then by print kept clear
    of the edges; the others by evidence."""
    return min(view.best[0], _CONVINCING), -missing[0], not missing[1], view.best[0]


_NUMBER_LENGTH = 18  # every second-generation card's number (GB 11643)


def _locate_by_text(photo: RGBImage) -> layout.CardLocation | None:
    """The card found from its text lines on the whole photo (its outline was not seen)."""
    boxes = get_ocr_engine().detect(photo, max_side=_PHOTO_DETECT_SIDE)
    if not boxes:
        return None
    return layout.locate_by_text(boxes, photo.shape[1], photo.shape[0])


_PHOTO_DETECT_SIDE = 800  # the card fills half the photo or more: its print is 10+ px high here


def _failed(side: Side, seen: Side | None, reason: str, timer: _Timer, rotation: int = 0) -> CardResult:
    problems = (Problem(reason, Severity.FAIL, side),)
    return CardResult(False, side, seen, (reason,), rotation=rotation, timings=timer.laps, problems=problems)


def _read_side(
    card: RGBImage, side: Side, lines: list[cardtext.CardLine], shot: _Shot, timer: _Timer,
    today: dt.date | None, declared_name: str | None, declared_id_number: str | None, config: CardConfig,
) -> CardResult:  # fmt: skip
    reread_name = False
    if side is Side.FRONT:
        lines, reading, reread_name = _reread_name(card, lines)
        lines, reading = _reread_address(card, lines, reading)
        lines, reading = _redetect_address(card, lines, reading, config)
        lines, reading = _surer_address(card, lines, reading)
    else:
        reading = cardtext.read_back(lines)
    lines, reading = _reread_alone(card, side, lines, reading)
    fields = dict(reading.fields)
    glared = _glared_fields(card, side, reading)
    name = fields["name"].text if side is Side.FRONT else ""
    doubtful = {"name"} if side is Side.FRONT and not (_gb2312(name) and _name_shaped(name)) else set()
    choices, scores = reading.choices.get("name", ()), reading.char_scores.get("name", ())
    if _differs_unproven(name, choices, scores, declared_name):
        doubtful.add("name")
    if reread_name:
        doubtful.add("name")  # read two ways: a mismatch is no proof (the surer reading is kept)
    # A name from a row whose 姓名 was not read exactly may be print beside the card (目名和 on a
    # form under it, read as 和女): too weak to fail a person, so a mismatch asks for review.
    doubtful |= reading.unsure & {"name"}
    identity = set(decision.IDENTITY_FIELDS[side])
    doubtful |= glared & identity
    doubtful |= (small := _too_small(side, shot))
    notes = (
        *reading.notes,
        *(f"{key}_glare" for key in sorted(glared - identity)),
        *(("print_small",) if small else ()),
    )
    if side is Side.FRONT:
        number, disagree = _reread_number(card, lines, fields["id_number"], declared_id_number, today)
        if disagree or len(number.text) != _NUMBER_LENGTH:
            doubtful.add("id_number")  # digits lost or added (an edge read as 1): a misreading, no proof
        fields["id_number"] = _number_within(number, today)
        if _glyph_off_on_declared_card(name, fields["id_number"].text, declared_name, declared_id_number):
            doubtful.add("name")
        fields["birth_date"] = _reread_birth(card, lines, fields["birth_date"], fields["id_number"].text)
        fields["birth_date"] = _birth_by_choices(fields, reading)
        doubtful |= _against_number_unproven(fields, reading)
        others = [f for f in decision.IDENTITY_FIELDS[side] if f != "name"]
        if "id_number" in doubtful or any(not fields[f].text for f in others):
            # A reading that lost another identity field is no proof that the name is another's:
            # print beside a card not found had been read as the name (件复印) and failed a person.
            doubtful.add("name")
    else:
        fields.update(_reread_validity(card, lines, fields["valid_from"], fields["valid_until"]))
        doubtful |= {key for key in ("valid_from", "valid_until") if not _date_shaped(fields[key].text)}
        if not _possible(fields["valid_from"].text, fields["valid_until"].text, today or dt.date.today()):
            # A period no card is given (2023.03.30-2043.03.31: a motion-blurred 1 read 0), or one
            # that has not begun, is a misreading of one of its dates: no proof that the card is
            # invalid, and no date to keep.
            doubtful |= {"valid_from", "valid_until"}
    timer.lap("fields")
    warnings = list(quality.assess(card, cut_off=shot.cut_off, limits=config.quality))
    if small:
        warnings.append(QualityWarning("quality_too_small", shot.length, PRECHECK_LIMITS.min_card_length))
    blurred = any(w.code == "quality_blur" for w in warnings)
    if side is Side.FRONT:
        found = checks.check_front(
            fields, declared_name=declared_name, declared_id_number=declared_id_number, today=today
        )
    else:
        found = checks.check_back(fields, today=today)
    decided = decision.decide_card(
        side,
        fields,
        found,
        min_confidence=config.min_confidence,
        warn_confidence=config.blurred_warn_confidence if blurred else config.warn_confidence,
        doubtful=doubtful,
        notes=notes,
    )
    if side is Side.FRONT:
        fields["name"] = _simplified_name(fields["name"])
    portrait = _portrait(card, lines) if side is Side.FRONT else None
    timer.lap("checks")
    if portrait is not None and config.find_portrait_face and not _has_face(portrait):
        warnings.append(QualityWarning("card_face_not_found", 0.0, 1.0))
    timer.lap("portrait")
    problems = decision.card_problems(side, decided.reasons, decided.review_reasons, decided.field_warnings,
                                      warnings)  # fmt: skip
    return CardResult(
        not decided.reasons and not decided.review_reasons,
        side,
        side,
        decided.reasons,
        fields,
        found,
        tuple(warnings),
        shot.rotation,
        timer.laps,
        portrait,
        decided.review_reasons,
        decided.field_warnings,
        problems,
    )


@dataclass(frozen=True, slots=True)
class _View:
    """The card's lines read one way up, and how much they look like each side."""

    lines: list[cardtext.CardLine]
    flipped: bool
    evidence: dict[str, float]
    card: RGBImage  # the card the lines were read on, upright (straightened when it was tilted)
    to_rectified: np.ndarray  # 3 x 3: its pixels to the rectified card's (undoing the levelling and turn)

    @property
    def best(self) -> tuple[float, Side]:
        return max((self.evidence[s.value], s) for s in Side)

    @property
    def shows_card(self) -> bool:
        """Whether the lines look like either side of an ID card at all (:data:`_SEEN`)."""
        return self.best[0] >= _SEEN


def _to_photo(view: _View, quad: np.ndarray) -> np.ndarray:
    """3 x 3: a view's pixels to the photo's, through the rectified card whose outline is ``quad``."""
    to_photo: np.ndarray = (
        cv2.getPerspectiveTransform(layout.CARD_CORNERS, quad.astype(np.float32)) @ view.to_rectified
    )
    return to_photo


_CONVINCING = 0.5  # side evidence at which the other way up is not tried
_SEEN = 0.25  # below this for both sides, it is not an ID card


def _read_view(card: RGBImage, expected: Side, config: CardConfig) -> _View | None:
    """Detect the lines once; recognise them upright, and upside down only when upright is unconvincing.

    The detector finds lines either way up, so the turned card's boxes are the same boxes turned;
    only recognition runs twice, and only for a card photographed upside down (or no card).
    """
    card, boxes, level = _straighten(card, _line_boxes(card, config))
    back = np.linalg.inv(np.vstack([level, [0.0, 0.0, 1.0]]))  # the levelled card's pixels to the rectified
    boxes = _text_lines(boxes)
    if len(boxes) < 2:
        return None
    ink = _ink_map(card)
    boxes = _extend_boxes(boxes, ink)
    boxes += _missed_boxes(ink, boxes, card.shape)
    lines = _recognise(card, boxes)
    upright = _View(lines, False, cardtext.side_evidence(lines), card, back)
    convincing = upright.evidence[expected.value] >= _CONVINCING or upright.best[0] >= _CONVINCING
    if convincing and not _garbled(lines) and cardtext.labels_seen(lines):
        return upright
    h, w = card.shape[:2]
    turned_boxes = [np.array([[w - x, h - y] for x, y in b[[2, 3, 0, 1]]], np.float32) for b in boxes]
    lines = _recognise(np.ascontiguousarray(card[::-1, ::-1]), turned_boxes)
    half_turn = np.array([[-1.0, 0.0, w], [0.0, -1.0, h], [0.0, 0.0, 1.0]])
    turned = _View(lines, True, cardtext.side_evidence(lines), np.ascontiguousarray(card[::-1, ::-1]),
                   back @ half_turn)  # fmt: skip
    return turned if turned.best[0] > upright.best[0] else upright


def _garbled(lines: list[cardtext.CardLine]) -> bool:
    """Whether a third or more of the lines read as nothing, or nearly: print upside down reads so
    (a pale card turned 270 degrees, read upright: its number's digits, symmetric under a half
    turn, read as a 16-digit run convincing enough for a front, its other lines as nothing)."""
    poor = sum(1 for x in lines if not x.text.strip() or x.score < _POOR_LINE)
    return poor >= _MIN_POOR_LINES and poor * 3 >= len(lines)


_POOR_LINE = 0.3  # recogniser score below which a line is read as good as nothing
_MIN_POOR_LINES = 3


def _straighten(card: RGBImage, boxes: list[np.ndarray]) -> tuple[RGBImage, list[np.ndarray], np.ndarray]:
    """The card and its line boxes turned level when the print runs at a slant, and the 2 x 3 turn.

    A card whose outline was not found (pale on a pale desk) is read from the whole photo, tilted
    as it lay; its lines' upright bounding boxes then grow by their width times the slant and
    neighbouring lines fall into one row (an address read with its last line before its second).
    The slant is the median of the long lines' own angles (the detector's boxes follow the print),
    so turning the card and the boxes by it costs no second detection.
    """
    none = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    long = [b for b in boxes if np.ptp(b[:, 0]) >= 2.5 * np.ptp(b[:, 1])]
    if len(long) < _MIN_SLANT_LINES:
        return card, boxes, none
    angles = [math.degrees(math.atan2(b[1, 1] - b[0, 1], b[1, 0] - b[0, 0])) for b in long]
    slant = float(np.median(angles))
    if not _MIN_SLANT_DEG <= abs(slant) <= _MAX_SLANT_DEG:
        return card, boxes, none
    h, w = card.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), slant, 1.0)
    level = cv2.warpAffine(card, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    turned = [cv2.transform(b.reshape(-1, 1, 2).astype(np.float32), matrix).reshape(-1, 2) for b in boxes]
    return np.ascontiguousarray(level), turned, matrix


_MIN_SLANT_LINES = 3  # long lines needed to trust their common angle
_MIN_SLANT_DEG = 1.0  # below this a line's box grows by under 2 % of its width: left as it is
_MAX_SLANT_DEG = 20.0  # beyond this the boxes are not level lines of one card


def _line_boxes(card: RGBImage, config: CardConfig) -> list[np.ndarray]:
    """Text-line quadrilaterals on the card (top-left first, clockwise); specks left out."""
    return [b for b in get_ocr_engine().detect(card, max_side=config.detect_side) if np.ptp(b[:, 0]) >= 10]


def _text_lines(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """The boxes one line of print high: pictures left out.

    A box's height is its own, across its print (:func:`_own_height`): a card lying askew on a page
    is not levelled by the page's many level lines, and its lines' upright extents, grown by their
    width times the slant, had been taken for pictures (a back's authority and validity dropped,
    the card not found).
    """
    heights = [_own_height(b) for b in boxes]
    typical = float(np.median(heights)) if heights else 0.0
    # A box several lines tall is the portrait or the emblem, not text: not worth recognising.
    return [b for b, h in zip(boxes, heights, strict=True) if 10 <= h <= 2.2 * typical]


def _own_height(box: np.ndarray) -> float:
    """A line box's height across its print: its left and right edges' mean length (the box's
    corners run top-left, top-right, bottom-right, bottom-left)."""
    return float(np.linalg.norm(box[3] - box[0]) + np.linalg.norm(box[2] - box[1])) / 2


def _ink_map(card: RGBImage) -> np.ndarray:
    """Where print is, at half resolution, measured against the local paper level (:func:`_ink_ratio`)."""
    half = cv2.resize(card, (card.shape[1] // 2, card.shape[0] // 2), interpolation=cv2.INTER_AREA)
    small: RGBImage = np.ascontiguousarray(half, dtype=np.uint8)
    ratio, _, noise = _ink_ratio(small)
    # Not relative to the darkest ink as for one line: the portrait's black hair would hide blurred print.
    return ratio < 1.0 - max(_MIN_INK_DEPTH, 2.0 * noise)


def _extend_boxes(boxes: list[np.ndarray], ink: np.ndarray) -> list[np.ndarray]:
    """Each box widened over print that continues its line (a blurred or faded last character).

    The detector's box can stop short of a line's blurred end (迎宾路34 without its 号); ink
    within about half a line height of the box's end, in the box's middle band, belongs to the
    line. A box never grows into another box of the same row, nor by more than a few characters:
    ink that runs on further is a picture the line ends beside (the portrait), and a box grown
    over it had reached print on the far side (form print beside a card whose outline was taken
    too wide, read into the address as a second copy of its first line).
    """
    out = []
    spans = [(b.min(axis=0) / 2, b.max(axis=0) / 2) for b in boxes]
    for i, ((x0, y0), (x1, y1)) in enumerate(spans):
        h = y1 - y0
        band = ink[int(y0 + 0.3 * h) : int(y1 - 0.3 * h) + 1]
        if band.size == 0:
            out.append(boxes[i])
            continue
        cols: np.ndarray = np.asarray(band.any(axis=0))
        same_row = [
            s for j, s in enumerate(spans) if j != i and min(s[1][1], y1) - max(s[0][1], y0) > 0.5 * h
        ]
        right_limit = min([s[0][0] for s in same_row if s[0][0] > x0] + [ink.shape[1]])
        left_limit = max([s[1][0] for s in same_row if s[1][0] < x1] + [0.0])
        gap, most = max(2, int(0.5 * h)), _MAX_GROWTH * h
        right, left = int(x1), int(x0)
        for x in range(int(x1), int(min(right_limit, x1 + most + gap + 2)) - 1):
            if x - right > gap:
                break
            if cols[x]:
                right = x + 1
        for x in range(int(x0), int(max(left_limit, x0 - most - gap - 2)), -1):
            if left - x > gap:
                break
            if cols[x]:
                left = x - 1
        right = right if right - x1 <= most else int(x1)
        left = left if x0 - left <= most else int(x0)
        grown = boxes[i].copy()
        grown[[1, 2], 0] += 2 * (right - int(x1))
        grown[[0, 3], 0] -= 2 * (int(x0) - left)
        out.append(grown)
    return out


_MAX_GROWTH = 2.5  # line heights (a box's, padding included): about two characters lost at its end


def _missed_boxes(
    ink_map: np.ndarray, boxes: list[np.ndarray], card_shape: tuple[int, ...]
) -> list[np.ndarray]:
    """Lines of print the detector missed: ink outside every detected box, one line high.

    The detector can miss a faint single character (性别 女 in low light) that the ink test still
    sees. Candidates are only proposals: recognition keeps them when it reads text with confidence.
    The card's margin is left out: print keeps 4 mm from the edges, and a rectified photo's edges
    hold the desk and the rounded corners.
    """
    typical = float(np.median([np.ptp(b[:, 1]) for b in boxes]))
    ink: np.ndarray = ink_map.astype(np.uint8)
    for b in boxes:
        x0, y0 = np.floor(b.min(axis=0) / 2).astype(int)
        x1, y1 = np.ceil(b.max(axis=0) / 2).astype(int)
        ink[max(y0, 0) : y1 + 1, max(x0, 0) : x1 + 1] = 0
    ink = cv2.dilate(ink, np.ones((3, 11), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    out = []
    height, width = card_shape[:2]
    for x, y, w, h, area in stats[1:count]:
        x, y, w, h = 2 * x, 2 * y, 2 * w, 2 * h
        inside = 0.04 * width < x and x + w < 0.96 * width and 0.05 * height < y and y + h < 0.95 * height
        if (
            inside
            and 0.55 * typical <= h <= 1.3 * typical
            and w >= 0.55 * typical
            and area * 4 >= 0.25 * w * h
        ):
            x0, y0 = max(x - 6, 0), max(y - 4, 0)
            x1, y1 = min(x + w + 6, card_shape[1]), min(y + h + 4, card_shape[0])
            out.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32))
    return out[:_MAX_MISSED]


_MAX_MISSED = 6  # proposals recognised at most (each costs as much as a detected line)


def _recognise(card: RGBImage, boxes: list[np.ndarray]) -> list[cardtext.CardLine]:
    crops = [_crop_quad(card, b) for b in boxes]
    out = []
    for box, line in zip(boxes, get_ocr_engine().recognize(crops), strict=True):
        x0, y0 = box.min(axis=0)
        x1, y1 = box.max(axis=0)
        out.append(_card_line(line, (float(x0), float(y0), float(x1), float(y1))))
    return out


def _crop_quad(card: RGBImage, quad: np.ndarray) -> RGBImage:
    """A line's quadrilateral warped to an upright rectangle (a residual tilt straightened)."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    if width < 4 or height < 4:
        return card[:0, :0]
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.stack([tl, tr, br, bl]), target)
    crop = cv2.warpPerspective(card, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
    return np.ascontiguousarray(crop)


def _read_box(card: RGBImage, box: layout.Box) -> TextLine:
    """One box of the card read on its own, in a strip of its own (nothing packed beside it)."""
    (line,) = get_ocr_engine().recognize([np.ascontiguousarray(layout.crop(card, box))])
    return line


def _pixel_box(box: cardtext.Box) -> layout.Box:
    """A line's box on the card, widened to whole pixels."""
    return int(box[0]), int(box[1]), int(np.ceil(box[2])), int(np.ceil(box[3]))


def _card_line(line: TextLine, placed: cardtext.Box) -> cardtext.CardLine:
    """A recognised line, with every per-character detail, placed on the card at ``placed``."""
    return cardtext.CardLine(line.text, line.score, placed, line.char_scores, line.alternatives,
                             line.char_places)  # fmt: skip


def _reread_name(
    card: RGBImage, lines: list[cardtext.CardLine]
) -> tuple[list[cardtext.CardLine], cardtext.Reading, bool]:
    """The lines, the name's read again on its own when a character of the name was read unsurely
    (below :data:`_PROOF_CONFIDENCE`); their reading; and whether the two readings of the name differ.

    The recogniser reads a card's lines packed side by side into shared strips
    (:meth:`idverify.ocr.OcrEngine.recognize`), and its attention runs across the strip: a blurred
    glyph can go either way with what stands beside it (黄清思 read 黄清恩 at 0.57 packed, 黄清思 at
    0.94 alone). Read alone too, the reading alone is kept where it is sure (:data:`_PROOF_CONFIDENCE`)
    of every character in which the two differ: a little surer is no better (令狐永涵 packed, 令弧永涵
    alone at 0.66 over 0.52). Two readings that differ leave the name in doubt.
    """
    first = cardtext.read_front(lines)
    scores, boxes = first.char_scores.get("name", ()), first.boxes.get("name", ())
    if not scores or min(scores) >= _PROOF_CONFIDENCE or len(boxes) != 1:
        return lines, first, False
    line = next((x for x in lines if x.box == boxes[0]), None)
    if line is None:
        return lines, first, False
    alone = _card_line(_read_box(card, _pixel_box(line.box)), line.box)
    relined = [alone if x is line else x for x in lines]
    second = cardtext.read_front(relined)
    name, other = first.fields["name"].text, second.fields["name"].text
    other_scores = second.char_scores.get("name", ())
    if not other or not other_scores or other == name:
        return lines, first, False
    if len(other) == len(name) == len(other_scores):
        sure = [p for a, b, p in zip(name, other, other_scores, strict=True) if a != b]
    else:
        sure = list(other_scores)
    return (relined, second, True) if min(sure) >= _PROOF_CONFIDENCE else (lines, first, True)


def _reread_address(
    card: RGBImage, lines: list[cardtext.CardLine], reading: cardtext.Reading
) -> tuple[list[cardtext.CardLine], cardtext.Reading]:
    """The lines and their reading, an address row that the detector split in two read again whole.

    Glare fades a stretch of a line; the detector then boxes the print on either side of it and
    leaves the faint glyphs between unboxed, so they vanish from the address (西藏自 | 林芝县人民路:
    治区 lost). Read as one crop, the recogniser sees them in context (西藏自治区林芝县人民路 at 1.0).
    The whole reading is kept only when it holds every piece's text, in order, and each character
    it adds was read surely (:data:`_PROOF_CONFIDENCE`): what is kept was seen, nothing is guessed.
    """
    boxes = set(reading.boxes.get("address", ()))
    pieces = [x for x in lines if x.box in boxes]
    replaced: dict[int, cardtext.CardLine] = {}
    for row in cardtext.group_rows(pieces):
        split = row.lines
        if len(split) < 2 or not _gapped(split):
            continue
        corners = np.array([x.box for x in split])
        box = _pixel_box((corners[:, 0].min(), corners[:, 1].min(), corners[:, 2].max(), corners[:, 3].max()))
        again = _read_box(card, box)
        if _adds_surely("".join(x.text for x in split), again):
            whole = _card_line(again, (float(box[0]), float(box[1]), float(box[2]), float(box[3])))
            replaced.update({id(x): whole for x in split})
    if not replaced:
        return lines, reading
    relined, seen = [], set()
    for x in lines:
        line = replaced.get(id(x), x)
        if id(line) not in seen:
            seen.add(id(line))
            relined.append(line)
    return relined, cardtext.read_front(relined)


def _redetect_address(
    card: RGBImage, lines: list[cardtext.CardLine], reading: cardtext.Reading, config: CardConfig
) -> tuple[list[cardtext.CardLine], cardtext.Reading]:
    """The lines and their reading, with print below an address that looks cut found by a second
    detection at another scale (:data:`_REDETECT_SIDE`) and read.

    At one scale the detector can box none of an address's later lines while it boxes them at
    others (held-out alt seed 10047 #17, a clean card turned 270 degrees and read from the whole
    photo: at 480 px nothing between 通道侗族自 and the number; at 400, 560 and 640 the line
    治县银牛镇溪安村16组67). Only when the address's place or end says it was cut, and only boxes
    of new print (overlapping no line read) between the address's first line and the number are
    added; the reading is kept when its address holds the old one whole and adds characters, each
    read surely (:data:`_PROOF_CONFIDENCE`), and its note is gone: nothing is guessed.
    """
    cut = [note for note in ("address_place_unknown", "address_cut") if note in reading.notes]
    first = reading.boxes.get("address", ())
    number = reading.boxes.get("id_number", ())
    if not cut or not first or not number:
        return lines, reading
    top, bottom = min(b[1] for b in first), min(b[1] for b in number)
    found = _text_lines(_line_boxes(card, replace(config, detect_side=_REDETECT_SIDE)))
    new = [b for b in found if top < float(b[:, 1].min()) < bottom and not _overlaps_any(b, lines)]
    if not new:
        return lines, reading
    read = _recognise(card, new)
    relined = [*lines, *read]
    again = cardtext.read_front(relined)
    old, text = reading.fields["address"].text, again.fields["address"].text
    joined = set(again.boxes.get("address", ()))
    scores = [score for line in read if line.box in joined for score in line.char_scores]
    if (
        not text.startswith(old)
        or len(text) == len(old)
        or min(scores, default=0.0) < _PROOF_CONFIDENCE
        or any(note in again.notes for note in cut)
    ):
        return lines, reading
    return relined, again


_REDETECT_SIDE = 640  # the card's longer side for the second detection (the first's is 480)


def _overlaps_any(quad: np.ndarray, lines: list[cardtext.CardLine]) -> bool:
    """Whether a box shares more than a third of its area with a line already read."""
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    area = max(1.0, float((x1 - x0) * (y1 - y0)))
    for line in lines:
        w = min(x1, line.box[2]) - max(x0, line.box[0])
        h = min(y1, line.box[3]) - max(y0, line.box[1])
        if w > 0 and h > 0 and w * h > area / 3:
            return True
    return False


def _surer_address(
    card: RGBImage, lines: list[cardtext.CardLine], reading: cardtext.Reading
) -> tuple[list[cardtext.CardLine], cardtext.Reading]:
    """The lines and their reading, each address line with a character read unsurely (below
    :data:`_PROOF_CONFIDENCE`) read again on its own, every character taken from the surer reading.

    The recogniser reads a card's lines packed side by side, and its attention runs across the
    strip: a blurred glyph can go either way with what stands beside it (held-out crossed seed
    10021 front #10, defocused: 11栋3单元 read 1153攀元 packed, 栋 as 5 at 0.47 and 单 as 攀 at
    0.71; alone 11栋3单元, 栋 at 0.94 but 单 at 0.47). The reading alone is a second one; where both
    give as many characters, each position keeps the character the recogniser was surer of, with
    its confidence and choices (11栋3攀元 there), and what doubt is left flags the address as
    before. Readings of different lengths are left as read (which characters answer each other is
    unknown). Nothing is guessed: every character kept was read. On blurred photos of seeds 7001
    and 7002 (296 fronts), 2 more addresses read right and none fewer. One recognition per unsure
    line."""
    boxes = set(reading.boxes.get("address", ()))
    replaced: dict[int, cardtext.CardLine] = {}
    for line in lines:
        scores = line.char_scores
        if (
            line.box not in boxes
            or len(scores) != len(line.text)
            or min(scores, default=1.0) >= _PROOF_CONFIDENCE
        ):
            continue
        alone = _read_box(card, _pixel_box(line.box))
        if len(alone.text) == len(line.text) == len(alone.char_scores):
            surer = _surer_chars(line, _card_line(alone, line.box))
            if surer.text != line.text:
                replaced[id(line)] = surer
    if not replaced:
        return lines, reading
    relined = [replaced.get(id(x), x) for x in lines]
    return relined, cardtext.read_front(relined)


def _surer_chars(packed: cardtext.CardLine, alone: cardtext.CardLine) -> cardtext.CardLine:
    """One line from two readings of it as long as each other: at each position the character read
    more surely, with its confidence and the recogniser's other choices there."""
    picks = []
    for at, (first, second) in enumerate(zip(packed.char_scores, alone.char_scores, strict=True)):
        line = alone if second > first else packed
        choices = line.alternatives[at] if len(line.alternatives) == len(line.text) else ()
        picks.append((line.text[at], line.char_scores[at], choices))
    scores = tuple(score for _, score, _ in picks)
    return cardtext.CardLine("".join(ch for ch, _, _ in picks), sum(scores) / len(scores), packed.box, scores,
                             tuple(choices for *_, choices in picks), packed.char_places)  # fmt: skip


#: Notes saying that a field's end was lost (an authority not ending in 局, an address ending in a
#: digit) and the field each is about: what :func:`_reread_alone` reads again.
_END_LOST = {"authority_uncertain": "authority", "address_cut": "address"}


def _reread_alone(
    card: RGBImage, side: Side, lines: list[cardtext.CardLine], reading: cardtext.Reading
) -> tuple[list[cardtext.CardLine], cardtext.Reading]:
    """The lines and their reading, each line of a field whose end was lost read again on its own.

    The recogniser reads a card's lines packed side by side (:meth:`idverify.ocr.OcrEngine.recognize`)
    and its attention reaches across the padding between them, however wide: packed beside a piece
    of the emblem, 签发机关桃源县公安局 decoded its 局 as blank, while read alone it gives 局 at
    1.0. When field knowledge says a field's end is missing (:data:`_END_LOST`), its lines are read
    alone; a reading alone is kept only when it holds every character of the packed one, in order,
    and each it adds was read surely (:data:`_PROOF_CONFIDENCE`), and the field's note is then gone:
    what is added was seen, nothing is guessed. One recognition per line, on few cards.
    """
    lost = [note for note in _END_LOST if note in reading.notes]
    wanted = {box for note in lost for box in reading.boxes.get(_END_LOST[note], ())}
    replaced: dict[int, cardtext.CardLine] = {}
    for line in (x for x in lines if x.box in wanted):
        again = _read_box(card, _pixel_box(line.box))
        if _adds_surely(line.text, again):
            replaced[id(line)] = _card_line(again, line.box)
    if not replaced:
        return lines, reading
    relined = [replaced.get(id(x), x) for x in lines]
    second = cardtext.read_front(relined) if side is Side.FRONT else cardtext.read_back(relined)
    if any(note in second.notes for note in lost):
        return lines, reading
    return relined, second


def _gapped(row: list[cardtext.CardLine]) -> bool:
    """Neighbouring boxes of one row leave a gap a glyph could hide in, yet no wider than print
    ever leaves inside one address line (:data:`_GLYPH_GAP`, :data:`_ADDRESS_GAP`)."""
    height = float(np.median([x.height for x in row]))
    gaps = [b.box[0] - a.box[2] for a, b in itertools.pairwise(row)]
    return max(gaps) > _GLYPH_GAP * height and max(gaps) < _ADDRESS_GAP * height


def _adds_surely(pieces: str, whole: TextLine) -> bool:
    """``whole`` holds ``pieces`` and adds characters to it, each read surely (:data:`_PROOF_CONFIDENCE`)."""
    added = _added_scores(pieces, whole.text, whole.char_scores)
    return bool(added) and min(added) >= _PROOF_CONFIDENCE


def _added_scores(pieces: str, whole: str, scores: tuple[float, ...]) -> list[float]:
    """The confidences of the characters ``whole`` adds to ``pieces``, when ``pieces`` is ``whole`` with
    some characters left out (in order); empty otherwise.

    Spaces are no characters of a field (the reader drops them): a space read unsurely between a
    label and its value adds nothing and proves nothing. Held-out seed 9941, alt backs #111 and #199:
    read alone, 签发机关 邵阳县公安局 gave every character at 1.0 but the space at 0.56, and the
    authority packed with other lines (阳县公安, its 局 lost) was kept."""
    if len(scores) != len(whole):
        return []
    pieces = "".join(ch for ch in pieces if not ch.isspace())
    kept = [(ch, score) for ch, score in zip(whole, scores, strict=True) if not ch.isspace()]
    if len(kept) <= len(pieces):
        return []
    added, at = [], 0
    for char, score in kept:
        if at < len(pieces) and char == pieces[at]:
            at += 1
        else:
            added.append(score)
    return added if at == len(pieces) else []


def _reread_number(
    card: RGBImage, lines: list[cardtext.CardLine], first: FieldValue, declared: str | None,
    today: dt.date | None,
) -> tuple[FieldValue, bool]:  # fmt: skip
    """Read the number line a second time (cropped to its ink) when the first reading is in doubt.

    In doubt: it fails the number checks, differs from the declared number, or a character is
    below 0.9. Of two different readings the one with a valid check digit is kept (both are
    readings of the card; nothing is made up); when both or neither are valid they disagree, and
    the number is doubtful (a person must look).

    Returns:
        The reading kept and whether the two readings disagree.
    """
    valid = checks.check_id_number(first.text, today=today)[0].passed
    matches = declared is None or normalize_id_number(declared) == first.text
    if valid and matches and first.confidence >= 0.9:
        return first, False
    line = next((x for x in lines if first.text and first.text in _number_digits(x.text)), None)
    if line is None:
        return first, False
    x0, y0, x1, y1 = (int(round(v)) for v in line.box)
    (again,) = get_ocr_engine().recognize([_line(card, (max(0, x0 - 6), max(0, y0 - 4), x1 + 6, y1 + 4))])
    second = cardtext.read_front([cardtext.CardLine(again.text, again.score, line.box, again.char_scores)])
    other = second.fields["id_number"]
    if other.text == first.text or not other.text:
        return first, False
    other_valid = checks.check_id_number(other.text, today=today)[0].passed
    if other_valid != valid:
        return (other if other_valid else first), False
    return first, True


def _number_within(number: FieldValue, today: dt.date | None) -> FieldValue:
    """The one valid number inside a run read too long (a thumb's edge read as 04 before it).

    Only when exactly one 18-character stretch passes every number check (format, check digit,
    birth date, division) is it taken: the card's number, which may then match the declared one.
    The reading stays doubtful all the same (the caller flagged its length), so a check it fails
    (another's number) asks for review instead of failing.
    """
    text = number.text
    windows = {text[i : i + _NUMBER_LENGTH] for i in range(len(text) - _NUMBER_LENGTH + 1)}
    valid = [w for w in windows if checks.check_id_number(w, today=today)[0].passed]
    if len(text) <= _NUMBER_LENGTH or len(valid) != 1:
        return number
    return FieldValue(number.name, valid[0], number.confidence)


def _reread_birth(
    card: RGBImage, lines: list[cardtext.CardLine], first: FieldValue, number: str
) -> FieldValue:
    """Read the birth line again, widened to the right, when the date read has lost its end.

    The detector's box can stop short of a line's faint end (glare over ``5日`` left
    ``1953年11月``, which is no date). The line holding a year (``1953年``) is cropped again from
    its start to the next text of its row, or four line heights on (not into the portrait), without
    trimming to its ink, which the faded end fell below; the date counts when the new reading
    parses whole, or when its year, month and day were all read and are the number's (glare over
    日 alone left ``1974年12月18``: a date that agrees with the number, never one that fails it).
    A whole date that is not the number's is kept in doubt (no confidence): it was read from print
    faded enough for the detector to lose, and glare that took a stroke had turned 15日 into 1日
    and failed a genuine person (birth_date_mismatch). Runs only for an unreadable birth date, so
    it costs nothing on most cards.
    """
    if first.text:
        return first
    dated = [
        x for x in lines if _DATED.search(_nfkc(x.text).replace(" ", "")) and len(_number_digits(x.text)) < 15
    ]
    if not dated:
        return first
    line = min(dated, key=lambda x: x.box[1])
    x0, y0, _, y1 = line.box
    right = _line_end(lines, line, cardtext.PORTRAIT_X * card.shape[1])
    box = (max(0, int(x0) - 6), max(0, int(y0)), int(right), int(y1))
    again = _read_box(card, box)
    text = cardtext.birth_text(_nfkc(again.text))
    scores = again.char_scores or (again.score,)
    if text:
        born = cardtext.numbers_birth(number)
        return FieldValue("birth_date", text, min(scores) if text == born or not born else 0.0)
    for read in (again, line):
        if agreed := _numbers_date(_nfkc(read.text), number):
            return FieldValue("birth_date", agreed, min(read.char_scores or (read.score,)))
    return first


def _numbers_date(raw: str, number: str) -> str:
    """The number's birth date when ``raw`` holds exactly its year, month and day, some of their
    marks lost or misread, and the number is valid (check digit and all); else "".

    Marks lost: ``1974年12月18`` (日 under glare), ``20222月15日`` (a defocused 年, the year's digits
    then run into the month's, which 月 still ends); a mark misread as a digit: ``1971年5月130``
    (日 read 0 after the day). The digits read must be the number's, in order: a date that
    agrees with the number, never one that fails it.
    """
    born = cardtext.numbers_birth(number)
    if not born:
        return ""
    text = raw.replace(" ", "")
    parts = re.findall(r"\d+", text)
    year, month, day = re.findall(r"\d+", born)
    agrees = (
        parts == [year, month, day]
        or (len(parts) == 2 and parts[0] == year + month and parts[1] == day and f"{month}月" in text)
        or (
            parts[:2] == [year, month]
            and len(parts) == 3
            and parts[2][:-1] == day
            and int(parts[2]) > _LAST_DAY  # no day itself (…月10 may be the 10th, 日 lost)
            and "日" not in text
        )
    )
    return born if agrees else ""


_LAST_DAY = 31


_DATED = re.compile(r"\d{4}年|\d{5,6}月")  # a year, or a year run into its month (年 lost)


def _line_end(lines: list[cardtext.CardLine], line: cardtext.CardLine, limit: float) -> float:
    """Where a line whose box stopped short may really end: at the next text of its row, else four
    line heights on, and never past ``limit`` (the portrait, the card's margin)."""
    x0, y0, x1, y1 = line.box
    height = y1 - y0
    after = [x.box[0] for x in lines if x.box[0] >= x1 and min(x.box[3], y1) - max(x.box[1], y0) > height / 2]
    return min([*after, x1 + 4 * height, limit])


def _reread_validity(
    card: RGBImage, lines: list[cardtext.CardLine], start: FieldValue, end: FieldValue
) -> dict[str, FieldValue]:
    """Read the validity line again, widened to the right, when its start was read but not its end.

    As with the birth date (:func:`_reread_birth`), the detector's box can stop short of the line's
    last characters on a turned or faded card (``2017.09.28-2037.09.`` for ``...-2037.09.28``). The
    line that begins with the start date is cropped again from its start to the next text of its
    row, or four line heights on (not past the card's margin), and counts only when both dates
    then parse. Runs only when the end is missing.
    """
    if end.text or not start.text:
        return {}
    begun = [x for x in lines if start.text.replace(".", "") in _number_digits(x.text)]
    if not begun:
        return {}
    line = begun[0]
    x0, y0, _, y1 = line.box
    right = _line_end(lines, line, 0.97 * card.shape[1])
    box = (max(0, int(x0) - 6), max(0, int(y0) - 2), int(right), int(y1) + 2)
    again = _read_box(card, box)
    reread = cardtext.read_back([cardtext.CardLine(again.text, again.score, line.box, again.char_scores)])
    dates = reread.fields
    if not dates["valid_from"].text or not dates["valid_until"].text:
        return {}
    return {"valid_from": dates["valid_from"], "valid_until": dates["valid_until"]}


def _glared_fields(card: RGBImage, side: Side, reading: cardtext.Reading) -> set[str]:
    """Fields whose print glare may hide (:mod:`idverify.glare`): each is then in doubt.

    What glare wiped out is not on the photo, so what was read there may be short of what the
    card says (解放西路100号 read 解方00号, with confidence): an information field is flagged
    uncertain, and an identity field is doubtful, so a check that fails on it asks for review.
    """
    blank = glare.blank_glare(card)
    if not blank.any():
        return set()
    width = card.shape[1]
    right = cardtext.PORTRAIT_X * width if side is Side.FRONT else 0.96 * width
    return glare.glared_fields(blank, reading.boxes, right=right)


def _gb2312(text: str) -> bool:
    """True when every character is in GB 2312.

    Names are printed in standard simplified characters; a character outside GB 2312 in a reading
    (國 for 国, a serif glyph read as its traditional form) is doubtful, so a name that differs from
    the declared one only through such a reading asks for review instead of failing. Rare name
    characters outside GB 2312 exist too: they ask for review the same way, never a failure.
    """
    return hanzi.in_gb2312(text)


def _date_shaped(text: str) -> bool:
    """Whether a validity date reads as one (``2015.03.10``, a real day, or 长期); empty counts too
    (unreadable is decided apart). A date that does not (``110.01.31``) is a misreading, no proof
    that the card is invalid: it asks for review instead of failing the person."""
    return (
        not text
        or text == "长期"
        or (_DOTTED.fullmatch(text) is not None and checks.parse_cn_date(text) is not None)
    )


_DOTTED = re.compile(r"\d{4}\.\d{2}\.\d{2}")


def _possible(valid_from: str, valid_until: str, today: dt.date) -> bool:
    """Whether two validity dates read make a period the law gives that has begun by ``today``
    (True when either is not a date: that is decided apart)."""
    start = checks.parse_cn_date(valid_from)
    end = None if valid_until == "长期" else checks.parse_cn_date(valid_until)
    if start is None or (end is None and valid_until != "长期"):
        return True
    return start <= today and checks.lawful_period(start, end)


def _name_shaped(text: str) -> bool:
    """Whether a reading has a name's shape: 2-4 characters, or parts joined by ``·`` (买买提·艾力).

    A longer run is the name with something else read into it (print from a page under the card,
    a label), and a reading made of the labels' characters alone is labels: either may differ from
    the declared name for that alone, so it asks for review rather than failing the person.
    """
    if set(text) <= _LABEL_CHARS:
        return False  # the labels read as the name (出住: 出生 and 住址 where the name was washed out)
    parts = text.split("·")
    if len(parts) > 1:
        return all(parts) and len(text) <= _LONGEST_NAME
    return 2 <= len(text) <= 4


def _differs_unproven(
    read: str, choices: tuple[str, ...], scores: tuple[float, ...], declared: str | None
) -> bool:
    """Whether a name read differs from the declared one in a way that proves nothing of another
    person, so that it goes to review instead of failing. Never the other way: a reading that
    matches is not made doubtful. Names of another length are decided apart.

    The recogniser's other choices (``choices``: its second, and any likelier than noise) give the
    declared name wherever they differ: two readings disagree. 辰 read 展, 辰 its second choice; a
    defocused 覃 read 草 at 0.97, 覃 a choice at 0.003 (the third renderer's seed-9821 front #95: a
    genuine person failed). A reading of another person's card seldom offers the declared
    characters among its choices, and when it does a person looks: review is no pass. Or a character
    where they differ was read less than surely: 丁英琰 was read 丁央项, 央 at 0.95 but 项 at 0.68 (a
    light serif 琰 the recogniser does not know), and the name's least sure character (0.68) had
    been sure enough for the whole name to count as proof: a genuine person failed.

    A reading that holds the declared name whole, with characters before or after it read less
    than surely, is the name with something else read into its row (肖云杰日: the portrait's
    corner read 日 at 0.85).
    """
    if not declared or declared == read or len(scores) != len(read):
        return False
    at = read.find(declared)
    if at >= 0:
        extra = scores[:at] + scores[at + len(declared) :]
        return any(score < _PROOF_CONFIDENCE for score in extra)
    if not len(declared) == len(read) == len(choices):
        return False
    differ = [
        (d, others, score)
        for d, r, others, score in zip(declared, read, choices, scores, strict=True)
        if d != r
    ]
    return all(d in others for d, others, _ in differ) or any(
        score < _PROOF_CONFIDENCE for *_, score in differ
    )


def _glyph_off_on_declared_card(
    name: str, number: str, declared_name: str | None, declared_id_number: str | None
) -> bool:
    """Whether a name read one character off the declared one is on the card whose number the
    person declared, so that the difference asks for review instead of failing them.

    The number, read whole with its check digit, proves the card is the declared person's; a name
    then off by one character is far likelier a glyph read as its near twin than another person's
    name on that card: a sharp bold 凤 read 风 at 0.98, 凤 not even among the recogniser's choices
    (held-out seed 10021, the third renderer's front #6, a clean photo: a genuine person failed).
    Support looks; review is no pass. A name off by more, or a number not the declared one,
    decides as before.
    """
    if not declared_name or not declared_id_number or len(number) != _NUMBER_LENGTH:
        return False
    if normalize_id_number(number) != normalize_id_number(declared_id_number):
        return False
    read, declared = checks.normalize_name(name), checks.normalize_name(declared_name)
    return len(read) == len(declared) and sum(a != b for a, b in zip(read, declared, strict=True)) == 1


#: Between two boxes of one address row, a gap wider than this many line heights may hide a glyph
#: the detector left out; one wider than :data:`_ADDRESS_GAP` is not inside one line of print.
_GLYPH_GAP = 0.5
_ADDRESS_GAP = 3.0
_PROOF_CONFIDENCE = 0.9  # a character read less surely than this, where names differ, is no proof


def _against_number_unproven(fields: dict[str, FieldValue], reading: cardtext.Reading) -> set[str]:
    """The birth date and sex that differ from the number's where a character was read less than
    surely (:data:`_PROOF_CONFIDENCE`): a misreading, no proof that the card disagrees with itself.

    A defocused 8 read 0 at 0.57 (its other choices 6, 9 and 8) had failed a genuine person as born
    in 1906 against a number of 1986 (crossed seed 9691 #78): the field's least sure character was
    above the bar for doubt (``min_confidence``), which asks little of a field that agrees. A card
    printed with another date than its number's reads every digit surely, and still fails. Only a
    birth date as first read counts here; one read again is doubted on its own (:func:`_reread_birth`).
    """
    try:
        parsed = parse_id_number(fields["id_number"].text)
    except IdNumberError:
        return set()
    out = set()
    birth, digits = fields["birth_date"], reading.char_scores.get("birth_date", ())
    born = cardtext.printed_date(parsed.birth_date)
    first = reading.fields["birth_date"].text
    if (
        birth.text
        and birth.text == first
        and birth.text != born
        and (min(digits, default=1.0) < _PROOF_CONFIDENCE or _digit_slipped(birth.text, born))
    ):
        out.add("birth_date")
    sex = fields["sex"]
    if sex.text and sex.text != parsed.sex and sex.confidence < _PROOF_CONFIDENCE:
        out.add("sex")
    return out


def _birth_by_choices(fields: dict[str, FieldValue], reading: cardtext.Reading) -> FieldValue:
    """The birth date as first read, or the number's date where every digit in which they differ was
    read unsurely (:data:`_PROOF_CONFIDENCE`) with the number's digit among the recogniser's
    choices there.

    The number printed on the card is field knowledge to pick between what the recogniser saw: a
    defocused 8 read 6 at 0.37, 9 and 8 its next choices at 0.22 and 0.20 (held-out crossed seed
    10023 #44: 1984 read 1964, a genuine person sent to review). The date kept keeps its doubt
    (its least sure digit's confidence). A digit read surely, or one the recogniser never saw as
    the number's, is left as read: a card printed with another date than its number's still fails.
    """
    birth, digits = fields["birth_date"], reading.char_scores.get("birth_date", ())
    choices = reading.choices.get("birth_date", ())
    born = cardtext.numbers_birth(fields["id_number"].text)
    if not born:
        return birth
    read, wanted = re.findall(r"\d", birth.text), re.findall(r"\d", born)
    if (
        birth.text != reading.fields["birth_date"].text  # read again: its digits are another reading's
        or re.sub(r"\d", "0", birth.text) != re.sub(r"\d", "0", born)
        or not len(read) == len(wanted) == len(digits) == len(choices)
    ):
        return birth
    differ = [k for k, (a, b) in enumerate(zip(read, wanted, strict=True)) if a != b]
    if differ and all(digits[k] < _PROOF_CONFIDENCE and wanted[k] in choices[k] for k in differ):
        return FieldValue("birth_date", born, birth.confidence)
    return birth


def _digit_slipped(read: str, printed: str) -> bool:
    """Whether ``read``'s digits are ``printed``'s with one digit more or one fewer: a recogniser's slip,
    however sure, not a card that disagrees with itself. The value's box began over 月 and read its
    right stroke as 1 at 0.94: 9月3日 became 9月13日 and failed a genuine person as born on another
    day than the number's (held-out alt seed 9791 front #90). A card printed with another date than
    its number's is still failed when its digits differ otherwise; one digit more or fewer goes to
    review, where a person looks at the card (no pass)."""
    longer, shorter = sorted((re.sub(r"\D", "", read), re.sub(r"\D", "", printed)), key=len, reverse=True)
    if len(longer) != len(shorter) + 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


_LABEL_CHARS = frozenset("".join(cardtext.FRONT_LABELS.values()))
_LONGEST_NAME = 20  # generous: a transliterated name may run onto a second line, a page of print does not fit


def _simplified_name(name: FieldValue) -> FieldValue:
    """The name with traditional forms read (繆) given as the simplified characters the card prints (缪).

    Only the name reported changes: the declared name was compared with the name as read, which
    stays doubtful (outside GB 2312), so a declared name in either form decides as it did before
    and a name that matches only once converted still goes to a person (an identity field is
    never changed silently into a match).
    """
    return FieldValue(name.name, hanzi.to_simplified(name.text), name.confidence)


def _number_digits(text: str) -> str:
    return re.sub(r"[^\dX]", "", _nfkc(text).upper().replace("×", "X"))


def _portrait(card: RGBImage, lines: list[cardtext.CardLine]) -> RGBImage:
    """The portrait area: right of the text above the number row (GB 14965 puts it on the right).

    Taken generously from the lines found, so another print position still holds the whole face;
    the face detector finds the face inside it.
    """
    h, w = card.shape[:2]
    digits = [x for x in lines if len(_number_digits(x.text)) >= 15]
    bottom = int(min((x.box[1] for x in digits), default=0.78 * h)) - 4
    text_right = [x.box[2] for x in lines if x.box[3] < bottom and x.box[0] < 0.5 * w and x.box[2] < 0.72 * w]
    left = int(max(max(text_right, default=0.0) + 6, 0.5 * w))
    return np.ascontiguousarray(card[int(0.04 * h) : max(bottom, int(0.5 * h)), left : int(0.98 * w)])


def _rotation(quad: np.ndarray, flipped: bool) -> int:
    """Clockwise rotation of the card in the photo, from the direction of its top edge."""
    left, right = (quad[2], quad[3]) if flipped else (quad[0], quad[1])
    angle = float(np.degrees(np.arctan2(right[1] - left[1], right[0] - left[0])))
    return int(round(angle / 90.0)) % 4 * 90


def _line(card: RGBImage, box: layout.Box) -> RGBImage:
    """A line's crop trimmed to its ink, so the recogniser sees little blank paper.

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
