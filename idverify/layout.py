"""Find the card in a photo and rectify it.

A resident ID card is 85.6 x 54 mm; it is rectified to 856 x 540 (0.1 mm a pixel). Where each
field is printed differs between printers and is not assumed here: the reader finds the printed
lines and their labels (:mod:`idverify.cardtext`). Finding the card uses cheap cues on a 640-pixel
copy: the card is a bright, weakly saturated quadrilateral (segmentation), it has straight edges
(Canny, or four long straight lines on a page of print), and it differs from the background seen
at the photo's border; corners are refined by fitting lines to the four sides, because the
card's rounded corners pull a polygon approximation inwards. A card whose outline is lost (pale
on pale) is located from its printed lines instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from idverify.types import RGBImage

CARD_W, CARD_H = 856, 540
ASPECT = CARD_W / CARD_H
#: The rectified card's corners, top-left first, clockwise (where :func:`rectify` warps a card to).
CARD_CORNERS = np.array([[0, 0], [CARD_W, 0], [CARD_W, CARD_H], [0, CARD_H]], np.float32)
_WORK_SIDE = 640
#: Candidate outlines: (misfit, corners, cut off), as :func:`_card_quads` gives them.
_Quads = list[tuple[float, npt.NDArray[np.float64], bool]]

Mat = npt.NDArray[Any]  # OpenCV's untyped arrays
Box = tuple[int, int, int, int]  # x0, y0, x1, y1 on the rectified card


@dataclass(frozen=True, slots=True)
class CardLocation:
    """Where the card is in the photo.

    Attributes:
        quad: 4 x 2 corners (top-left, top-right, bottom-right, bottom-left of the card as seen
            with its long side horizontal), in photo pixels.
        cut_off: the card touches or crosses the frame edge.
        whole_image: no edges were found and the photo was taken to be the card itself (a scan).
    """

    quad: npt.NDArray[np.float32]
    cut_off: bool
    whole_image: bool = False


def locate_card(image: RGBImage) -> CardLocation | None:
    """The most likely card quadrilateral; None when there is none."""
    found = locate_cards(image)
    return found[0] if found else None


def locate_cards(image: RGBImage) -> list[CardLocation]:
    """Card-shaped quadrilaterals, most likely first (the reader tries them in turn).

    Candidates come from the brightness segmentation, then the edge map, then the difference from
    the background (a pale card on a pale desk), then any difference from a plain ground (a faint
    card on white paper, when all else found is the photo itself), then calm against busy (a card
    on a printed page), then four straight edges (a pale card on a printed page, when all else
    found is the photo itself; these go first), then the whole image when its own shape is a
    card's (a scan or a tight crop).
    """
    height, width = image.shape[:2]
    scale = _WORK_SIDE / max(height, width)
    small = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    scored: list[tuple[float, CardLocation]] = []

    def add(found: _Quads) -> None:
        for fit, quad, cut_off in found:
            if not any(np.abs(quad / scale - c.quad).max() < 0.03 * width for _, c in scored):
                scored.append((fit, CardLocation((quad / scale).astype(np.float32), cut_off)))

    for make_mask in (_brightness_mask, _edge_mask):
        add(_card_quads(make_mask(small), split=True))
    if not scored:  # a card neither brightness nor edges found
        add(_card_quads(_background_mask(small), split=True))
    elif all(c.cut_off for _, c in scored):
        # All that was found runs into the frame: the card may have merged with a bright stretch of
        # an uneven ground (held-out seed 9989, the third renderer's back #63: a white card on a grey
        # gradient, outlined with the lit half of the photo, its title read into the authority;
        # Canny's limits, set from the bright photo's median, missed its faint edges). Told apart
        # from the ground by colour, a card lying wholly inside is outlined too.
        add([found for found in _card_quads(_background_mask(small), split=True) if not found[2]])
    if all(fills_photo(c.quad * scale, small.shape[1], small.shape[0]) for _, c in scored):
        # What fills the photo may be a plain ground (white paper, a scanner's lid) with the card
        # on it, taken for one card: a card outlined inside it goes first.
        if plain := _card_quads(_plain_ground_mask(small), split=True):
            scored[:] = [(fit + 1.0, location) for fit, location in scored]
        add(plain)
    detail = _detail(small)
    busy = _busy_share(detail)
    if not scored or busy >= _BUSY_SHARE:  # a card on a busy ground (or one nothing else found)
        add(_calm_quads(detail, busy))
    if busy >= _BUSY_SHARE and all(
        fills_photo(c.quad * scale, small.shape[1], small.shape[0]) for _, c in scored
    ):
        # A pale card on a page of print, its outline found as the whole page: its four straight
        # edges still show, and the card they bound goes first.
        found = _straight_edge_quads(small)
        add([(fit - _EDGES_FIRST, quad, cut_off) for fit, quad, cut_off in found])
    # On a busy ground (print, a coarse texture) an outline running off the photo is more often
    # the card merged with the ground than a card cut off: one lying wholly inside goes first.
    out = [c for _, c in sorted(scored, key=lambda item: (busy >= _BUSY_SHARE and item[1].cut_off, item[0]))]
    if abs(width / height - ASPECT) < 0.2 or abs(height / width - ASPECT) < 0.2:
        corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        out.append(CardLocation(corners, False, whole_image=True))
    return out[:4]


def locate_by_text(boxes: list[npt.NDArray[np.float32]], width: int, height: int) -> CardLocation | None:
    """A card located from its printed lines, when its outline cannot be seen (a pale card on a pale desk).

    The lines run along the card's long side, so their mean direction is the card's horizontal
    axis; the rectangle around every line along that axis, widened to the card's aspect and by a
    margin (print keeps clear of the edges), stands in for the card. The reader anchors fields on
    labels, not positions, so an outline a few millimetres off reads the same.

    Args:
        boxes: text-line quadrilaterals (4 x 2, top-left first) in photo pixels.
        width, height: the photo's size.

    Returns:
        The location, or None with fewer than three lines.
    """
    if len(boxes) < 3:
        return None
    angles = []
    for b in boxes:
        top, side = (b[1] - b[0]) + (b[2] - b[3]), (b[3] - b[0]) + (b[2] - b[1])
        d = top if np.linalg.norm(top) >= np.linalg.norm(side) else side  # a line's long side runs along it
        angles.append(np.arctan2(d[1], d[0]) % np.pi)
    doubled = np.array(angles) * 2  # average directions modulo 180 degrees
    axis = float(np.arctan2(np.sin(doubled).mean(), np.cos(doubled).mean()) / 2)
    u = np.array([np.cos(axis), np.sin(axis)])
    v = np.array([-u[1], u[0]])
    points = np.concatenate(boxes).astype(np.float64)
    along, across = points @ u, points @ v
    a0, a1, c0, c1 = along.min(), along.max(), across.min(), across.max()
    length, breadth = (a1 - a0) * 1.16, (c1 - c0) * 1.2
    length, breadth = max(length, breadth * ASPECT), max(breadth, length / ASPECT)
    centre_a, centre_c = (a0 + a1) / 2, (c0 + c1) / 2
    corners = [
        (centre_a - length / 2) * u + (centre_c - breadth / 2) * v,
        (centre_a + length / 2) * u + (centre_c - breadth / 2) * v,
        (centre_a + length / 2) * u + (centre_c + breadth / 2) * v,
        (centre_a - length / 2) * u + (centre_c + breadth / 2) * v,
    ]
    quad = np.array(corners, np.float32)
    return CardLocation(quad, _touches_border(quad.astype(np.float64), width, height))


def moved(location: CardLocation, offset: npt.NDArray[np.float64], width: int, height: int) -> CardLocation:
    """A location found in part of a photo, moved by ``offset`` (that part's top-left corner) into
    the whole ``width`` x ``height`` photo; whether it touches the frame is judged on the photo's
    frame. Taking the whole part for the card is no longer taking the whole photo."""
    quad = (location.quad.astype(np.float64) + offset).astype(np.float32)
    return CardLocation(quad, _touches_border(quad.astype(np.float64), width, height))


def outside_share(location: CardLocation, width: int, height: int) -> float:
    """How far the farthest corner lies outside the photo, relative to the card's length (<= 0: inside)."""
    quad = location.quad.astype(np.float64)
    return _outside(quad, width, height) / max(_long_side(quad), 1.0)


def rectify(image: RGBImage, location: CardLocation) -> tuple[RGBImage, npt.NDArray[np.float64]]:
    """Warp the card to 856 x 540 with its long side horizontal (upside down is resolved later).

    Returns:
        The card and the photo corners it was warped from (top-left first, clockwise).
    """
    quad = _order_corners(location.quad.astype(np.float64))
    if np.linalg.norm(quad[1] - quad[0]) < np.linalg.norm(quad[3] - quad[0]):
        quad = np.roll(quad, -1, axis=0)  # portrait-held card: start from the next corner
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), CARD_CORNERS)
    warped = cv2.warpPerspective(
        image, matrix, (CARD_W, CARD_H), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE
    )
    return np.ascontiguousarray(warped), quad


