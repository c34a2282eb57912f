"""Card geometry and text helpers of the reader, without the OCR models (fast)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from idverify import cardtext, idcard, layout
from idverify.ocr import _decode, pack_strips

FRAME_W, FRAME_H = 1280, 960


def _photo(corners: list[list[float]]) -> np.ndarray:
    """A white rounded-corner card (r = 3 mm) warped onto a dark frame at ``corners``."""
    card = np.zeros((layout.CARD_H, layout.CARD_W), np.uint8)
    r = 30
    cv2.rectangle(card, (r, 0), (layout.CARD_W - r, layout.CARD_H), 255, -1)
    cv2.rectangle(card, (0, r), (layout.CARD_W, layout.CARD_H - r), 255, -1)
    for cx, cy in (
        (r, r),
        (layout.CARD_W - r, r),
        (layout.CARD_W - r, layout.CARD_H - r),
        (r, layout.CARD_H - r),
    ):
        cv2.circle(card, (cx, cy), r, 255, -1)
    src = np.array(
        [[0, 0], [layout.CARD_W, 0], [layout.CARD_W, layout.CARD_H], [0, layout.CARD_H]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(src, np.array(corners, np.float32))
    mask = cv2.warpPerspective(card, matrix, (FRAME_W, FRAME_H))
    photo = np.full((FRAME_H, FRAME_W, 3), 70, np.uint8)
    photo[mask > 127] = 235
    return photo


@pytest.mark.parametrize(
    ("corners", "cut_off"),
    [
        ([[200, 150], [1080, 180], [1060, 760], [190, 730]], False),  # well inside
        ([[322, 110], [1293, 168], [1207, 863], [230, 650]], False),  # a corner tip grazes the edge
        ([[107, 150], [1042, 273], [1019, 883], [-10, 725]], False),  # the same on the left
        ([[280, 90], [1312, 130], [1270, 800], [240, 750]], True),  # the right side leaves the frame
        ([[-60, 120], [900, 60], [960, 660], [-20, 720]], True),  # the left side leaves the frame
    ],
)
def test_cut_off_only_when_the_frame_cuts_the_card(corners: list[list[float]], cut_off: bool) -> None:
    found = layout.locate_card(_photo(corners))
    assert found is not None
    assert found.cut_off is cut_off


def test_crops_packed_widest_first_each_once_within_the_strip() -> None:
    widths = [60, 480, 90, 700, 300, 130]
    strips = pack_strips(widths, gap=32, strip_min=640)
    placed = sorted(i for s in strips for i in s.items)
    assert placed == list(range(len(widths)))
    assert strips[0].items == (3,)  # the widest sets the strip width (700 + gap) and fills it
    for strip in strips:
        assert strip.width % 8 == 0 and strip.width <= 736
        # Every crop is followed by a gap before the next one begins.
        for end, nxt in zip(strip.ends, strip.starts[1:], strict=False):
            assert nxt - end == 32
        assert strip.ends[-1] <= strip.width


def test_packed_characters_go_to_the_crop_under_them() -> None:
    strip = pack_strips([64, 96], gap=32, strip_min=256)[0]  # the 96 crop first, then the 64 one
    assert strip.items == (1, 0) and strip.starts == (0, 128)
    charset = ["blank", "姓", "名", "张", "三"]
    steps = strip.width // 8
    probs = np.zeros((steps, len(charset)), np.float32)
    probs[:, 0] = 1.0
    for step, char in ((2, 1), (3, 1), (6, 2), (15, 3), (19, 4)):  # 姓 held two steps: one character
        probs[step] = 0.0
        probs[step, char] = 0.9
    decoded = _decode(probs, 8.0, strip, charset)
    assert decoded[1][0] == "姓名"
    assert decoded[1][1] == pytest.approx([0.9, 0.9])
    assert decoded[0][0] == "张三"  # step 15 (x = 124) lies in the gap, nearer the second crop


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("1987 年 11 月 30 日", "1987年11月30日"),
        ("1987年1月1日", "1987年1月1日"),
        ("1987年11月", ""),  # glare erased the day: unreadable, not 1987-1-1
        ("1987年11月30", ""),
        ("1987年2月30日", ""),
    ],
)
def test_birth_date_needs_every_part(raw: str, text: str) -> None:
    assert cardtext.birth_text(raw) == text


def _line(text: str) -> cardtext.CardLine:
    return cardtext.CardLine(text, 0.99, (300, 440, 800, 480))


def test_validity_line_does_not_pass_for_the_number_line() -> None:
    assert cardtext.side_evidence([_line("有效期限2025.06.12-2045.06.12")])["front"] == 0.0
    assert cardtext.side_evidence([_line("41213019871130005X")])["front"] == pytest.approx(0.6)


def test_line_finder_ignores_a_shadow_edge() -> None:
    step = np.where(np.arange(600) < 300, 0.55, 1.0).astype(np.float32)[None, :]
    shade = cv2.GaussianBlur(np.repeat(step, 50, axis=0), (0, 0), 25)[:, 100:500]  # a soft shadow
    region = np.repeat((230 * shade)[..., None], 3, axis=2).astype(np.uint8)
    region[12:40, 20:48] = 20  # one glyph inside the shadow
    line = idcard._line(region, (0, 0, 400, 50))
    assert 0 < line.shape[1] < 100


def test_card_found_by_its_print_along_its_lines() -> None:
    # Five vertical text lines (a card turned 90 degrees): the card's long side runs along them.
    boxes = [
        np.array([[x, 100], [x + 30, 100], [x + 30, 500], [x, 500]], np.float32)
        for x in (200, 260, 320, 380, 440)
    ]
    found = layout.locate_by_text(boxes, 1000, 800)
    assert found is not None
    sides = np.linalg.norm(np.roll(found.quad, -1, axis=0) - found.quad, axis=1)
    vertical = abs(found.quad[1, 1] - found.quad[0, 1]) > abs(found.quad[1, 0] - found.quad[0, 0])
    assert vertical == (sides[0] > sides[1])  # the long side is the vertical one
    assert sides.max() / sides.min() == pytest.approx(layout.ASPECT, rel=0.01)


def _speckled(photo: np.ndarray) -> np.ndarray:
    """The photo with its dark ground covered in fine grey specks (a busy ground: print, a weave)."""
    rng = np.random.default_rng(0)
    ground = photo[..., 0] < 128
    specks = cv2.dilate((rng.random(ground.shape) < 0.25).astype(np.uint8), np.ones((2, 2), np.uint8))
    out = photo.copy()
    out[ground & specks.astype(bool)] = 150
    return out


def test_on_a_busy_ground_the_outline_wholly_inside_goes_first() -> None:
    # A square-on outline running off the left edge and a card in perspective wholly inside.
    inside = _photo([[640, 470], [1230, 520], [1190, 900], [650, 870]])
    running_off = _photo([[-40, 40], [560, 40], [560, 420], [-40, 420]])
    photo = np.maximum(inside, running_off)

    calm = layout.locate_cards(photo)
    assert [c.cut_off for c in calm] == [True, False]  # on a calm desk the better fit goes first

    busy = layout.locate_cards(_speckled(photo))
    assert [c.cut_off for c in busy] == [False, True]
    assert np.abs(busy[0].quad - [[640, 470], [1230, 520], [1190, 900], [650, 870]]).max() < 8
