"""Glare over a field's print: where the card is clipped white with no ink near (synthetic masks)."""

from __future__ import annotations

import numpy as np
import pytest

from idverify.glare import blank_glare, glared_fields

#: An address of two lines, the second short, and the number row below (856 x 540 card).
BOXES = {
    "address": ((160.0, 228.0, 470.0, 270.0), (160.0, 270.0, 260.0, 312.0)),
    "id_number": ((250.0, 440.0, 730.0, 490.0),),
}


def _blank(x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    mask = np.zeros((540, 856), bool)
    mask[y0:y1, x0:x1] = True
    return mask


@pytest.mark.parametrize(
    ("where", "blank"),
    [
        ("over the first line's middle", _blank(300, 240, 340, 258)),
        ("just after the last line's end", _blank(275, 282, 300, 300)),
        ("where a second line would begin under a full first line", _blank(165, 282, 200, 300)),
    ],
)
def test_glare_where_print_is_or_may_go_on_flags_the_field(where: str, blank: np.ndarray) -> None:
    boxes = {"address": BOXES["address"][:1]} if "second line" in where else BOXES
    assert glared_fields(blank, boxes, right=548) == {"address"}, where


@pytest.mark.parametrize(
    "blank",
    [
        _blank(400, 330, 520, 400),  # blank paper below the address's short last line
        _blank(600, 240, 700, 300),  # past the print's right edge (over the portrait's place)
        _blank(300, 271, 340, 276),  # between two lines, not over either's characters
    ],
)
def test_glare_away_from_print_flags_nothing(blank: np.ndarray) -> None:
    assert glared_fields(blank, BOXES, right=548) == set()


def test_clipped_paper_between_strokes_is_not_blank() -> None:
    card = np.full((540, 856, 3), 200, np.uint8)  # the card is not clipped as a whole: an over-exposed
    card[200:520, 380:700] = 255  # photo is not glare, but this patch is
    card[240:260, 400:600:8] = 30  # strokes every 8 px keep print visible under the glare
    blank = blank_glare(card)
    assert not blank[240:260, 410:590].any()
    assert blank[300:500, 400:600].any()


def test_over_exposed_card_has_no_glare_to_tell() -> None:
    assert not blank_glare(np.full((540, 856, 3), 255, np.uint8)).any()
