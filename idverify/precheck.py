"""A fast check of a card photo at upload time, mostly without OCR: is it worth keeping?

It decodes the photo, finds and rectifies the card, tells the side from two pictures every card
carries (the red national emblem in a corner of the back, the portrait beside the text of the
front) and measures blur, glare over the printed fields and whether the card is cut off. It rejects
only what the reader cannot cope with: a false reject at upload is as bad as a false fail, so the
limits sit below what the reader still reads. When the pictures do not show the side asked for
(they show the other, or cannot tell: a grey copy, low light), the card's print is read (OCR, only
then, a few hundred milliseconds) and decides: pictures alone had turned genuine uploads away
(held-out seed 3030: 7 of 800, every one read right by the reader: a portrait's orange suit where
an upside-down back's emblem would be, a large emblem taken for a portrait). A side the print
cannot show either is accepted with a warning.

One refusal goes past what the reader needs: a card the frame cuts through its print (a printed
line runs into the photo's edge) is refused even where the fields the reader wants survive (a
back cut through its emblem): the photo is kept as the record of the card, and half a card is no
record of it. A crop into the card's margin alone is refused only where print lies within a
millimetre or two of the crop (the detector's line boxes reach that far past the ink).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import cv2
import numpy as np

from idverify import glare, layout, quality
from idverify.images import ImageLimits, decode_image, image_size
from idverify.types import PrecheckResult, RGBImage, Side


@dataclass(frozen=True, slots=True)
class PrecheckLimits:
    """Reject limits (each well past the matching quality *warning*, which does not reject).

    Attributes:
        limits: decode limits; photos are decoded at reduced scale (DCT) to about 1024 pixels.
        min_sharpness: variance of the Laplacian of the rectified card's text half below which the
            print is too blurred to read.
        soft_strokes: :func:`quality.stroke_sharpness` of the text half below which the print is
            read (:func:`idcard.legible`) before the photo is accepted. Phones' noise and
            sharpening keep the plain variance above ``min_sharpness`` on photos too blurred to
            read (the third renderer's heavy blur: 0 of 10 refused at held-out seed 8101), and no
            limit on either measure parts those from blurred photos still read whole: the print
            decides, where strokes are soft.
        max_field_glare: share of the field zone's text rows under blank glare (clipped white with
            no ink near: print lost) above which too much print is hidden to read the card. Glare
            beside a line looks the same as glare over its lost end, so the limit sits above the
            most seen on cards still read whole (0.16); below it, glare on a detected line of print
            or just after its end is refused too (:func:`_glare_on_print`).
        min_emblem_red: share of a corner area that is emblem red for the back to be seen.
        min_portrait: share of the card a solid picture at least 40 % of the card high covers for
            the front to be seen (the back's emblem is lower than that).
        max_outside: how far a corner may lie outside the frame, relative to the card's length,
            before print is lost (print keeps about 4 mm, 5 %, from the edges; a tight crop or a
            corner tip outside is fine). A card placed by its print (no outline seen) is judged
            by this estimate only when it is a front and no page's print runs off the frame
            (``_cut_off``): print around it (a form it lies on) stretches the estimate past the
            frame, and a genuine card had been turned away so (held-out seed 3030). Nor is one
            whose outline runs off the
            photo while the card placed by its print lies inside it (the outline merged with a
            page, a phone's edge: three of 800 held-out seed-9974 photos), or, on a printed page,
            while none of its own lines runs into the frame (``_runs_off``).
        min_card_length: the card's length in the photo as taken (original pixels) below which
            its print is too small to read surely: the reader then reads names wrong (held-out seed
            10065: of 40 cards 170-265 pixels long in photos 640-1000 pixels wide, the generators'
            "tiny" shots, every one had been accepted; read without a declared name, several gave
            another name). Genuine photos of every renderer show the card at least 344 pixels
            long (a back far off at a slant; shots at low resolution 450), and cards downscaled
            sharply still read whole at 280, so the limit asks only for what a phone held at
            arm's length gives: about 3.5 pixels to the millimetre.
    """

    limits: ImageLimits = field(default_factory=lambda: ImageLimits(max_side=1024))
    min_sharpness: float = 7.0
    soft_strokes: float = quality.SOFT_STROKES
    max_field_glare: float = 0.2
    min_emblem_red: float = 0.03
    min_portrait: float = 0.03
    max_outside: float = 0.06
    min_card_length: float = 300.0


DEFAULT_LIMITS = PrecheckLimits()


def precheck(data: bytes, side: Side | str, *, limits: PrecheckLimits = DEFAULT_LIMITS) -> PrecheckResult:
    """Check an uploaded card photo quickly: tens of milliseconds of CPU; a text detection (~100 ms)
    too where the card may be cut by the frame, looks blurred or looks glared over, and a read where
    its pictures do not show the side or it lies at the frame.

    Args:
        data: the uploaded file (JPEG, PNG or WebP bytes).
        side: the side the person was asked for.
        limits: reject limits.

    Returns:
        A PrecheckResult; ``ok`` False with a reason among the image codes (``image_corrupt``,
        ``image_too_small`` …), ``card_not_found``, ``wrong_side``, ``quality_too_small``,
        ``quality_cut_off``, ``quality_blur`` or ``quality_glare_fields``. Never raises for bad
        input.
    """
    side = Side(side)
    laps: dict[str, float] = {}
    start = time.perf_counter()
    decoded = decode_image(data, limits=limits.limits)
    laps["decode"] = _ms(start)
    if decoded.pixels is None:
        return PrecheckResult(False, (decoded.reason or "image_corrupt",), None, timings=laps)
    photo = decoded.pixels
    page = _PhotoPrint(photo)
    found = layout.locate_cards(photo)
    lines = None if found else page.boxes  # the text lines the card is placed by, if by print
    location = found[0] if found else page.placed
    if location is None:
        laps["locate"] = _ms(start) - sum(laps.values())
        return PrecheckResult(False, ("card_not_found",), None, timings=laps)
    card, sharp = _rectified(photo, location)
    blurred = sharp < limits.min_sharpness
    if found and (blurred or _soft(card, limits)):
        # An outline can be the card merged with a bright ground, or the portrait taken for a pale
        # card on a pale desk (held-out seed 3742): rectified from it, a sharp card looks blurred.
        # The card found by its print decides instead. Where only the print looked soft, the print
        # decides only when it shows the card sharp: an outline of a blurred background beside a
        # small card, or of a card merged with a coloured patch (held-out seed 9957: two genuine
        # fronts refused as blurred), rectifies the ground's blur, not the card's print.
        if (by_text := page.placed) is not None:
            placed, placed_sharp = page.placed_card
            if blurred or not _soft(placed, limits):
                location, lines, card, sharp = by_text, page.boxes, placed, placed_sharp
    shown, judged = card, location  # the card the side is told on, and where it lies
    if (
        found
        and lines is None
        and layout.fills_photo(location.quad, photo.shape[1], photo.shape[0])
        and (apart := _placed_apart(page, location))
    ):
        # The photo's own edge outlined (a pale card on a pale ground, a tall photo): rectified from
        # it, the card lies turned somewhere inside, and its pictures are the ground's (held-out seed
        # 9975: three backs of the third renderer sent as fronts were accepted, a band of the desk
        # taken for the portrait). The side is told on the card placed by its print apart from it;
        # the frame's cut is still judged on the outline, where a card cut straight by the frame
        # lies along it (placed by its print, such a card had been let through).
        shown, judged = apart[2], apart[0]
    laps["locate"] = _ms(start) - sum(laps.values())
    seen, red, picture = _side(shown)
    if seen != side:
        # The pictures saw the other side or could not tell (a grey copy, low light): the print decides.
        from idverify.idcard import side_shown

        seen = side_shown(shown, side)
        if seen is not None and seen != side and (other := _other_card(photo, found, location, side)):
            (location, card, sharp), lines = other, None
            judged = location
            _, red, picture = _side(card)
            seen = side
        if seen is None:
            seen = _other_side_elsewhere(photo, page, location, side, tried=shown is not card)
        laps["print"] = _ms(start) - sum(laps.values())
    glare = _field_glare(card, seen or side)
    if (
        glare > limits.max_field_glare
        and found
        and lines is None
        and (apart := _placed_apart(page, location))
    ):
        # An outline of the card merged with an over-exposed ground measures the ground's clipped
        # white as glare (held-out seed 9957: the third renderer's back #167, a whole tall photo
        # outlined, the card turned inside it, read whole, had been refused). Placed by its print
        # elsewhere, the card decides; glare over the card itself places it where its outline is.
        if (printed_glare := _field_glare(apart[2], seen or side)) <= limits.max_field_glare:
            (location, lines, card, sharp), glare = apart, printed_glare
            judged = location
    laps["measure"] = _ms(start) - sum(laps.values())
    measures = {"sharpness": sharp, "field_glare": glare, "emblem_red": red, "portrait": picture}
    reasons = []
    if seen is not None and seen != side:
        reasons.append("wrong_side")
    measures["card_length"] = length = length_taken(judged.quad, photo, data)
    if length < limits.min_card_length:
        reasons.append("quality_too_small")
    outside = layout.outside_share(location, photo.shape[1], photo.shape[0])
    measures["outside"] = outside
    # Rows are asked only of the side asked for: the other side, or no side seen, lacks them anyway.
    if _cut_off(
        page,
        location,
        lines,
        outside,
        limits,
        side,
        lambda: seen == side and _rows_lost_twice(page, card, side, lines),
    ):
        reasons.append("quality_cut_off")
    laps["cut_off"] = _ms(start) - sum(laps.values())
    strokes = quality.stroke_sharpness(quality.text_half(card))
    measures["strokes"] = strokes
    by_print = page if lines is None and location.cut_off else None  # an outline into the frame
    unread = strokes < limits.soft_strokes and _illegible(card, side, seen, by_print)
    if sharp < limits.min_sharpness or unread:
        reasons.append("quality_blur")
    laps["legible"] = _ms(start) - sum(laps.values())
    if glare > limits.max_field_glare or _print_glared(
        photo, page, card, location, by_outline=bool(found) and lines is None
    ):
        reasons.append("quality_glare_fields")
    laps["glare"] = _ms(start) - sum(laps.values())
    warnings = ("side_unconfirmed",) if seen is None else ()
    return PrecheckResult(not reasons, tuple(reasons), seen, warnings, laps, measures)


def length_taken(quad: np.ndarray, photo: RGBImage, data: bytes | RGBImage) -> float:
    """The length of the card at ``quad`` (in the decoded ``photo``'s pixels) in the photo as taken
    (original pixels, before a reduced decode): what the camera gave the card, whatever the
    pre-check or the reader decoded it to. An array given is its own original."""
    size = image_size(data) if isinstance(data, bytes) else None
    scale = max(size) / max(photo.shape[:2]) if size else 1.0
    return layout.card_length(quad) * scale


def frame_cuts_print(
    photo: RGBImage,
    location: layout.CardLocation | None,
    *,
    side: Side | None = None,
    rows_lost: bool = False,
    limits: PrecheckLimits = DEFAULT_LIMITS,
) -> bool:
    """Whether the frame cuts the print of a card whose outline touches it: the pre-check's
    judgement (:func:`_cut_off`), for the reader's ``quality_cut_off`` hint.

    ``rows_lost``: the reading gave no value for a field printed in the side's first or last row
    (:func:`idverify.idcard.edge_rows_lost`).

    An outline touching the frame is not a card cut off: a card on a pale ground, cropped tight by
    the app's guide frame, merges with the ground and is outlined as the whole photo (held-out seed
    9901: 19 of 100 fronts of the alt renderer, 7 of the third's, each read whole, had been told
    "证件不完整"). Only print the frame cuts is worth a retake; the pre-check refuses on the same
    judgement, so the two never tell the person different things. A text detection on the photo
    (~100 ms), only where the outline touches the frame.

    ``location`` None: no outline was found in the photo, and the card is judged placed by its
    print, as the pre-check judges it (held-out seed 10017, the third renderer's front #74: a card
    on a form, a thumb over its corner, read whole where its labels placed it; that placement ran
    past the frame and the reader warned 证件不完整 of a photo the pre-check had accepted).
    """
    page, lines = _PhotoPrint(photo), None
    if location is None:
        location, lines = page.placed, page.boxes
        if location is None:
            return False
    elif not location.cut_off:
        return False
    outside = layout.outside_share(location, photo.shape[1], photo.shape[0])
    return _cut_off(page, location, lines, outside, limits, side, lambda: rows_lost)


class _PhotoPrint:
    """A photo with its text lines and the card they place, each found once, when first asked for.

    One pre-check call may ask for the photo's print in up to six places (the blur fallback, the
    side and the glare of an outline apart from the print, the rows, the frame's cut and an
    outline running off the photo), each a text detection of about 100 ms; photos at the frame
    ask for several, and the slowest uploads had been paying for the same detection over again.
    """

    def __init__(self, photo: RGBImage) -> None:
        self.photo = photo
        self.width, self.height = photo.shape[1], photo.shape[0]

    @cached_property
    def boxes(self) -> list[np.ndarray]:
        """The photo's text lines (:func:`_print_boxes`)."""
        return _print_boxes(self.photo)

    @cached_property
    def placed(self) -> layout.CardLocation | None:
        """The card placed by its print, if the print places one."""
        return layout.locate_by_text(self.boxes, self.width, self.height)

    @cached_property
    def placed_card(self) -> tuple[RGBImage, float]:
        """The card placed by its print, rectified, and its sharpness; asked only where it is placed."""
        if self.placed is None:
            raise LookupError("placed_card is asked only of a card placed by its print")
        return _rectified(self.photo, self.placed)


def _cut_off(
    page: _PhotoPrint,
    location: layout.CardLocation,
    lines: list[np.ndarray] | None,
    outside: float,
    limits: PrecheckLimits,
    side: Side | None = None,
    rows_lost: Callable[[], bool] = lambda: False,
) -> bool:
    """Whether the frame cuts the card's print off.

    Three ways a card is seen cut: its outline runs off the photo (a corner far outside); found only
    by its print (a card cut by the frame has lost the outline the locator looks for), a printed
    line runs into the frame's edge; or a side of its outline lies along the frame's edge and a
    printed line inside it runs into that edge (a card cut straight by the frame). Print keeps
    about 4 mm from a card's edges, so a line reaching the frame was cut by it; a tight crop keeps
    that margin. The outline may be the whole photo (a scan, a tight crop, a card turned and cut
    filling a tall frame), so print beside the card (a form it lies on) is told apart by its
    amount and reach (:func:`_page_print`). A frame cutting straight between two rows leaves no
    line to run into it: a card lying along the frame, or placed by its print close to it, is
    also cut where its reading lacks a field of its first or last row (``rows_lost``).

    Args:
        lines: the text lines the card was placed by, when it was placed by its print; else None.
        side: the side asked for, when known: a front placed by its print is also judged by how
            far it runs off the frame, and a back has fewer rows for a page's lines to outnumber.
        rows_lost: whether the card's reading lacks a field of its first or last row, asked (a
            read, a few hundred milliseconds) only of a card at the frame none of whose lines runs
            into it (seeds 9939 and 9943: of clean fronts of the alt and third renderers with 10 %
            of their length cut off at one edge, 49 had been accepted, and 33 of those lost their
            number or their name to review).
    """
    width, height = page.width, page.height
    along: list[_Along] | None = None  # None: print anywhere counts
    if lines is not None:
        boxes = _lines_of_print(lines)
    elif outside > limits.max_outside:
        return _runs_off(page, _unbent(location.quad, width, height))
    else:
        along = _sides_on_frame(location.quad, width, height)
        if not along:
            return False
        boxes = _lines_of_print(page.boxes)
    anywhere = _edges_reached(boxes, width, height)
    if _page_print(anywhere, _BACK_ROWS if side is Side.BACK else _CARD_ROWS):
        return False
    if along is None:
        # A front placed by its print runs off the frame where the frame cut away rows of print
        # whole, leaving no line to run into it: cut through its portrait above the address, its
        # name and birth rows gone (held-out seeds 9937 and 9941: of 201 fronts cut through and
        # placed by print, 57 had been accepted; 17 still are, placed at most 6 % off). A front's
        # print spans nearly the whole card, so its placement is close; a back's does not (the
        # emblem is no print), and a back cut through its blank margin, every line whole, is
        # placed as far off. Genuine cards placed by print lay inside (36 of 37 at most 1 % out);
        # a page's print, which stretches the placement, is told apart first. Placed close to the
        # frame, a card whose first or last row is not read lost it to the frame (seed 9939: fronts
        # and backs cut 20 % of their length off at the bottom, the number or the authority and
        # validity gone, placed as far as 7 % inside the frame).
        runs_off = side is Side.FRONT and outside > limits.max_outside
        return bool(anywhere) or runs_off or (outside > -_ROW_REACH and rows_lost())
    return bool(_edges_reached(boxes, width, height, location.quad, along)) or rows_lost()


def _placed_apart(
    page: _PhotoPrint, outline: layout.CardLocation
) -> tuple[layout.CardLocation, list[np.ndarray], RGBImage, float] | None:
    """The card placed by its print with its lines, rectified card and sharpness, when it is not
    where the outline is (they overlap by less than :data:`_SAME_CARD`); else None."""
    placed = page.placed
    if placed is None or _overlap(placed.quad, outline.quad) >= _SAME_CARD:
        return None
    card, sharp = page.placed_card
    return placed, page.boxes, card, sharp


def _other_side_elsewhere(
    photo: RGBImage, page: _PhotoPrint, outline: layout.CardLocation, side: Side, *, tried: bool
) -> Side | None:
    """The other side, when the card placed showed none and a card found elsewhere in the photo
    shows it; else None (the side stays unconfirmed).

    Where neither the pictures nor the print of the card placed tell the side, the card placed
    may be wrong, and the upload had been accepted, the reader's card read that follows turning it
    away as the wrong side (held-out seeds 10053 and 10057, the third and crossed renderers):
    a shadow's edge outlined instead of a plain card (a back sent as the front, a front as the
    back), or the whole photo of a small front on a printed form, placed by the form's print.
    Looked for, as the reader looks: the card placed by its print apart from the outline (unless
    ``tried``, already told on), its pictures and then its print; for a back asked, a front found
    around its portrait (only a front has one: a face detection and a read, about a second). The
    other side is taken only from print, as everywhere in the pre-check."""
    from idverify.idcard import side_around_portrait, side_shown

    apart = None if tried else _placed_apart(page, outline)
    if apart is not None:
        card = apart[2]
        shown = _side(card)[0]
        if shown != side:
            shown = side_shown(card, side)
        if shown is not None:
            return None if shown == side else shown
    if side is Side.BACK and side_around_portrait(photo, side) is Side.FRONT:
        return Side.FRONT
    return None


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex quadrilaterals."""
    a32, b32 = a.astype(np.float32).reshape(-1, 1, 2), b.astype(np.float32).reshape(-1, 1, 2)
    common, _ = cv2.intersectConvexConvex(a32, b32)
    union = cv2.contourArea(a32) + cv2.contourArea(b32) - common
    return float(common / union) if union > 0 else 0.0


#: Overlap (intersection over union) above which the card placed by its print is the outlined one.
_SAME_CARD = 0.8


def _rows_lost_twice(page: _PhotoPrint, card: RGBImage, side: Side, lines: list[np.ndarray] | None) -> bool:
    """Whether the card's reading lacks a field of its first or last row, and, where the card was
    outlined, so does the reading of the card placed by its print.

    An outline that is not the card's (a shadow's edge across it, a blurred ground) rectifies part
    of the card and loses rows the frame did not cut (held-out seed 9983: an alt front in shadow and
    a crossed back, each read whole, had been refused as cut off); a card the frame cut between two
    rows is placed by its print without them too.
    """
    from idverify.idcard import edge_rows_lost

    if not edge_rows_lost(card, side):
        return False
    if lines is not None:
        return True  # placed by its print already
    return page.placed is None or edge_rows_lost(page.placed_card[0], side)


#: How far inside the frame (of the card's length) a card placed by its print may lie and still have
#: had a row cut away by it: the last row and the margin below it, about 8 mm.
_ROW_REACH = 0.1
#: More printed lines than a card has rows (a front: name, sex and nation, birth, three of address,
#: number) cannot all be one card's lines cut by one side of the frame.
_CARD_ROWS = 7
#: A back prints four rows: 中华人民共和国, 居民身份证, the authority and the validity.
_BACK_ROWS = 4


def _page_print(reached: Counter[_FrameSide], rows: int = _CARD_ROWS) -> bool:
    """Whether the print running off the frame is a page's the card lies on, not the card's.

    A card cut by the frame has its print run off one side, or two at a corner, one line a row. A
    page's print runs off two opposite sides (wider or taller than the photo: held-out seed 3740,
    five of 200 photos of the third renderer), or off one side in more lines than a card has
    ``rows`` (seed 3030: a form's fourteen lines ran off the right, the card lay wholly inside;
    held-out seed 9957, a crossed back: a form's seven lines ran off the right, more than a back's
    four rows, its left margin clear of the frame).
    """
    for axis in (0, 1):
        near = reached[(axis, 0.0)] > 0
        far = any(count for (side_axis, at), count in reached.items() if side_axis == axis and at > 0)
        if near and far:
            return True
    return any(count > rows for count in reached.values())


def _runs_off(page: _PhotoPrint, quad: np.ndarray) -> bool:
    """Whether a card whose outline runs off the photo is cut off (a text detection, ~100 ms).

    Not when the card placed by its print lies wholly inside the photo: the outline is then the
    card merged with what lies beside it (a phone's edge, a shadow, a thumb), not a card cut off,
    whose print the frame would cut too. Otherwise only a line inside the outline running into the
    frame cuts the card (:func:`_inside`). On a printed page the placement by print takes the page in
    and runs off as well; where the print running off the frame is a page's (:func:`_page_print`),
    such a line must also lie on the card's paper (held-out seed 8133: a card on a form, a thumb
    over its corner, the outline merged with both, had been refused for the form's lines beside it,
    on white paper where the card's is tinted).
    """
    width, height = page.width, page.height
    if page.placed is not None and layout.outside_share(page.placed, width, height) <= 0:
        return False
    boxes = _lines_of_print(page.boxes)
    on_page = _page_print(_edges_reached(boxes, width, height))
    inside = _inside(boxes, quad)
    if not on_page:
        return bool(_edges_reached(inside, width, height))
    return _card_line_cut(page.photo, inside)


def _unbent(quad: np.ndarray, width: int, height: int) -> np.ndarray:
    """The outline with its one corner outside the photo put where the other three place it (the
    fourth corner of their parallelogram), when that lies inside the photo; else the outline as found.

    A thumb or a finger over a corner merges with the card and pulls that corner of its outline
    out of the photo (crossed pre-check seed 9867 front #6: a card lying wholly inside, its
    top-right corner found 59 px beyond the frame), taking in the page print beside the card that
    runs off the photo. A card the frame really cuts at a corner leaves its other three corners
    placing the fourth outside too. Perspective makes the fourth corner a little off a
    parallelogram's, which matters little here: only lines inside the outline that run into the
    frame are judged (:func:`_runs_off`), and a cut card's print runs off away from the corner too.
    """
    xs, ys = quad[:, 0], quad[:, 1]
    outside = (xs < 0) | (ys < 0) | (xs > width - 1) | (ys > height - 1)
    if int(outside.sum()) != 1:
        return quad
    k = int(np.argmax(outside))
    placed = quad[(k - 1) % 4] + quad[(k + 1) % 4] - quad[(k + 2) % 4]
    if not (0 <= placed[0] <= width - 1 and 0 <= placed[1] <= height - 1):
        return quad
    unbent = quad.copy()
    unbent[k] = placed
    return unbent


def _inside(boxes: list[np.ndarray], quad: np.ndarray) -> list[np.ndarray]:
    """The lines whose middles lie inside the outline: a card cut by the frame runs off the photo
    with its outline, so its lines cut by the frame lie inside it. A line outside it reaching the
    frame is print the card lies beside (held-out seed 9771's first-renderer front #176: a card whose
    outline merged with a yellow note, and one line of a page's title running off beside it, had been
    refused as cut off)."""
    outline = quad.reshape(-1, 1, 2).astype(np.float32)
    middles = [box.mean(axis=0) for box in boxes]
    return [
        box
        for box, (x, y) in zip(boxes, middles, strict=True)
        if cv2.pointPolygonTest(outline, (float(x), float(y)), False) >= 0
    ]


def _card_line_cut(photo: RGBImage, boxes: list[np.ndarray]) -> bool:
    """Whether a line inside the outline (``boxes``), on paper of the card's colour, runs into the frame.

    The card's paper is the median paper (the brighter part of a line's box, between its strokes)
    of the lines inside the outline that stay clear of the frame; a line reaching the frame on
    paper further from it than :data:`_SAME_PAPER` is the page's, taken in by the outline.
    """
    width, height = photo.shape[1], photo.shape[0]
    clear: list[np.ndarray] = []
    reaching: list[np.ndarray] = []
    for box in boxes:
        reached = _edges_reached([box], width, height)
        (reaching if reached else clear).append(_paper(photo, box))
    if not reaching:
        return False
    if not clear:
        return True
    card = np.median(clear, axis=0)
    return any(float(np.linalg.norm(paper - card)) <= _SAME_PAPER for paper in reaching)


_SAME_PAPER = 9.0  # Lab units (8-bit scale): the card's own lines 0.5-5.7 from its paper, a form's 13-16


def _paper(photo: RGBImage, box: np.ndarray) -> np.ndarray:
    """The paper's Lab colour under a line: the median of the brighter 40 % of its box (only the
    box is converted to Lab: a few lines' boxes, not the whole photo)."""
    last = np.array([photo.shape[1] - 1, photo.shape[0] - 1])
    (x0, y0), (x1, y1) = (
        np.clip(corner, 0, last).astype(int) for corner in (box.min(axis=0), box.max(axis=0))
    )
    rgb = np.ascontiguousarray(photo[y0 : y1 + 1, x0 : x1 + 1])  # a pixel at least: the box clipped to it
    patch = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32).reshape(-1, 3)
    light = patch[:, 0]
    paper: np.ndarray = np.median(patch[light >= np.percentile(light, 60)], axis=0)
    return paper


