"""Glare that may hide a field's print: where the rectified card is clipped white with no ink near.

Under a specular highlight the photo is saturated: whatever was printed there is gone, and no
reader can say what it was. Paper around surviving characters is clipped too, so a clipped pixel
alone does not mean lost print; a clipped area with no ink in it about half a character across
does, when it lies where print is or may be: on a field's line (Chinese text has no such gap
inside a line), just after its last character, or where a wrapped address's next line begins.
A field found so is flagged uncertain; its reading is never changed.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import cv2
import numpy as np

from idverify.types import RGBImage

Box = tuple[float, float, float, float]

_CLIP = 250  # darkest channel at or above this: the sensor was saturated
_BLANK = 11  # card pixels (856 x 540): about half a character, wider than any gap inside a line
_REACH = 2.0  # line heights after a line's end where its next characters would be
MIN_PIXELS = 20  # blank-centre pixels that make a zone hidden (not a single speck)


def blank_glare(card: RGBImage) -> np.ndarray:
    """Where the card is clipped white with no ink within half a character: print lost to glare.

    A photocopy or an over-exposed photo is white all over; there a clipped area says nothing
    about glare (other warnings cover it), so nothing is marked.
    """
    low = darkest_channel(card)
    if float(np.median(low[::2, ::2])) >= 240:
        return np.zeros(low.shape, bool)
    clipped = (low >= _CLIP).astype(np.uint8)
    blank: np.ndarray = cv2.erode(clipped, np.ones((_BLANK, _BLANK), np.uint8)).astype(bool)
    return blank


def darkest_channel(card: RGBImage) -> np.ndarray:
    """Each pixel's darkest channel (clipped white only when all three are); numpy's ``min`` over
    the last axis takes twenty times as long on a card."""
    low: np.ndarray = np.minimum(np.minimum(card[..., 0], card[..., 1]), card[..., 2])
    return low


def glared_fields(
    blank: np.ndarray,
    boxes: Mapping[str, Sequence[Box]],
    *,
    right: float,
    wrapping: Collection[str] = ("address",),
) -> set[str]:
    """The fields whose print, or the print that may follow it, lies under blank glare.

    Args:
        blank: :func:`blank_glare` of the card.
        boxes: field key -> the boxes of the lines it was read from (:attr:`cardtext.Reading.boxes`).
        right: where print ends on the card (the portrait's left edge on the front).
        wrapping: fields printed on as many lines as they need; where such a field's last line is
            full, its next line's start is looked at too (above the next field).

    Returns:
        The keys of the fields that glare may have cut.
    """
    tops = [min(b[1] for b in bs) for bs in boxes.values() if bs]
    out = set()
    for key, field_boxes in boxes.items():
        rows = _rows(field_boxes)
        if not rows:
            continue
        below = min((t for t in tops if t > rows[-1][3] - 1), default=float(blank.shape[0]))
        zones = _zones(rows, right, wraps=key in wrapping, below=below)
        if any(_hidden(blank, zone) for zone in zones):
            out.add(key)
    return out


def _rows(boxes: Sequence[Box]) -> list[Box]:
    """Boxes of one field merged into its printed lines (boxes whose vertical middles overlap)."""
    rows: list[list[float]] = []
    for x0, y0, x1, y1 in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (y0 + y1) / 2
        if rows and rows[-1][1] < middle < rows[-1][3]:
            row = rows[-1]
            row[:] = [min(row[0], x0), min(row[1], y0), max(row[2], x1), max(row[3], y1)]
        else:
            rows.append([x0, y0, x1, y1])
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _zones(rows: list[Box], right: float, *, wraps: bool, below: float) -> list[Box]:
    """Where the field's print is or may continue: each line's middle band to a little past its
    end (to the widest line's end, for a wrapped line), and the start of a next line."""
    heights = [r[3] - r[1] for r in rows]
    height = float(np.median(heights))
    widest = max(r[2] for r in rows)
    zones = []
    for (x0, y0, x1, y1), h in zip(rows, heights, strict=True):
        end = min(max(x1 + _REACH * h, widest), right)
        zones.append((x0, y0 + 0.25 * h, end, y1 - 0.25 * h))
    last = rows[-1]
    if wraps and last[2] >= widest - height:  # the last line is full: the text may go on below
        pitch = (last[1] - rows[0][1]) / (len(rows) - 1) if len(rows) > 1 else 1.2 * height
        top, bottom = last[1] + pitch + 0.25 * height, last[3] + pitch - 0.25 * height
        if bottom <= below:
            zones.append((rows[0][0], top, rows[0][0] + 3 * height, bottom))
    return zones


def _hidden(blank: np.ndarray, zone: Box) -> bool:
    x0, y0, x1, y1 = (int(round(v)) for v in zone)
    area = blank[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)]
    return int(area.sum()) >= MIN_PIXELS