def crop(card: RGBImage, box: Box) -> RGBImage:
    """A view of a rectified card."""
    x0, y0, x1, y1 = box
    return card[y0:y1, x0:x1]


def _brightness_mask(small: Mat) -> Mat:
    """Card-likeness (bright, unsaturated) thresholded by Otsu, thin clutter opened away."""
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    score = cv2.subtract(hsv[..., 2], hsv[..., 1])
    score = cv2.GaussianBlur(score, (5, 5), 0)
    _, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)


def _background_mask(small: Mat) -> Mat:
    """What differs from the background, the background modelled from the photo's border.

    The border of a card photo is background; a plane fitted to its Lab colour (so a gradient of
    light across the desk is modelled too) predicts the background everywhere, and the colour
    distance from it, thresholded by Otsu, separates a pale card from a pale desk where neither
    brightness nor edges do.
    """
    distance, _ = _ground_distance(small)
    score = cv2.GaussianBlur(np.clip(distance * 4, 0, 255).astype(np.uint8), (5, 5), 0)
    _, mask = cv2.threshold(score, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return _closed_then_opened(mask)


def _plain_ground_mask(small: Mat) -> Mat:
    """What differs at all from a plain ground: a card on white paper or a scanner's lid.

    There the card's tint is a few Lab units from the ground while its print is a hundred, so
    Otsu (:func:`_background_mask`) splits print from card and card and ground stay one; and the
    edge is too faint for Canny. On a ground that the plane models to within its noise, anything
    standing clearly above that noise is the card. A ground that is not plain (a texture, print,
    uneven light) gives an empty mask: the other cues are for those.
    """
    distance, frame = _ground_distance(small, trim=True)
    smooth = cv2.GaussianBlur(distance, (5, 5), 0)
    noise = float(np.percentile(smooth[frame], 95))
    if noise > _PLAIN_GROUND:
        return np.zeros(small.shape[:2], np.uint8)
    mask = (smooth > max(_PLAIN_STEP, 3 * noise)).astype(np.uint8) * 255
    return _closed_then_opened(mask)


_PLAIN_GROUND = 2.0  # Lab units (OpenCV's 8-bit scale) the border may stray from its plane
_PLAIN_STEP = 4.0  # the least tint that tells a card from the ground (alt cards: 9 and more)


def _ground_distance(
    small: Mat, *, trim: bool = False
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Each pixel's Lab distance from a plane fitted to the photo's border, and that border.

    With ``trim``, the plane is fitted again to the border pixels the first fit models well, and
    the border returned is those: a card turned by a client and padded with white (its corners
    touch the frame) leaves a plain ground along most of the border, and the card's own corners
    there would otherwise make the ground look uneven. A border less than 60 % plain is kept whole.
    """
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    frame = np.zeros((h, w), bool)
    frame[:6], frame[-6:], frame[:, :6], frame[:, -6:] = True, True, True, True
    design = np.stack([np.ones(int(frame.sum()), np.float32), xs[frame] / w, ys[frame] / h], axis=1)
    coef, *_ = np.linalg.lstsq(design, lab[frame], rcond=None)
    if trim:  # residuals on the border alone: the whole photo's distance is computed once, below
        residual = np.sqrt(((lab[frame] - design @ coef) ** 2).sum(axis=1))
        near = residual <= 2 * float(np.median(residual)) + 1
        if near.mean() >= _PLAIN_SHARE:
            frame[frame] = near
            coef, *_ = np.linalg.lstsq(design[near], lab[frame], rcond=None)
    model = coef[0] + (xs / w)[..., None] * coef[1] + (ys / h)[..., None] * coef[2]
    return np.sqrt(((lab - model) ** 2).sum(axis=2)).astype(np.float32), frame


_PLAIN_SHARE = 0.6  # of the border that must be plain ground for the rest to be left out of its fit


def _closed_then_opened(mask: Mat) -> Mat:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    return cv2.morphologyEx(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)


def fills_photo(quad: npt.NDArray[Any], width: int, height: int) -> bool:
    """Whether an outline is the photo itself (its area 90 % of the photo's or more)."""
    return bool(cv2.contourArea(quad.astype(np.float32)) >= 0.9 * width * height)


def _calm_quads(detail: npt.NDArray[np.bool_], ground: float) -> _Quads:
    """Card quadrilaterals where the photo is calm: a card lying on a printed page (a form, a newspaper).

    Brightness, edges and colour all fail there: the page is as pale as the card and its text
    gives edges everywhere. But small print is dense fine detail all over the page, while the card
    is mostly blank with a few lines of larger print: the share of detailed pixels in a window a
    few page lines high separates them (under a fixed share first; under half, then two thirds,
    of the ground's, the photo's border, when that finds no card); a closing fills the card's own
    lines back in (its outline is then taken from the hull, see :func:`_quad_of`). At each level a
    calm region of the card's shape goes first, then a calm island, and only then a region opened
    apart: the card's own print bites into its calm, and opening that apart can leave a piece of
    the card, where the island takes it whole; but a finger or the page's blank margin joined to
    the card's calm is no island. Only when no level finds a card so, islands down to half the
    usual size (a small card across half a portrait photo) and islands of the calm opened apart (a
    card joined to the page's margin) are tried, level by level.
    """
    busy = cv2.blur(detail.astype(np.float32), (15, 15))
    # Levels relative to the ground only when the fixed one finds no card: a card with a textured
    # print, or one whose blank is grainy (a phone's noise in dim light).
    levels = []
    for level in (_BUSY_SHARE, 0.5 * ground, 0.65 * ground):
        calm = _calm_below(busy, level)
        found = _card_quads(calm) or _calm_islands(calm) or _card_quads(calm, split=True)
        if found:
            return found
        levels.append(calm)
    # Only when no level found a card that way (either would otherwise stand in for the card a later
    # level finds whole): a small card's island, or one joined to the page's margin.
    for calm in levels:
        found = _calm_islands(calm, least=_ISLAND_LEAST) or _opened_islands(calm)
        if found:
            return found
    # Last, a card lying along the page's blank margin, joined to it down a whole edge: opened by
    # a twentieth of the photo, the margin beside the card stays on it and the margin past the card
    # is kept, joined at its corner (the third renderer's seed-9821 front #60: no card found). A
    # margin is rarely wider than that; opened by twice as much it is gone, the card's blank kept.
    # Such a card lies inside the photo: a piece running off it is a card cut by the frame, whose
    # calm so opened had been taken for a whole card (and the cut not seen by the pre-check).
    for calm in levels:
        found = [
            (fit, quad, cut_off)
            for contour, _ in _large_contours(calm)
            for fit, quad, cut_off in _split_off(calm, contour, _WIDE_SPLIT)
            if not cut_off
        ]
        if found:
            return found
    return []


@dataclass
class _Line:
    """A straight edge: collinear segments merged, a point on it, its direction and their length."""

    point: npt.NDArray[np.float64]
    direction: npt.NDArray[np.float64]
    segments: list[npt.NDArray[np.float64]]
    support: float


def _straight_edge_quads(small: Mat) -> _Quads:
    """Card quadrilaterals bounded by four straight edges: a pale card on a page of print.

    There brightness and colour merge the card with the page, and the page's print joins every
    edge into one region, the whole photo (held-out seed 9931, the third renderer's front #22, a
    card tilted on a form, read with the form's lines: its sex lost, its address cut). But the
    card's edges are long straight lines, and a page's print is made of short strokes: segments
    (OpenCV's line segment detector) merged along one line where the page's characters touch the
    edge and break it. Two pairs of nearly parallel lines crossing each other bound a candidate;
    it is kept when it has a card's aspect and even sides, lies inside the photo, each of its
    sides is drawn along at least :data:`_EDGE_SEEN` of its length, and it is pale against what
    lies beside it: a portrait's frame has four straight sides too, but darker inside than out.
    A faded portrait with a pale ground can still pass (seed 9961's #2); the reader finds no card
    in it and reads the next outline. Edges a phone's lens bends, or ruled lines of a form that
    outnumber them, leave the card to the other cues (seed 9951's #7 and back #14).
    """
    height, width = small.shape[:2]
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    lines = _straight_lines(grey)
    pairs = [
        (a, b)
        for i, a in enumerate(lines)
        for b in lines[i + 1 :]
        if abs(float(a.direction @ b.direction)) > _PARALLEL
        and abs(float((b.point - a.point) @ _normal(a.direction))) > 0.1 * min(height, width)
    ]
    out = []
    for k, (a, b) in enumerate(pairs):
        for c, d in pairs[k + 1 :]:
            if abs(float(a.direction @ c.direction)) > _ACROSS:
                continue
            corners = [_meet(a, c), _meet(c, b), _meet(b, d), _meet(d, a)]
            if any(corner is None for corner in corners):
                continue
            quad = _order_corners(np.array(corners, np.float64))
            fit = _edge_fit(quad, (a, b, c, d), grey)
            if fit is not None:
                out.append((fit, quad, False))
    return sorted(out, key=lambda item: item[0])[:2]


def _straight_lines(grey: Mat) -> list[_Line]:
    """The longest straight lines: segments of at least :data:`_SEGMENT` of the photo's side merged
    when collinear (within 3 degrees and 4 pixels), kept from a tenth of its side."""
    found = cv2.createLineSegmentDetector().detect(grey)[0]
    if found is None:
        return []
    segments = found.reshape(-1, 4).astype(np.float64)
    longest = max(grey.shape)
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    long_enough = lengths >= _SEGMENT * longest
    lines: list[_Line] = []
    for segment, length in zip(segments[long_enough], lengths[long_enough], strict=True):
        start, end = segment[:2], segment[2:]
        direction = (end - start) / length
        direction = direction if (direction[0], direction[1]) > (0.0, 0.0) else -direction
        normal = _normal(direction)
        for line in lines:
            if (
                abs(float(line.direction @ normal)) < _COLLINEAR
                and abs(float((line.point - start) @ normal)) < 4
            ):
                line.segments.append(segment)
                line.support += float(length)
                break
        else:
            lines.append(_Line((start + end) / 2, direction, [segment], float(length)))
    kept = [line for line in lines if line.support >= 0.1 * longest]
    return sorted(kept, key=lambda line: -line.support)[:_LINES]


def _normal(direction: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.array([-direction[1], direction[0]])


def _meet(a: _Line, b: _Line) -> npt.NDArray[np.float64] | None:
    return _intersect((a.point, a.direction), (b.point, b.direction))


def _edge_fit(quad: npt.NDArray[np.float64], lines: tuple[_Line, ...], grey: Mat) -> float | None:
    """The misfit of a quadrilateral bounded by four lines, or None when it is no card's outline."""
    height, width = grey.shape
    if not cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)) or not _even_sides(quad):
        return None
    area = float(cv2.contourArea(quad.astype(np.float32)))
    if area < 0.08 * width * height or _outside(quad, width, height) > 0:
        return None
    aspect = _aspect(quad)
    if not _CARD_ASPECTS[0] < aspect < _CARD_ASPECTS[1]:
        return None
    seen = [max(_drawn_along(quad[i], quad[(i + 1) % 4], line) for line in lines) for i in range(4)]
    if min(seen) < _EDGE_SEEN or not _pale_inside(quad, grey):
        return None
    return abs(aspect - ASPECT) + 1.0 - float(np.mean(seen))


def _drawn_along(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], line: _Line) -> float:
    """Share of the side from ``a`` to ``b`` that the line's segments run along (0 when the line is
    not that side's)."""
    length = float(np.linalg.norm(b - a))
    along = (b - a) / max(length, 1e-6)
    if abs(float(along @ line.direction)) < _PARALLEL or abs(float((line.point - a) @ _normal(along))) > 3:
        return 0.0
    spans: list[tuple[float, float]] = []
    for segment in line.segments:
        t0, t1 = sorted((float((segment[:2] - a) @ along), float((segment[2:] - a) @ along)))
        spans.append((max(0.0, t0), min(length, t1)))
    spans.sort()
    covered, reached = 0.0, 0.0
    for start, end in spans:
        start = max(start, reached)
        if end > start:
            covered, reached = covered + end - start, end
    return covered / max(length, 1e-6)


def _pale_inside(quad: npt.NDArray[np.float64], grey: Mat) -> bool:
    """Whether the band just inside the outline is at least about as bright as the band just
    outside it: a card is paler than the page's shadow around it, a portrait darker than its card."""
    inside, outside = _band(grey.shape, quad, 0.9, 0.97), _band(grey.shape, quad, 1.03, 1.1)
    if not inside.any() or not outside.any():
        return False
    return float(np.median(grey[inside])) >= float(np.median(grey[outside])) - _PALE_SLACK


_SEGMENT = 0.025  # of the photo's longer side: a segment this long may be part of an edge
_COLLINEAR = np.sin(np.radians(3))
_LINES = 24  # the longest lines paired at most (276 pairs)
_PARALLEL = np.cos(np.radians(10))  # opposite sides of a card in a photo taken from in front of it
_ACROSS = np.cos(np.radians(60))  # two sides meeting at a corner cross at 60 degrees or more
_EDGE_SEEN = 0.3  # of each side drawn along: page print breaks a card's edge, never most of it
_PALE_SLACK = 8.0  # grey levels: the band inside a card's outline may be this much darker
_EDGES_FIRST = 1.0  # straight edges rank before the whole photo's outline they lie within


def _opened_islands(calm: Mat) -> _Quads:
    """Calm islands once the calm is opened apart (see :func:`_split_off`): a pale card over a page's
    blank margin, its calm joined to the margin's by a strip, and its outline bitten by its own
    portrait, so neither its region nor a part opened off it is card-shaped. Ranked like parts
    opened apart."""
    return [(fit + _SPLIT_PENALTY, quad, cut_off) for fit, quad, cut_off in _calm_islands(_opened(calm))]


def _calm_islands(calm: Mat, least: float = 0.08) -> _Quads:
    """Card-shaped islands of calm wholly surrounded by print, when no calm region fills a card's shape.

    A card's own dense print (a portrait, the number line, a long address) is as busy as the page
    and bites into its calm region from the edge, so the outline of what is calm is no card's and
    its hull loses a corner. The card's blank margins still span it, so the smallest rectangle
    around the region is the card; it is taken only when that rectangle is card-shaped, half
    calm, inside the photo and surrounded by busy ground on every side (a blank stretch of the
    page itself runs on into more blank page).
    """
    height, width = calm.shape
    out = []
    for contour, area in _large_contours(calm, least):
        rect = _order_corners(cv2.boxPoints(cv2.minAreaRect(contour)).astype(np.float64))
        if _touches_border(rect, width, height) or not _card_like(rect, area, min_fill=_ISLAND_FILL):
            continue
        if _calm_share_around(calm, rect) <= _ISLAND_SHORE:
            out.append((_misfit(rect, area), rect, False))
    return out


def _calm_share_around(calm: Mat, quad: npt.NDArray[np.float64]) -> float:
    """Share of calm pixels in a band around ``quad``, from 2 % to 10 % of its size beyond its edges
    (clear of its own blurred border), within the photo."""
    band = _band(calm.shape, quad, 1.04, 1.2)
    return float((calm[band] > 0).mean()) if band.any() else 1.0


def _band(
    shape: tuple[int, ...], quad: npt.NDArray[np.float64], near: float, far: float
) -> npt.NDArray[np.bool_]:
    """The pixels between ``quad`` scaled about its centre by ``near`` and by ``far``, within the photo."""
    centre = quad.mean(axis=0)
    inner, outer = np.zeros(shape[:2], np.uint8), np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(inner, [np.round(centre + (quad - centre) * near).astype(np.int32)], 1)
    cv2.fillPoly(outer, [np.round(centre + (quad - centre) * far).astype(np.int32)], 1)
    band: npt.NDArray[np.bool_] = (outer > 0) & (inner == 0)
    return band


_ISLAND_FILL = 0.5  # of the rectangle calm: its margins and the blank between its lines
# Of the photo: a card across half a portrait photo's width covers about 9 % of it, and its calm,
# bitten by its own emblem or portrait, 7 %; an island must still be card-shaped and ringed by print.
_ISLAND_LEAST = 0.04
_ISLAND_SHORE = 0.1  # at most this share of the band around it calm: print on every side


def _calm_below(busy: Mat, level: float) -> Mat:
    calm: Mat = np.where(busy < level, 255, 0).astype(np.uint8)
    calm = cv2.morphologyEx(calm, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (25, 25)))
    return cv2.morphologyEx(calm, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))