def _soft(card: RGBImage, limits: PrecheckLimits) -> bool:
    """Whether the card's print looks soft (:func:`quality.stroke_sharpness` of its text half)."""
    return quality.stroke_sharpness(quality.text_half(card)) < limits.soft_strokes


def _illegible(card: RGBImage, side: Side, seen: Side | None, page: _PhotoPrint | None = None) -> bool:
    """Whether soft print of the side asked for leaves fields unread. The other side is refused as
    such, not as blurred; a card whose side nothing told may be outlined wrongly (held-out seed
    8111: an alt front under shadow, outlined as the whole photo, read whole by the reader), and
    its print read here would be another's.

    A card rectified from an outline that runs into the frame (``page`` given) whose print does
    not read is read once more where its print places it: the outline may be the ground's.
    Held-out pre-check seed 9999, the third renderer's defocused front #61: a tall photo whose
    first outline ran over the ground into the frame, the card turned sideways inside it; its print
    read as no card, and the photo, read whole by the reader, was refused as blurred. A photo too
    blurred to read reads as no card either way. Only such outlines: two heavily blurred backs of
    the third renderer (seed 9993), outlined inside the photo, read legible enough where their print
    placed them, and went on to review.
    """
    from idverify.idcard import legible

    if seen != side or legible(card, side):
        return False
    return page is None or page.placed is None or not legible(page.placed_card[0], side)


