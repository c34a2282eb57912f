"""A fast check of a card photo at upload time, without OCR: is it worth keeping?

It decodes the photo, finds and rectifies the card, tells the side from two pictures every card
carries (the red national emblem in a corner of the back, the portrait beside the text of the
front) and measures blur, glare over the printed fields and whether the card is cut off. It rejects
only what the reader cannot cope with: a false reject at upload is as bad as a false fail, so the
limits sit below what the reader still reads, and a side that cannot be told cheaply (a grey copy)
is accepted with a warning.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from idverify import layout, quality
from idverify.images import ImageLimits, decode_image
from idverify.types import PrecheckResult, RGBImage, Side


@dataclass(frozen=True, slots=True)
class PrecheckLimits:
    """Reject limits (each well past the matching quality *warning*, which does not reject).

    Attributes:
        limits: decode limits; photos are decoded at reduced scale (DCT) to about 1024 pixels.
        min_sharpness: variance of the Laplacian of the rectified card's text half below which the
            print is too blurred to read.
        max_field_glare: share of the field area clipped white above which glare hides print.
        min_emblem_red: share of a corner area that is emblem red for the back to be seen.
        min_portrait: share of the card a solid picture at least 40 % of the card high covers for
            the front to be seen (the back's emblem is lower than that).
        max_outside: how far a corner may lie outside the frame, relative to the card's length,
            before print is lost (print keeps about 4 mm, 5 %, from the edges; a tight crop or a
            corner tip outside is fine).
    """

    limits: ImageLimits = field(default_factory=lambda: ImageLimits(max_side=1024))
    min_sharpness: float = 7.0
    max_field_glare: float = 0.15
    min_emblem_red: float = 0.03
    min_portrait: float = 0.03
    max_outside: float = 0.06


DEFAULT_LIMITS = PrecheckLimits()


def precheck(data: bytes, side: Side | str, *, limits: PrecheckLimits = DEFAULT_LIMITS) -> PrecheckResult:
    """Check an uploaded card photo quickly (tens of milliseconds of CPU, no OCR).

    Args:
        data: the uploaded file (JPEG, PNG or WebP bytes).
        side: the side the person was asked for.
        limits: reject limits.

    Returns:
        A PrecheckResult; ``ok`` False with a reason among the image codes (``image_corrupt``,
        ``image_too_small`` …), ``card_not_found``, ``wrong_side``, ``quality_cut_off``,
        ``quality_blur`` or ``quality_glare_fields``. Never raises for bad input.
    """
    side = Side(side)
    laps: dict[str, float] = {}
    start = time.perf_counter()
    decoded = decode_image(data, limits=limits.limits)
    laps["decode"] = _ms(start)
    if decoded.pixels is None:
        return PrecheckResult(False, (decoded.reason or "image_corrupt",), None, timings=laps)
    photo = decoded.pixels
    found = layout.locate_cards(photo)
    location = found[0] if found else _locate_by_text(photo)
    laps["locate"] = _ms(start) - sum(laps.values())
    if location is None:
        return PrecheckResult(False, ("card_not_found",), None, timings=laps)
    card, _ = layout.rectify(photo, location)
    seen, red, picture = _side(card)
    grey = cv2.cvtColor(card, cv2.COLOR_RGB2GRAY)
    sharp = quality.sharpness(grey[:, : int(0.6 * grey.shape[1])])
    glare = _field_glare(card, seen or side)
    laps["measure"] = _ms(start) - sum(laps.values())
    measures = {"sharpness": sharp, "field_glare": glare, "emblem_red": red, "portrait": picture}
    reasons = []
    if seen is not None and seen != side:
        reasons.append("wrong_side")
    outside = layout.outside_share(location, photo.shape[1], photo.shape[0])
    measures["outside"] = outside
    if outside > limits.max_outside:
        reasons.append("quality_cut_off")
    if sharp < limits.min_sharpness:
        reasons.append("quality_blur")
    if glare > limits.max_field_glare:
        reasons.append("quality_glare_fields")
    warnings = ("side_unconfirmed",) if seen is None else ()
    return PrecheckResult(not reasons, tuple(reasons), seen, warnings, laps, measures)


def _locate_by_text(photo: RGBImage) -> layout.CardLocation | None:
    """A card whose outline was not seen (pale on pale), found by its print: slower, so only then."""
    from idverify.ocr import get_ocr_engine

    boxes = get_ocr_engine().detect(photo, max_side=640)
    return layout.locate_by_text(boxes, photo.shape[1], photo.shape[0])


def _side(card: RGBImage, limits: PrecheckLimits = DEFAULT_LIMITS) -> tuple[Side | None, float, float]:
    """The side from its pictures: the back's red emblem in a corner, the front's portrait on one end.

    Either way up (the card may lie upside down): the emblem in the top-left or bottom-right
    corner, the portrait at the right or left end. Returns the side (None when neither or both
    are seen), the emblem's red share and the portrait's share of the card.
    """
    small: RGBImage = np.ascontiguousarray(cv2.resize(card, (214, 135), interpolation=cv2.INTER_AREA))
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    red = ((hsv[..., 0] < 8) | (hsv[..., 0] > 170)) & (hsv[..., 1] > 110) & (hsv[..., 2] > 70)
    red = _inner(red)
    corners = (red[:60, :75], red[-60:, -75:])
    red_share = max(float(c.mean()) for c in corners)
    picture = _picture_share(small)
    back = red_share >= limits.min_emblem_red
    front = picture >= limits.min_portrait and not back
    if back == front:
        return None, red_share, picture
    return (Side.BACK if back else Side.FRONT), red_share, picture


def _inner(mask: np.ndarray) -> np.ndarray:
    """The mask without regions touching the image border.

    The emblem is printed well inside the card; red that reaches the edge of the rectified card is
    something beside it (a red object on the desk, when the card's outline was taken too wide).
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8))
    h, w = mask.shape
    x, y, bw, bh = (stats[:, i] for i in range(4))
    touching = (x <= 1) | (y <= 1) | (x + bw >= w - 1) | (y + bh >= h - 1)
    touching[0] = True  # the background label
    keep: np.ndarray = ~touching[labels]
    return keep


def _picture_share(small: RGBImage) -> float:
    """Share of the card covered by one solid, non-paper region at either end (the portrait).

    Print is thin strokes; an opening wider than a stroke removes it and leaves pictures. Only a
    region at least 40 % of the card high counts: the back's emblem is lower.
    """
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    paper = np.median(lab.reshape(-1, 3), axis=0)
    distance = np.sqrt(((lab - paper) ** 2).sum(axis=2))
    solid = (distance > 28).astype(np.uint8)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    width = small.shape[1]
    ends = (solid[:, int(0.55 * width) :], solid[:, : int(0.45 * width)])
    best = 0
    for part in ends:
        count, _, stats, _ = cv2.connectedComponentsWithStats(part)
        tall = stats[1:count, cv2.CC_STAT_HEIGHT] >= 0.4 * small.shape[0]
        best = max([best, *(int(a) for a in stats[1:count, cv2.CC_STAT_AREA][tall])])
    return best / solid.size


def _field_glare(card: RGBImage, side: Side) -> float:
    """Share of the printed-field area clipped white (front: the text left of the portrait, either
    way up; back: the lower third, where authority and validity are)."""
    h, w = card.shape[:2]
    if side is Side.FRONT:
        areas = (card[:, : int(0.62 * w)], card[:, int(0.38 * w) :])
    else:
        areas = (card[int(0.62 * h) :], card[: int(0.38 * h)])
    return min(quality.glare_fraction(np.ascontiguousarray(a)) for a in areas)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