def _detail(small: Mat) -> npt.NDArray[np.bool_]:
    """Pixels that differ from their blurred surroundings: the edges of strokes."""
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    found: npt.NDArray[np.bool_] = np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.5)) > _DETAIL_LEVEL
    return found


def _busy_share(detail: npt.NDArray[np.bool_]) -> float:
    """Share of detailed pixels along the photo's border (the ground the card lies on)."""
    band = max(4, round(0.06 * min(detail.shape)))
    frame = np.concatenate(
        [detail[:band].ravel(), detail[-band:].ravel(), detail[:, :band].ravel(), detail[:, -band:].ravel()]
    )
    return float(frame.mean())


_DETAIL_LEVEL = 6.0  # grey levels from the pixel's blurred surroundings: a stroke's edge, not noise
_BUSY_SHARE = 0.12  # of the border's pixels detailed: the card lies on print (or a coarse texture)


def _edge_mask(small: Mat) -> Mat:
    """Filled regions enclosed by strong edges, for cards on light backgrounds."""
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    median = float(np.median(grey))
    edges = cv2.Canny(grey, int(max(10, 0.5 * median)), int(min(255, 1.2 * median + 20)))
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    filled = np.zeros_like(grey)
    cv2.drawContours(filled, contours, -1, 255, thickness=cv2.FILLED)
    return cv2.morphologyEx(filled, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))