def _other_card(
    photo: RGBImage, found: list[layout.CardLocation], first: layout.CardLocation, side: Side
) -> tuple[layout.CardLocation, RGBImage, float] | None:
    """Another card in the photo whose pictures show ``side``: both sides copied onto one page and
    the page uploaded for each side (the reader, which tries every outline found, reads it).
    Where its pictures tell nothing (a grey copy), its print decides."""
    from idverify.idcard import side_shown

    for location in found:
        x, y = (float(v) for v in location.quad.mean(axis=0))
        if location.whole_image or cv2.pointPolygonTest(first.quad, (x, y), False) >= 0:
            continue  # the same card (or the page around it)
        card, sharp = _rectified(photo, location)
        shown = _side(card)[0]
        if shown == side or (shown is None and side_shown(card, side) == side):
            return location, card, sharp
    return None


def _rectified(photo: RGBImage, location: layout.CardLocation) -> tuple[RGBImage, float]:
    """The card at ``location``, upright, and the sharpness of its text half (the print's side)."""
    card, _ = layout.rectify(photo, location)
    return card, quality.sharpness(quality.text_half(card))


_DETECT_SIDE = 640


def _print_boxes(photo: RGBImage) -> list[np.ndarray]:
    """The photo's text lines (a text detection on a 640-pixel copy, ~100 ms)."""
    from idverify.ocr import get_ocr_engine

    return get_ocr_engine().detect(photo, max_side=_DETECT_SIDE)


