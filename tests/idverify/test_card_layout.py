"""Card geometry and text helpers of the reader, without the OCR models (fast)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

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
    probs[6, 3], probs[6, 4] = 0.05, 0.0005  # 名's other choices: 张 kept, 三 below the floor
    decoded = _decode(probs, 8.0, strip, charset)
    assert decoded[1].text == "姓名"
    assert decoded[1].choices[1] == (("张", pytest.approx(0.05)),)
    assert decoded[1].scores == pytest.approx([0.9, 0.9])
    assert decoded[1].places == pytest.approx([20 / 96, 52 / 96])  # steps 2 and 6, 8 columns each
    assert decoded[0].text == "张三"  # step 15 (x = 124) lies in the gap, nearer the second crop
    assert decoded[0].places == pytest.approx([0.0, 28 / 64])
    # that crop is marked for a reading of its own (a ghost of the packing or a glyph at its edge)
    assert (decoded[0].edge, decoded[1].edge) == (True, False)


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


def _printed(pixels: np.ndarray, font: Any, size: int, rng: np.random.Generator) -> np.ndarray:
    """``pixels`` covered in lines of small print (a form, a page of rules)."""
    from PIL import Image, ImageDraw

    page = Image.fromarray(pixels)
    draw = ImageDraw.Draw(page)
    for y in range(0, pixels.shape[0], size + 8):
        draw.text(
            (int(rng.integers(-40, 0)), y),
            "工程建设项目审批制度改革实施方案会议纪要" * 5,
            font=font,
            fill=(40, 40, 40),
        )
    return np.asarray(page)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_card_on_a_page_found_when_its_own_print_bites_into_its_calm(gen: ModuleType, seed: int) -> None:
    """A card on a printed form whose own dense print (a number line, a portrait) runs from its
    bottom edge into the middle: what is calm is then no card's outline, but it spans the card."""
    rng = np.random.default_rng(seed)
    page = _printed(np.full((FRAME_H, FRAME_W, 3), 235, np.uint8), gen.font(18), 18, rng)
    card = gen.render_front(gen.make_identity(rng), gen.portraits()[0], rng).copy()
    dense = _printed(np.full_like(card, 235), gen.font(22), 22, rng)
    top, left, right = int(0.6 * layout.CARD_H), int(0.25 * layout.CARD_W), int(0.8 * layout.CARD_W)
    card[top:, left:right] = dense[top:, left:right]
    turn = np.deg2rad(rng.uniform(-6, 6))
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [0.275 * FRAME_W, 0.275 * FRAME_W / layout.ASPECT]
    corners = (half @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])) + [640, 480]
    src = np.array(
        [[0, 0], [layout.CARD_W, 0], [layout.CARD_W, layout.CARD_H], [0, layout.CARD_H]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
    on_card = cv2.warpPerspective(np.ones(card.shape[:2], np.uint8), matrix, (FRAME_W, FRAME_H)).astype(bool)
    photo = page.copy()
    photo[on_card] = cv2.warpPerspective(card, matrix, (FRAME_W, FRAME_H))[on_card]

    found = layout.locate_cards(photo)
    assert found and not found[0].cut_off
    assert np.abs(found[0].quad - corners).max() < 0.02 * FRAME_W


def test_a_card_joined_to_the_page_by_thin_bright_bands_is_opened_apart() -> None:
    """On a printed page the bright gaps between the page's lines can touch the card's bright region:
    no region is then card-shaped. Opened apart, the card's own outline is found (after every
    outline found whole: a piece opened off is worth less)."""
    mask = np.zeros((400, 640), np.uint8)
    card = np.array([[100, 100], [417, 100], [417, 300], [100, 300]], np.int32)
    cv2.fillPoly(mask, [card], 255)
    for y in range(40, 400, 24):  # the page's bright gaps, 8 px high, running into the card
        mask[y : y + 8, 300:640] = 255
    assert layout._card_quads(mask) == []
    found = layout._card_quads(mask, split=True)
    assert len(found) == 1
    fit, quad, cut_off = found[0]
    assert np.abs(quad - card).max() < 6 and not cut_off
    assert fit >= layout._SPLIT_PENALTY


def test_a_line_box_does_not_grow_over_a_picture_beside_it() -> None:
    """A box grows over a blurred last character or two, never across the portrait it ends beside:
    grown over it, the box had reached form print on its far side and read the address twice."""
    ink = np.zeros((270, 428), bool)
    ink[100:120, 60:200] = True  # the line's print, inside its box
    ink[100:120, 204:214] = True  # a faded last character just past the box
    ink[60:200, 240:400] = True  # the portrait, a gap of half a line beyond
    box = np.array([[120, 196], [400, 196], [400, 244], [120, 244]], np.float32)  # full-size coordinates
    grown = idcard._extend_boxes([box], ink)[0]
    assert grown[1, 0] == 2 * 214  # the faded character is taken in
    beside = np.array([[120, 196], [440, 196], [440, 244], [120, 244]], np.float32)
    ink[100:120, 204:214] = False
    ink[100:120, 220:240] = True  # print running straight on into the portrait
    assert idcard._extend_boxes([beside], ink)[0][1, 0] == 440


def test_a_card_on_a_page_joined_to_a_calm_band_is_opened_apart() -> None:
    """A card on a printed form with a finger (or the page's blank margin) running from its edge to
    the photo's: the card's calm and the band's are one region, of no card's shape, and no island
    (it reaches the border). Opened apart, the card's outline is the one found."""
    rng = np.random.default_rng(3)
    detail = rng.random((480, 640)) < 0.35  # small print all over the page
    card = np.array([[150, 150], [467, 150], [467, 350], [150, 350]], np.int32)
    calm = np.zeros(detail.shape, np.uint8)
    cv2.fillPoly(calm, [card], 1)
    cv2.line(calm, (440, 170), (640, 0), 1, 20)  # the finger, from the card's corner off the photo
    detail[calm > 0] = False
    detail[200:215, 190:420] = rng.random((15, 230)) < 0.35  # the card's own print
    found = layout._calm_quads(detail, layout._busy_share(detail))
    assert found
    fit, quad, cut_off = min(found, key=lambda item: item[0])
    assert np.abs(quad - card).max() < 10 and not cut_off


def _on_ground(ground: np.ndarray, tint: int) -> np.ndarray:
    """A card of one tint, with a few printed lines, in the middle of ``ground`` (the card's shape)."""
    photo = ground.copy()
    h, w = photo.shape[:2]
    x0, y0, x1, y1 = w // 10, h // 10, w - w // 10, h - h // 10
    photo[y0:y1, x0:x1] = tint
    for row in range(4):
        y = y0 + (row + 1) * (y1 - y0) // 6
        photo[y : y + 12, x0 + 60 : x1 - 300] = 40
    return photo


def test_a_faint_card_on_a_plain_white_ground_is_outlined() -> None:
    """Six grey levels under the paper: too faint for Canny, and Otsu splits the print off instead."""
    width = 1000
    ground = np.full((round(width / layout.ASPECT), width, 3), 252, np.uint8)
    found = layout.locate_cards(_on_ground(ground, 246))
    assert not found[0].whole_image
    assert np.allclose(found[0].quad, [[100, 63], [900, 63], [900, 568], [100, 568]], atol=8)


def test_a_textured_ground_is_not_taken_for_plain() -> None:
    rng = np.random.default_rng(0)
    width = 1000
    ground = rng.normal(235, 12, (round(width / layout.ASPECT), width, 1)).clip(0, 255).astype(np.uint8)
    small = cv2.resize(_on_ground(np.repeat(ground, 3, 2), 246), (640, 404), interpolation=cv2.INTER_AREA)
    assert not layout._plain_ground_mask(small).any()


def test_a_card_found_in_part_of_a_photo_is_judged_on_the_photos_frame() -> None:
    """A card outlined in a crop (read again around its portrait or title) touches the crop's edge
    where the photo goes on: moved into the photo, it is not a card the frame cuts; one lying on the
    photo's own edge still is."""
    quad = np.array([[0, 10], [300, 10], [300, 200], [0, 200]], np.float32)
    in_crop = layout.CardLocation(quad, cut_off=True, whole_image=True)
    inside = layout.moved(in_crop, np.array([400.0, 300.0]), FRAME_W, FRAME_H)
    assert inside.quad[0].tolist() == [400.0, 310.0]
    assert not inside.cut_off and not inside.whole_image
    assert layout.moved(in_crop, np.array([0.0, 300.0]), FRAME_W, FRAME_H).cut_off


def test_a_view_read_in_a_crop_is_placed_in_the_photo() -> None:
    """The zoomed reads hand back the card's outline and corners in the whole photo's pixels."""
    photo = np.zeros((FRAME_H, FRAME_W, 3), np.uint8)
    crop = idcard._crop_within(photo, (400.0, 300.0, 900.0, 700.0), 0.7)
    assert crop is not None and (crop.left, crop.top, crop.pixels.shape[:2]) == (400, 300, (400, 500))
    quad = np.array([[0, 0], [499, 0], [499, 399], [0, 399]], np.float64)
    location = layout.CardLocation(quad.astype(np.float32), cut_off=True)
    view: Any = object()
    _, moved, corners = idcard._in_photo((view, location, quad), crop, photo)
    assert corners[2].tolist() == [899.0, 699.0] and moved.quad[0].tolist() == [400.0, 300.0]
    assert not moved.cut_off


def test_a_pale_card_on_a_page_is_bounded_by_its_straight_edges() -> None:
    """Held-out seed 9931, the third renderer's front #22: a pale card tilted on a form, its outline
    merged with the page into the whole photo by every other cue. Its four straight edges, broken
    where the page's characters touch them, bound it; that outline goes first."""
    photo, found = _third_outlines(9931, "front", 22, "tilt")
    _assert_first_is([[233, 135], [1062, 45], [1118, 552], [311, 659]], found, photo.shape[1])
    assert layout.fills_photo(found[1].quad, photo.shape[1], photo.shape[0])


def _third_outlines(seed: int, side: str, index: int, condition: str) -> tuple[np.ndarray, list[Any]]:
    """A photo of the third renderer's and the outlines found in it."""
    from idverify.images import decode_image
    from tests.idverify.conftest import third_photo

    _, jpeg = third_photo(seed, side, index, condition)
    photo = decode_image(jpeg).pixels
    assert photo is not None
    return photo, layout.locate_cards(photo)


def _assert_first_is(card: list[list[int]], found: list[Any], width: int) -> None:
    """The first outline is the card's (corners read off the photo, within 2 % of its width)."""
    assert np.abs(found[0].quad - np.array(card)).max() < 0.02 * width and not found[0].cut_off


def test_a_rectangle_darker_than_what_lies_around_it_is_no_pale_card() -> None:
    """A portrait's frame has four straight sides too; a card is paler than the page around it."""
    grey = np.full((400, 640), 200, np.uint8)
    quad = np.array([[200.0, 100.0], [440.0, 100.0], [440.0, 250.0], [200.0, 250.0]])
    grey[100:250, 200:440] = 90  # a portrait on the card
    assert not layout._pale_inside(quad, grey)
    grey[100:250, 200:440] = 235  # a card on a page in its shadow
    assert layout._pale_inside(quad, grey)


def test_a_side_is_drawn_along_where_its_segments_run_and_only_there() -> None:
    """Segments along a side count once where they overlap; a line off the side counts nothing."""
    a, b = np.array([0.0, 0.0]), np.array([100.0, 0.0])
    segments = [
        np.array([0.0, 0.0, 30.0, 0.0]),
        np.array([20.0, 1.0, 50.0, 1.0]),
        np.array([80.0, 0.0, 120.0, 0.0]),
    ]
    on_side = layout._Line(np.array([50.0, 0.0]), np.array([1.0, 0.0]), segments, 90.0)
    assert abs(layout._drawn_along(a, b, on_side) - 0.7) < 1e-6
    apart = layout._Line(np.array([50.0, 20.0]), np.array([1.0, 0.0]), segments, 90.0)
    assert layout._drawn_along(a, b, apart) == 0.0


def test_a_white_card_merged_with_the_lit_half_of_a_grey_ground_is_outlined_by_colour() -> None:
    """Held-out seed 9989, the third renderer's back #63 (low resolution): a white card on a grey
    gradient, outlined only with the lit half of the photo, running into the frame; its title had
    been read into the authority. Told apart from the ground by colour, the card lying wholly
    inside goes first."""
    photo, found = _third_outlines(9989, "back", 63, "low_res")
    _assert_first_is([[172, 351], [620, 342], [629, 634], [172, 634]], found, photo.shape[1])
    assert any(location.cut_off for location in found[1:])  # the merged outline is still tried


def test_card_length_is_the_longer_pair_of_sides_averaged() -> None:
    """A card at a slant shows its near side longer than its far one; its length is their mean,
    whichever pair of sides runs along the card and however the quad is turned."""
    slanted = np.array([[100, 100], [500, 120], [480, 360], [120, 340]], np.float64)
    top, bottom = np.hypot(400, 20), np.hypot(360, 20)
    assert layout.card_length(slanted) == pytest.approx((top + bottom) / 2)
    upright = np.array([[100, 100], [300, 100], [300, 420], [100, 420]], np.float64)  # turned 90°
    assert layout.card_length(upright) == pytest.approx(320)