_SPLIT = 0.05  # of the photo's longer side: wider than a page's margin or line gap, far narrower than a card


def _card_quads(mask: Mat, *, split: bool = False) -> _Quads:
    """Quadrilaterals of the largest contours that have the card's aspect and fill it well.

    Each comes with a misfit score (0 is a perfect card): the aspect's distance from 85.6:54 plus
    the share of the quadrilateral the contour leaves empty, so a card merged with a sheet of
    paper beside it ranks below the clean outline of the card alone; and whether it is cut off.
    With ``split``, a region of no card's shape is also tried opened apart (:func:`_split_off`).
    """
    out = []
    for contour, area in _large_contours(mask):
        quad, cut_off = _quad_of(contour, mask.shape[1], mask.shape[0])
        if _card_like(quad, area):
            out.append((_misfit(quad, area), quad, cut_off))
        elif split:
            out += _split_off(mask, contour)
    return out


def _split_off(mask: Mat, contour: Mat, share: float = _SPLIT) -> _Quads:
    """A card joined to something narrower by a thin strip or band: opened apart, each part tried.

    On a printed page the card's region runs on into the page's blank margin or into the bright
    gaps between the page's lines; no region is then card-shaped. Those are narrower than the
    card: an opening by a twentieth of the photo removes them and keeps the card, whose outline
    is then taken from its own hull.
    """
    alone = np.zeros_like(mask)
    cv2.drawContours(alone, [contour], -1, 255, thickness=cv2.FILLED)
    out = []
    for part, area in _large_contours(_opened(alone, share)):
        quad, cut_off = _quad_of(part, mask.shape[1], mask.shape[0])
        if _card_like(quad, area) and _even_sides(quad):
            out.append((_misfit(quad, area) + _SPLIT_PENALTY, quad, cut_off))
    return out