def _lines_of_print(boxes: list[np.ndarray]) -> list[np.ndarray]:
    """The boxes one line of print thick: pictures left out.

    The detector boxes the portrait too, padded by a share of its size: a card whose corner the
    frame cut off, its portrait wholly inside, had been refused as cut through its print because
    the portrait's box reached the frame. A line's thickness is its box's shorter side (a card
    turned a quarter has its lines upright).
    """
    thickness = [min(float(np.linalg.norm(b[1] - b[0])), float(np.linalg.norm(b[3] - b[0]))) for b in boxes]
    typical = float(np.median(thickness)) if boxes else 0.0
    return [b for b, t in zip(boxes, thickness, strict=True) if t <= _THICKEST_LINE * typical]


_THICKEST_LINE = 2.2  # typical lines: a title printed twice their size is print, a portrait is not


#: A side of the frame: (axis, coordinate): x = 0, x = width - 1, y = 0 or y = height - 1.
_FrameSide = tuple[int, float]
#: A stretch of a frame side that a side of the card's outline lies along: (side, from, to).
_Along = tuple[_FrameSide, float, float]


def _frame_sides(width: int, height: int) -> tuple[_FrameSide, ...]:
    return ((0, 0.0), (0, width - 1.0), (1, 0.0), (1, height - 1.0))