def _opened(mask: Mat, share: float = _SPLIT) -> Mat:
    """The mask opened by a twentieth of the photo (:data:`_SPLIT`, or ``share``): strips and bands
    narrower than that (a page's margin, the gaps between its lines) are cut away, a card's region
    is kept."""
    size = max(9, round(share * max(mask.shape)))
    opened: Mat = cv2.morphologyEx(
        mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    )
    return opened


def _even_sides(quad: npt.NDArray[np.float64]) -> bool:
    """Opposite sides of nearly one length, as a card's are in a photo taken from in front of it
    (a piece cut out of a larger region by the opening is often a trapezoid)."""
    sides = _sides(quad)
    return all(min(sides[i], sides[i + 2]) >= _EVEN * max(sides[i], sides[i + 2]) for i in (0, 1))


# A part opened apart can be a piece of the card (its own dense print opened away): it ranks after
# every outline found whole, and is read only when those do not give the card.
_SPLIT_PENALTY = 0.5
_WIDE_SPLIT = 2 * _SPLIT  # the last opening tried: a margin as wide as :data:`_SPLIT` joined to a card
_EVEN = 0.75  # shorter over longer opposite side: a card tilted by up to about 40 degrees


def _large_contours(mask: Mat, least: float = 0.08) -> list[tuple[Mat, float]]:
    """The mask's three largest outer contours with their areas, those of at least ``least`` of it."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    sized = [(c, float(cv2.contourArea(c))) for c in contours]
    largest = sorted(sized, key=lambda item: item[1], reverse=True)[:3]
    return [(c, area) for c, area in largest if area >= least * mask.shape[0] * mask.shape[1]]


def _quad_of(contour: Mat, width: int, height: int) -> tuple[npt.NDArray[np.float64], bool]:
    """Four corners: polygon approximation of the hull, refined by fitting a line to each side.

    A card cut off by the frame has extra hull edges along the frame border; dropping those and
    intersecting the remaining four sides recovers the corners outside the photo.

    Returns:
        The corners and whether the card is cut off: its outline touches the frame, unless it
        only grazes it - all four sides seen, no corner more than ``_CORNER_SLACK`` of the
        card's length outside the frame and the frame cutting less than ``_GRAZE_RUN`` of the
        short side. Printing keeps about 4 mm from every edge and the corners are rounded
        (r = 3 mm), so a grazing corner tip loses nothing; tilted cards in perspective often do that
        (generated set: grazing runs up to 33 % of the short side, cut-off cards from 49 %).
    """
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    touches = _touches_border(hull.reshape(-1, 2).astype(np.float64), width, height)
    if touches:
        clipped = _quad_from_sides(
            cv2.approxPolyDP(hull, 0.01 * perimeter, True).reshape(-1, 2), width, height
        )
        if clipped is not None:
            corner_in = _outside(clipped, width, height) <= _CORNER_SLACK * _long_side(clipped)
            short_cut = _border_run(contour, width, height) < _GRAZE_RUN * _short_side(clipped)
            return clipped, not (corner_in and short_cut)
    for eps in (0.02, 0.035, 0.05):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            quad = _refine(_order_corners(approx.reshape(4, 2).astype(np.float64)), contour.reshape(-1, 2))
            return quad, touches
    rect = cv2.boxPoints(cv2.minAreaRect(contour))
    return _order_corners(rect.astype(np.float64)), touches


_CORNER_SLACK = 0.02  # of the card's length: 1.7 mm, about half the corner radius
_GRAZE_RUN = 0.4


def _outside(quad: npt.NDArray[np.float64], width: int, height: int) -> float:
    """How far the farthest corner lies outside the frame (negative when all are inside)."""
    xs, ys = quad[:, 0], quad[:, 1]
    return float(max(-xs.min(), -ys.min(), xs.max() - (width - 1), ys.max() - (height - 1)))


def _sides(quad: npt.NDArray[np.float64]) -> list[float]:
    """The lengths of the quadrilateral's four sides, from the top-left corner's clockwise."""
    return [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]


def card_length(quad: npt.NDArray[Any]) -> float:
    """The card's length in photo pixels: the mean of the longer pair of opposite sides (a card at
    a slant shows its near side longer than its far side)."""
    top, right, bottom, left = _sides(np.asarray(quad, np.float64))
    return max(top + bottom, left + right) / 2


def _long_side(quad: npt.NDArray[np.float64]) -> float:
    return max(_sides(quad))


def _short_side(quad: npt.NDArray[np.float64]) -> float:
    return min(_sides(quad))


def _border_run(contour: Mat, width: int, height: int) -> int:
    """Contour pixels on the frame border: how long a stretch of the card the frame cuts."""
    xs, ys = contour[:, 0, 0], contour[:, 0, 1]
    return int(np.sum((xs <= 1) | (ys <= 1) | (xs >= width - 2) | (ys >= height - 2)))


def _refine(quad: npt.NDArray[np.float64], points: Mat) -> npt.NDArray[np.float64]:
    """Intersect lines fitted to the contour points along each side (middle 70 % of the side)."""
    lines = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        side = b - a
        length = float(np.linalg.norm(side))
        normal = np.array([-side[1], side[0]]) / max(length, 1e-6)
        rel = points - a
        along = rel @ side / max(length**2, 1e-6)
        near = (np.abs(rel @ normal) < 6) & (along > 0.15) & (along < 0.85)
        if near.sum() < 10:
            return quad
        vx, vy, x0, y0 = cv2.fitLine(points[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0]), np.array([vx, vy])))
    corners = [_intersect(lines[i - 1], lines[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    refined = np.array(corners, np.float64)
    return refined if np.abs(refined - quad).max() < 0.1 * np.ptp(quad[:, 0]) else quad


def _quad_from_sides(poly: Mat, width: int, height: int) -> npt.NDArray[np.float64] | None:
    """Intersect the polygon's sides that do not run along the frame border, if exactly four."""
    points = poly.astype(np.float64)
    margin = 3.0
    sides = []
    for i in range(len(points)):
        a, b = points[i], points[(i + 1) % len(points)]
        on_border = any(
            (abs(a[k] - edge) < margin and abs(b[k] - edge) < margin)
            for k, edge in ((0, 0.0), (1, 0.0), (0, width - 1.0), (1, height - 1.0))
        )
        if not on_border and np.linalg.norm(b - a) > 0.08 * max(width, height):
            sides.append((a, (b - a) / np.linalg.norm(b - a)))
    if len(sides) != 4:
        return None
    corners = [_intersect(sides[i - 1], sides[i]) for i in range(4)]
    if any(c is None for c in corners):
        return None
    quad = _order_corners(np.array(corners, np.float64))
    # A card's outline is convex in any perspective: sides meeting in a dent are not one card's
    # (a thumb over a card on a page, merged with both: held-out seed 9971, crossed back #140,
    # a corner found twice the photo's width away and the genuine back refused as cut off).
    return quad if cv2.isContourConvex(quad.astype(np.float32).reshape(-1, 1, 2)) else None