def _sides_on_frame(quad: np.ndarray, width: int, height: int) -> list[_Along]:
    """The stretches of the frame's edge that a side of the outline lies along (both its corners
    within 1 % of the photo's size of the same frame side)."""
    tol = 0.01 * max(width, height)
    out = []
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        for axis, at in _frame_sides(width, height):
            if abs(a[axis] - at) <= tol and abs(b[axis] - at) <= tol:
                low, high = sorted((float(a[1 - axis]), float(b[1 - axis])))
                out.append(((axis, at), low, high))
    return out


def _edges_reached(
    boxes: list[np.ndarray],
    width: int,
    height: int,
    quad: np.ndarray | None = None,
    along: list[_Along] | None = None,
) -> Counter[_FrameSide]:
    """How many printed lines run into each side of the frame (within two pixels of the detection's copy).

    With ``quad`` and ``along``, only a line inside the outline counts, and only where it meets a
    stretch of the frame the outline's side lies along: print beside the card (a form it lies
    on) may run off the photo anywhere.
    """
    tol = 2 * max(width, height) / _DETECT_SIDE
    stretches = (
        along if along is not None else [(side, -np.inf, np.inf) for side in _frame_sides(width, height)]
    )
    outline = None if quad is None else quad.reshape(-1, 1, 2).astype(np.float32)
    reached: Counter[_FrameSide] = Counter()
    for box in boxes:
        centre = box.mean(axis=0)
        if (
            outline is not None
            and cv2.pointPolygonTest(outline, (float(centre[0]), float(centre[1])), False) < 0
        ):
            continue
        for (axis, at), low, high in stretches:
            end = box[:, axis].min() if at == 0 else box[:, axis].max()
            if abs(end - at) <= tol and low <= centre[1 - axis] <= high:
                reached[(axis, at)] += 1
    return reached


def _side(card: RGBImage, limits: PrecheckLimits = DEFAULT_LIMITS) -> tuple[Side | None, float, float]:
    """The side from its pictures: the back's red emblem in a corner, the front's portrait on one end.

    Either way up (the card may lie upside down): the emblem in the top-left or bottom-right
    corner, the portrait at the right or left end. Red inside the portrait (a red shirt, an orange
    suit reaching the front's bottom-right corner) is not the emblem. Returns the side (None when
    neither or both are seen), the emblem's red share and the portrait's share of the card.
    """
    small: RGBImage = np.ascontiguousarray(cv2.resize(card, (214, 135), interpolation=cv2.INTER_AREA))
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    red = ((hsv[..., 0] < 8) | (hsv[..., 0] > 170)) & (hsv[..., 1] > 110) & (hsv[..., 2] > 70)
    picture, portrait = _picture(small)
    red = _inner(red)
    red_share = _corner_share(red & ~portrait)
    back = red_share >= limits.min_emblem_red
    front = picture >= limits.min_portrait and not back
    if back == front or (front and _corner_share(red) >= limits.min_emblem_red):
        # Emblem red inside what was taken for the portrait: a red shirt in the front's corner, or
        # the back's emblem merged with the print below it into one tall picture (held-out seed
        # 9975: four backs of the alt and third renderers accepted as fronts). The print decides.
        return None, red_share, picture
    return (Side.BACK if back else Side.FRONT), red_share, picture