def _intersect(
    l1: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    l2: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
) -> npt.NDArray[np.float64] | None:
    (p, r), (q, s) = l1, l2
    denom = r[0] * s[1] - r[1] * s[0]
    if abs(denom) < 1e-6:
        return None
    t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / denom
    return np.asarray(p + t * r, np.float64)


def _misfit(quad: npt.NDArray[np.float64], area: float) -> float:
    sides = _sides(quad)
    long_side, short_side = sorted(((sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2), reverse=True)
    quad_area = float(cv2.contourArea(quad.astype(np.float32)))
    return abs(long_side / max(short_side, 1e-6) - ASPECT) + abs(1.0 - area / max(quad_area, 1e-6))


def _card_like(quad: npt.NDArray[np.float64], area: float, min_fill: float = 0.85) -> bool:
    """Aspect near 85.6:54 (either way round) and the contour fills the quadrilateral."""
    quad_area = float(cv2.contourArea(quad.astype(np.float32)))
    return _CARD_ASPECTS[0] < _aspect(quad) < _CARD_ASPECTS[1] and area > min_fill * quad_area


def _aspect(quad: npt.NDArray[np.float64]) -> float:
    """The longer pair of opposite sides' mean length over the shorter pair's (either way round)."""
    sides = _sides(quad)
    long_side, short_side = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    return max(long_side, short_side) / max(min(long_side, short_side), 1e-6)


_CARD_ASPECTS = (1.3, 1.95)  # a card's 1.59 in perspective and with its outline found a little off


def _order_corners(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Clockwise from the top-left in image coordinates."""
    center = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - center[1], points[:, 0] - center[0])
    ordered = points[np.argsort(angles)]
    start = int(np.argmin(ordered.sum(axis=1)))
    return np.roll(ordered, -start, axis=0)


def _touches_border(quad: npt.NDArray[np.float64], width: int, height: int) -> bool:
    margin = 0.005 * max(width, height)
    xs, ys = quad[:, 0], quad[:, 1]
    return bool(
        xs.min() < margin or ys.min() < margin or xs.max() > width - margin or ys.max() > height - margin
    )