def _corner_share(red: np.ndarray) -> float:
    """The larger share of red in the emblem's corner, either way up (top-left, bottom-right)."""
    return max(float(red[:60, :75].mean()), float(red[-60:, -75:].mean()))


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


def _picture(small: RGBImage) -> tuple[float, np.ndarray]:
    """Share of the card covered by one solid, non-paper region at either end (the portrait), and
    where a printed picture is (see :func:`_printed_pictures`).

    Print is thin strokes; an opening wider than a stroke removes it and leaves pictures. Only a
    region at least 40 % of the card high counts: the back's emblem is lower.
    """
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    paper = np.median(lab.reshape(-1, 3), axis=0)
    distance = np.sqrt(((lab - paper) ** 2).sum(axis=2))
    solid = (distance > 28).astype(np.uint8)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    height, width = solid.shape
    inside = [s for s in _tall_regions(solid) if _clear_of_edges(s, width, height)]
    best = max((int(s[cv2.CC_STAT_AREA]) for s in inside), default=0)
    return best / solid.size, _printed_pictures(solid)


def _clear_of_edges(stat: np.ndarray, width: int, height: int) -> bool:
    """Whether a region keeps clear of the card's edges, as print does.

    A region reaching an edge is a shadow or the desk, seen when the outline was taken too wide
    (the whole photo, nothing better found): taken for the portrait, it had turned a back away
    as the front.
    """
    x, y, w, h = (int(v) for v in stat[:4])
    return x > 1 and y > 1 and x + w < width - 1 and y + h < height - 1


def _tall_regions(solid: np.ndarray) -> list[np.ndarray]:
    """Stats (x, y, w, h, area) of the regions at least 40 % of the card high, at either end."""
    height, width = solid.shape
    out = []
    for start, stop in ((int(0.55 * width), width), (0, int(0.45 * width))):
        count, _, stats, _ = cv2.connectedComponentsWithStats(solid[:, start:stop])
        for stat in stats[1:count]:
            if stat[cv2.CC_STAT_HEIGHT] >= 0.4 * height:
                out.append(stat + np.array([start, 0, 0, 0, 0]))
    return out


def _printed_pictures(solid: np.ndarray) -> np.ndarray:
    """Bounding boxes of the tall regions clear of the card's edges: the portrait, where red is
    its own (a red shirt, an orange suit reaching the front's corner) and not the emblem.

    A closing first joins a portrait that a face close to the paper's colour split in two (hair
    above, clothes below). A region reaching the edge is a shadow or the desk, not print (print
    keeps clear of the edges): an emblem inside it is still the emblem.
    """
    joined = cv2.morphologyEx(solid, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    height, width = solid.shape
    where = np.zeros((height, width), bool)
    for x, y, w, h, _ in (s for s in _tall_regions(joined) if _clear_of_edges(s, width, height)):
        where[max(y - 3, 0) : y + h + 3, max(x - 3, 0) : x + w + 3] = True
    return where


def _field_glare(card: RGBImage, side: Side) -> float:
    """Share of the printed fields' text rows under blank glare (front: the text left of the
    portrait, either way up; back: the lower third, where authority and validity are).

    Only glare that leaves no ink within half a character counts (:func:`glare.blank_glare`): the
    paper around print that still shows is clipped too, and is no loss. A text row is one that
    holds print outside the glare; glare over the portrait, between lines or on an empty margin
    does not hide print and does not count. A glare so wide that whole rows are gone leaves no
    text row to measure on; its share of the whole zone counts then.
    """
    blank = glare.blank_glare(card)
    if not blank.any():
        return 0.0
    h, w = card.shape[:2]
    ink = _ink(card) & ~cv2.dilate(blank.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if side is Side.FRONT:
        zones = ((slice(None), slice(0, int(0.62 * w))), (slice(None), slice(int(0.38 * w), w)))
    else:
        zones = ((slice(int(0.62 * h), h), slice(None)), (slice(0, int(0.38 * h)), slice(None)))
    return min(_text_row_share(ink[zone], blank[zone]) for zone in zones)


def _glare_on_print(card: RGBImage) -> bool:
    """Whether blank glare lies on a line of the card's print or just after its end, where its next
    characters would be (:func:`glare.glared_fields`, each detected line taken alone).

    The share of text rows under glare (:func:`_field_glare`) is no measure of print lost: a
    highlight hiding an address's 282号 covers a twelfth of the rows, as one lying on blank paper
    between two rows does, and far less than the limit that keeps a card with glare beside its
    lines (held-out seed 10007: all ten photos drawn with a highlight over the front's print, all
    accepted; seven lost part of a field, the other three read whole with the field flagged). Found on
    the lines the detector sees (~100 ms, only on a card with blank glare), the highlight on paper
    between rows stays clear, and a highlight on or after a line asks for another photo while the
    person can still take one. Glare beside a line's true end looks the same as glare over its
    lost end, and the reader flags both: a photo refused twice is let through to it (the
    service's refusal count). Glare over the portrait, or past the print's extent (the ground
    beside a card rectified a little wide), does not count: a line's reach stops at either. Nor
    does a card whose paper is clipped all over (:data:`_HIGHLIGHT_MOST`): over-exposed, its print
    still shows, and between lines its paper is blank (held-out seed 10013: a third-renderer front
    on a cream desk had been refused so, and an alt front turned upside down for the desk's white
    at the view's edge).
    """
    blank = glare.blank_glare(card)
    if int(blank.sum()) < glare.MIN_PIXELS:  # too few to hide print anywhere: no text detection
        return False
    boxes = _print_boxes(card)
    lines = _lines_of_print(boxes)
    rects = [_level_rect(b) for b in lines]
    rects = [r for r in rects if r[2] - r[0] > r[3] - r[1]]  # level on this view (a card turned inside: none)
    if not rects:
        return False
    left, top = int(min(r[0] for r in rects)), int(min(r[1] for r in rects))
    end, bottom = max(r[2] for r in rects), int(max(r[3] for r in rects))
    if float(blank[top:bottom, left : int(end)].mean()) > _HIGHLIGHT_MOST:
        return False  # the paper clipped all over, print still on it: over-exposed, not a highlight
    width = card.shape[1]
    pictures = [b for b in boxes if not any(b is x for x in lines) and float(b[:, 0].min()) > width / 2]
    right = min([float(b[:, 0].min()) for b in pictures] + [end])
    return bool(
        glare.glared_fields(blank, {str(k): [r] for k, r in enumerate(rects)}, right=right, wrapping=())
    )


def _print_glared(
    photo: RGBImage, page: _PhotoPrint, card: RGBImage, location: layout.CardLocation, *, by_outline: bool
) -> bool:
    """Whether blank glare lies on the card's print (:func:`_glare_on_print`); where the card was
    rectified from an outline that is the photo's own edge, judged on the card placed by its print
    apart from it.

    A card on a printed form, the photo's edge outlined (held-out seeds 10061 and 10063: two
    crossed fronts, neither drawn with a highlight), was refused for glare on the form's print
    around the card, a line of it by a bright patch of paper; the card itself had none. An
    outline of the card merged with an over-exposed ground is judged so for its share of glared
    rows too (:func:`precheck`). A card filling the photo is placed by its print where it is
    outlined, and its own glare is still refused."""
    if not _glare_on_print(card):
        return False
    if not by_outline or not layout.fills_photo(location.quad, photo.shape[1], photo.shape[0]):
        return True
    apart = _placed_apart(page, location)
    return apart is None or _glare_on_print(apart[2])


def _level_rect(box: np.ndarray) -> glare.Box:
    """A line's box as an upright rectangle as thick as the line itself (its box's shorter side),
    about its middle: the rectangle around a line tilted on the view is thicker by the tilt (half
    as thick again for 3 degrees over a long address line), and a line's reach past its end is
    counted in its height (seed 2025, crossed front #74: a card tilted in a view outlined past a
    thumb, refused for a highlight on its portrait's white collar, which the detector had not
    boxed; the address's reach, two inflated heights, had run 138 px past its end onto it)."""
    x0, x1 = float(box[:, 0].min()), float(box[:, 0].max())
    middle = float(box[:, 1].min() + box[:, 1].max()) / 2
    thickness = min(float(np.linalg.norm(box[1] - box[0])), float(np.linalg.norm(box[3] - box[0])))
    return x0, middle - thickness / 2, x1, middle + thickness / 2


#: Share of the print's extent blank above which the card is over-exposed, not under a highlight: a
#: highlight over an address covered 0.08-0.17 of it (held-out seeds 10007-10011).
_HIGHLIGHT_MOST = 0.4


def _ink(card: RGBImage) -> np.ndarray:
    """Print: darker than the local paper level (a max filter wider than a stroke) by a fifth."""
    grey = glare.darkest_channel(card).astype(np.float32)
    paper = cv2.blur(cv2.dilate(grey, np.ones((15, 15), np.uint8)), (15, 15))
    ink: np.ndarray = grey < 0.8 * paper
    return ink


def _text_row_share(ink: np.ndarray, blank: np.ndarray) -> float:
    rows = (ink.sum(axis=1) >= 3).astype(np.uint8)[:, None]
    text: np.ndarray = cv2.dilate(rows, np.ones((5, 1), np.uint8))[:, 0].astype(bool)
    return max(float(blank[text].mean()) if text.any() else 0.0, float(blank.mean()))


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
