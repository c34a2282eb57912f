"""ID-card reading on the real PP-OCR models over generated (fictional) cards."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from idverify import cardtext, idcard
from idverify.cardtext import CardLine
from idverify.idcard import precheck, read_card
from idverify.idnumber import check_digit
from idverify.images import encode_jpeg
from idverify.types import FieldValue, Side
from scripts.gen_idcards_crossed import first_card_third_camera
from tests.idverify.conftest import third_photo

TODAY = dt.date(2026, 11, 24)
pytestmark = pytest.mark.slow


def _sample(gen: ModuleType, kind: str, side: str, seed: int = 3, faults: tuple[str, ...] = ()) -> object:
    return gen.generate(1, seed=seed, sides=(side,), degradations=(kind,), faults=faults)[0]


@pytest.mark.parametrize(
    ("kind", "side", "rotation"),
    [
        ("clean", "front", 0),
        ("perspective", "front", 0),
        ("rotate90", "front", 90),
        ("rotate180", "back", 180),
        ("rotate270", "back", 270),
        ("noise", "back", 0),
        ("blur", "front", 0),
        ("shadow", "front", 0),
    ],
)
def test_reads_every_field(gen: ModuleType, kind: str, side: str, rotation: int) -> None:
    sample = _sample(gen, kind, side)
    result = read_card(sample.jpeg, side, today=TODAY)
    assert result.ok, result.reasons
    assert {k: v.text for k, v in result.fields.items()} == sample.truth
    assert result.rotation == rotation
    assert all(0.5 <= v.confidence <= 1.0 for v in result.fields.values())


def test_front_returns_portrait_and_checks(gen: ModuleType) -> None:
    sample = _sample(gen, "clean", "front", seed=5)
    result = read_card(
        sample.jpeg,
        "front",
        today=TODAY,
        declared_name=sample.person.name,
        declared_id_number=sample.person.number,
    )
    assert result.ok
    assert result.portrait is not None and result.portrait.shape[2] == 3
    assert {c.code for c in result.checks} >= {"id_number_checksum", "birth_date_mismatch", "name_mismatch"}
    assert "portrait" not in result.to_dict()


@pytest.mark.parametrize(
    ("fault", "side", "reason"),
    [
        ("checksum", "front", "id_number_checksum"),
        ("birth_mismatch", "front", "birth_date_mismatch"),
        ("division", "front", "id_number_division"),
        ("expired", "back", "card_expired"),
    ],
)
def test_faulty_cards_fail_with_reason(gen: ModuleType, fault: str, side: str, reason: str) -> None:
    sample = _sample(gen, "clean", side, seed=7, faults=(fault,))
    result = read_card(sample.jpeg, side, today=TODAY)
    assert not result.ok and reason in result.reasons


def test_declared_name_mismatch(gen: ModuleType) -> None:
    sample = _sample(gen, "clean", "front", seed=8)
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name="欧阳无名")
    assert result.reasons == ("name_mismatch",)


def test_wrong_side(gen: ModuleType) -> None:
    sample = _sample(gen, "clean", "back", seed=9)
    result = read_card(sample.jpeg, "front", today=TODAY)
    assert result.reasons == ("wrong_side",) and result.detected_side == "back"


def test_face_photo_is_not_an_id_card(face_bytes: dict[str, bytes]) -> None:
    result = read_card(face_bytes["obama"], "front", today=TODAY)
    assert not result.ok and result.reasons[0] in ("card_not_found", "not_id_card")


def test_blank_paper_is_not_an_id_card() -> None:
    paper = np.full((600, 900, 3), 60, np.uint8)
    paper[100:500, 150:750] = 235
    assert read_card(encode_jpeg(paper), "back", today=TODAY).reasons == ("not_id_card",)


def test_corrupt_upload_gives_reason() -> None:
    assert read_card(b"\xff\xd8\xff\xe0garbage", "front").reasons == ("image_corrupt",)


@pytest.mark.parametrize(
    ("kind", "warning"),
    [
        ("blur", "quality_blur"),
        ("glare", "quality_glare"),
        ("lowlight", "quality_dark"),
        ("bw", "quality_monochrome"),
        ("screen", "quality_screen"),
    ],
)
def test_quality_warnings(gen: ModuleType, kind: str, warning: str) -> None:
    result = read_card(_sample(gen, kind, "front", seed=11).jpeg, "front", today=TODAY)
    assert warning in {w.code for w in result.warnings}
    found = next(w for w in result.warnings if w.code == warning)
    assert found.value != found.limit


@pytest.mark.parametrize("index", [1, 2])
def test_a_blurred_card_is_not_told_it_is_a_screen(index: int) -> None:
    """Blur leaves the print's strokes standing out of the spectrum as a broad ridge, not a screen's
    spike (alt renderer seed 4242: 7 of 12 blurred fronts had been told 不要翻拍屏幕)."""
    from scripts import gen_idcards_alt as alt

    result = read_card(alt.sample(4242, "front", index, "blur").jpeg, "front", today=TODAY)
    assert "quality_screen" not in {w.code for w in result.warnings}, result.warnings


def test_a_card_whose_print_the_frame_cuts_is_told_so(gen: ModuleType) -> None:
    """The frame cuts through the number: the person is told to bring the whole card in."""
    from scripts.bench_idverify import cut_through

    clean = gen.generate(1, seed=7013, sides=("front",), degradations=("clean",))[0].jpeg
    result = read_card(cut_through(clean, "right", 0.25), "front", today=TODAY)
    assert "quality_cut_off" in {w.code for w in result.warnings}, result.warnings


@pytest.mark.parametrize("seed", [9941, 10017])
def test_a_card_placed_by_its_labels_is_judged_cut_on_the_outline_the_precheck_judges(seed: int) -> None:
    """Held-out seeds 9941 and 10017, the third renderer's front #74: a card on a form, a thumb over
    its corner, read whole where its labels place it; that placement stretches past the frame, and
    the card was told 证件不完整 though the upload pre-check had accepted the photo. Both now judge
    the same outline (at 10017 none is found: both judge the card placed by its print)."""
    person, jpeg = third_photo(seed, "front", 74, "thumb")
    assert precheck(jpeg, "front").ok
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert "quality_cut_off" not in {w.code for w in result.warnings}


def test_a_card_outlined_with_the_desk_past_a_thumb_keeps_its_address_last_line() -> None:
    """Held-out seed 10001, the third renderer's front #57: a thumb over the card's corner joined its
    outline to the desk's. The view from there was sheared, 公民身份号码 read as 号码 at its left edge,
    and the address's last line (108号), starting in the label column, was dropped without a sign.
    A label cut at the edge now sends the reader on to the card found by its print."""
    person, jpeg = third_photo(10001, "front", 57, "thumb")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_card_filling_half_a_portrait_photo_of_a_form_is_found_from_its_upright_face() -> None:
    """Held-out seed 10043, the third renderer's front #81 (jpeg): the card fills half a portrait
    photo of a form, outlined only in part; the form's print was read as the card and every field
    was lost. Nine face heights each way from its portrait keep the whole photo, so the card is
    sought again left of and below the upright face, where it lies."""
    person, jpeg = third_photo(10043, "front", 81, "jpeg")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize("margin", [0.0, 0.03])
def test_a_whole_card_cropped_tight_on_a_pale_ground_is_not_told_it_is_cut(
    gen: ModuleType, margin: float
) -> None:
    """An app's guide frame crops tight: the card merges with a pale ground and is outlined as the
    whole photo, its outline on every side of the frame. Its print lies whole inside, so it is not
    cut off (held-out seed 9901: 19 of the alt renderer's 100 fronts, each read whole, were told
    证件不完整; the pre-check accepted them all)."""
    rng = np.random.default_rng(9)
    person = gen.make_identity(rng, ())
    card = gen.render_front(person, gen.portraits()[0], rng)
    h, w = card.shape[:2]
    pad_y, pad_x = round(margin * h), round(margin * w)
    photo = np.full((h + 2 * pad_y, w + 2 * pad_x, 3), 244, np.uint8)
    photo[pad_y : pad_y + h, pad_x : pad_x + w] = card
    result = read_card(gen.to_jpeg(photo, 90), "front", today=TODAY, declared_name=person.name)
    assert result.text("id_number") == person.number and not result.reasons, result.reasons
    assert "quality_cut_off" not in {w.code for w in result.warnings}, result.warnings


def test_clean_card_has_no_warnings(gen: ModuleType) -> None:
    result = read_card(_sample(gen, "clean", "front", seed=12).jpeg, "front", today=TODAY)
    assert result.warnings == ()


def test_birth_date_whose_faded_end_the_detector_missed_is_read_again(gen: ModuleType) -> None:
    """The line's box stopped at 月 (glare over 5日): the line is read again, widened to the right."""
    page = Image.new("RGB", (856, 540), (236, 236, 232))
    draw = ImageDraw.Draw(page)
    draw.text((160, 180), "1953年11月", font=gen.font(30), fill=(30, 30, 30))
    faded_x = 160 + draw.textlength("1953年11月", font=gen.font(30)) + 6
    draw.text((faded_x, 180), "5日", font=gen.font(30), fill=(200, 200, 196))
    card = np.asarray(page)
    cut = CardLine("1953年11月", 0.97, (156.0, 176.0, 340.0, 220.0))
    found = idcard._reread_birth(card, [cut], FieldValue("birth_date", "", 0.0), "")
    assert found.text == "1953年11月5日"


@pytest.mark.parametrize(("born", "sure"), [("19531105", True), ("19531115", False), ("", True)])
def test_a_faded_birth_date_read_again_that_is_not_the_numbers_proves_nothing(
    gen: ModuleType, born: str, sure: bool
) -> None:
    """scripts/gen_idcards.py seed 9691 #46: glare took the 1 of 15日, the line read again gave a
    whole 1984年4月1日, and the genuine person failed (birth_date_mismatch). A date read again from
    faded print is kept in doubt (no confidence, so a check failing on it asks for review) unless it
    is the number's; with no valid number there is nothing to doubt it by."""
    page = Image.new("RGB", (856, 540), (236, 236, 232))
    draw = ImageDraw.Draw(page)
    draw.text((160, 180), "1953年11月", font=gen.font(30), fill=(30, 30, 30))
    faded_x = 160 + draw.textlength("1953年11月", font=gen.font(30)) + 6
    draw.text((faded_x, 180), "5日", font=gen.font(30), fill=(200, 200, 196))
    cut = CardLine("1953年11月", 0.97, (156.0, 176.0, 340.0, 220.0))
    number = f"430102{born}001" + check_digit(f"430102{born}001") if born else ""
    found = idcard._reread_birth(np.asarray(page), [cut], FieldValue("birth_date", "", 0.0), number)
    assert found.text == "1953年11月5日"
    assert (found.confidence >= idcard.DEFAULT_CONFIG.min_confidence) is sure


@pytest.mark.parametrize(("born", "text"), [("19741218", "1974年12月18日"), ("19741219", "")])
def test_a_birth_date_whose_day_mark_was_lost_counts_only_as_the_numbers(
    gen: ModuleType, born: str, text: str
) -> None:
    """Glare over 日 alone (scripts/gen_idcards.py seed 7919, #76, #106): year, month and day were
    all read. The date is the number's when they are its, and stays unreadable otherwise (a 日
    misread as a digit must not fail a person for a birth date that differs from the number)."""
    page = Image.new("RGB", (856, 540), (236, 236, 232))
    ImageDraw.Draw(page).text((160, 180), "1974年12月18", font=gen.font(30), fill=(30, 30, 30))
    line = CardLine("1974年12月18", 0.97, (156.0, 176.0, 380.0, 220.0))
    first17 = f"430102{born}001"
    number = first17 + check_digit(first17)
    found = idcard._reread_birth(np.asarray(page), [line], FieldValue("birth_date", "", 0.0), number)
    assert found.text == text


def test_validity_whose_end_the_detector_missed_is_read_again(gen: ModuleType) -> None:
    """The line's box stopped before the last 28 (a turned card): the line is read again, widened."""
    page = Image.new("RGB", (856, 540), (236, 236, 232))
    draw = ImageDraw.Draw(page)
    draw.text((300, 420), "2017.09.28-2037.09.28", font=gen.font(30), fill=(30, 30, 30))
    cut_x = 300 + draw.textlength("2017.09.28-2037.09.", font=gen.font(30))
    card = np.asarray(page)
    cut = CardLine("2017.09.28-2037.09.", 0.97, (296.0, 416.0, cut_x, 458.0))
    start, end = FieldValue("valid_from", "2017.09.28", 0.97), FieldValue("valid_until", "", 0.0)
    found = idcard._reread_validity(card, [cut], start, end)
    assert (found["valid_from"].text, found["valid_until"].text) == ("2017.09.28", "2037.09.28")
    assert idcard._reread_validity(card, [cut], start, FieldValue("valid_until", "2037.09.28", 0.9)) == {}


def test_glare_over_the_address_flags_it(gen: ModuleType) -> None:
    """A highlight that wipes out the middle of the address's first line: no reader can read it."""
    rng = np.random.default_rng(11)
    person = gen.make_identity(rng, ())
    card = gen.render_front(person, gen.portraits()[0], rng).astype(np.float32)
    ys, xs = np.mgrid[0 : card.shape[0], 0 : card.shape[1]]
    blob = np.exp(-(((xs - 300) / 45.0) ** 2 + ((ys - 248) / 22.0) ** 2))
    glared = np.clip(card + blob[..., None] * 400, 0, 255).astype(np.uint8)
    photo = gen.degrade(glared, "clean", rng)
    result = read_card(gen.to_jpeg(photo, 90), "front", today=TODAY, declared_name=person.name)
    assert "address_uncertain" in result.field_warnings
    assert result.ok  # a warning, never a failure


@pytest.mark.parametrize("slant", [-10.0, 4.0, 9.0, 12.0])
def test_a_tilted_card_without_an_outline_is_read_level(gen: ModuleType, slant: float) -> None:
    """A card whose edges are not found is read from the whole photo as it lies; at a slant, the
    upright boxes of its address lines overlapped and the last line was read before the second."""
    rng = np.random.default_rng(5)
    person = gen.make_identity(rng, ())
    card = gen.render_front(person, gen.portraits()[0], rng)
    h, w = card.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), slant, 1.0)
    tilted = cv2.warpAffine(card, matrix, (w, h), borderMode=cv2.BORDER_REPLICATE)  # no edge to find
    result = read_card(gen.to_jpeg(tilted, 90), "front", today=TODAY, declared_name=person.name)
    assert len(person.address) > 16  # two lines at least
    assert (result.text("address"), result.text("name")) == (person.address, person.name)
    assert result.ok, result.reasons


@pytest.mark.parametrize(
    ("text", "shaped"),
    [("覃梓", True), ("欧阳娜娜", True), ("买买提·艾力", True), ("覃梓本人到场", False), ("梓", False),
     ("·艾力", False), ("", False), ("出住", False), ("王民", True)],
)  # fmt: skip
def test_a_reading_without_a_names_shape_is_doubtful(text: str, shaped: bool) -> None:
    """Print from a page under the card read into the name asks for review, never fails the person."""
    assert idcard._name_shaped(text) is shaped


@pytest.mark.parametrize(
    ("text", "overrun"),
    [("普米设工程施工", True), ("汉复印件", True), ("民族蒙古有关", True), ("普米", False), ("土冢", False),
     ("土家", False), ("汉族", False), ("维吾尔", False), ("", False), ("设工程", False)],
)  # fmt: skip
def test_a_nation_with_print_read_on_after_it_is_overrun(text: str, overrun: bool) -> None:
    """A listed nation followed by more print is a page's line read on; a misread name is not."""
    assert idcard._overrun_nation(text) is overrun


def test_a_card_on_a_page_whose_nation_ran_on_into_the_page_is_read_again_by_its_labels() -> None:
    """Held-out seed 9961, the third renderer's front #2: a card turned a quarter on a form, outlined
    as the whole photo. The form's lines were read on after the nation (普米设工程施工) and into the
    address with a well-shaped name; placed by its labels, the card reads whole."""
    person, jpeg = third_photo(9961, "front", 2, "rotate_90")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_pale_card_tilted_on_a_form_is_read_within_its_straight_edges() -> None:
    """Held-out seed 9931, the third renderer's front #22: read as the whole photo, the form's lines
    joined the card's rows; its sex was lost, its address read from 长路 (review). Bounded by its
    straight edges, the card reads whole, and the pre-check accepts it."""
    person, jpeg = third_photo(9931, "front", 22, "tilt")
    assert precheck(jpeg, "front").ok
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_white_card_on_an_uneven_grey_ground_is_read_without_its_title_in_the_authority() -> None:
    """Held-out seed 9989, the third renderer's back #63: outlined with the lit half of the photo, its
    title and validity had been read into the authority (中华人民份张家界市公安局永定分长期)."""
    person, jpeg = third_photo(9989, "back", 63, "low_res")
    result = read_card(jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in person.back_truth()} == person.back_truth()
    assert result.ok, (result.reasons, result.review_reasons)
    assert not result.field_warnings


def _page_of_print(gen: ModuleType, width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A sheet of small Chinese print (a form the card was laid on), edge to edge."""
    page = Image.new("RGB", (width, height), (246, 245, 242))
    draw = ImageDraw.Draw(page)
    words = "申请材料进行审核请申请人按照要求提供真实有效的身份证明文件复印件办理业务时须本人到场"
    for y in range(-4, height, 24):
        start = int(rng.integers(len(words)))
        line = (words * 6)[start : start + width // 12]
        draw.text((-int(rng.integers(0, 12)), y), line, font=gen.font(17), fill=(110, 110, 110))
    return np.asarray(page)


def test_a_card_on_a_printed_page_is_found_and_read_without_the_page(gen: ModuleType) -> None:
    """Brightness, edges and colour cannot tell a pale card from the page of print it lies on; its
    calm against the page's busy print can. The page's lines beside the card were read into the
    authority, and the card was taken as cut off (the whole page) at the upload pre-check."""
    rng = np.random.default_rng(8)
    person = gen.make_identity(rng, ())
    card = gen.render_back(person, rng)
    h, w = card.shape[:2]
    photo = _page_of_print(gen, int(w * 1.5), int(h * 1.6), rng).copy()
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 4.0, 1.0)
    matrix[:, 2] += (int(w * 0.25), int(h * 0.3))
    mask = cv2.warpAffine(np.full((h, w), 255, np.uint8), matrix, photo.shape[1::-1])
    placed = cv2.warpAffine(card, matrix, photo.shape[1::-1])
    photo[mask > 127] = placed[mask > 127]
    jpeg = gen.to_jpeg(photo, 90)
    assert idcard.precheck(jpeg, "back").ok
    result = read_card(jpeg, "back", today=TODAY)
    assert result.text("authority") == person.authority
    assert result.ok, result.reasons


def test_a_card_washed_out_on_white_paper_is_read_from_its_print() -> None:
    """Overexposed on white (the third renderer's seed-4242 card #33), the card's edge is gone and
    the bright ground is taken whole as the card: read squashed, its labels had been read as the
    name (出住) and the person failed. The card found by its print reads better, and is kept."""
    person, jpeg = third_photo(4242, "front", 33, "overexposed")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert (result.text("name"), result.text("id_number")) == (person.name, person.id_number)
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("index", "condition"),
    [
        (26, "shadow"),  # a shadow across a card filling the photo: its lit part is an outline too
        (7, "phone"),  # a card on a form, its own print biting into its calm: the form was read
    ],
)
def test_held_out_third_renderer_fronts_read_whole(index: int, condition: str) -> None:
    """Two fronts of the third renderer's seed-2026 set, held out until session 6.

    #26: the outline of the lit part runs off the photo and read well (labels), but lost the
    name, the birth date and half the address to the shadow; an outline running off the photo now
    ends the search only when every field was found on it, and the whole photo read them all.
    #7: the card was not found on the form under it; the form was read as the card and its print
    came into the address (…高林村1文件复印件办理业务时须本人到3组) with no warning.
    """
    person, jpeg = third_photo(2026, "front", index, condition)
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("side", "index", "condition"),
    [
        ("front", 40, "thumb"),  # a box grown across the portrait: the address's first line read twice
        ("front", 58, "phone"),  # the card's bright region joined to the page's: no outline was found
        ("back", 23, "thumb"),  # a thumb over a corner: the outline cut the validity line off
        ("back", 58, "phone"),  # a piece of the card showed it, without its validity line
    ],
)
def test_held_out_third_renderer_seed_9191_cards_read_whole(side: str, index: int, condition: str) -> None:
    """Cards of the third renderer's seed-9191 set, held out until session 7.

    front #40 had passed with ``湖南省郴州市桂东县青岭镇市桂东县青岭镇实有青大村6组``: form print beyond
    the portrait had grown into a box reaching back over the address. The others lost fields to
    review: a view that shows the card but lacks a field no longer ends the search while other
    outlines (or the card found by its print) remain.
    """
    person, jpeg = third_photo(9191, side, index, condition)
    result = read_card(jpeg, side, today=TODAY, declared_name=person.name)
    truth = person.front_truth() if side == "front" else person.back_truth()
    assert {k: result.text(k) for k in truth} == truth
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("index", "condition"),
    [
        (40, "thumb"),  # the card's calm joined to the finger's: form print read as the name (failed)
        (49, "sleeve"),  # the same with the page's margin: every field but the number lost
        (8, "glare"),
    ],
)
def test_held_out_third_renderer_seed_2718_fronts_on_a_page_read_whole(index: int, condition: str) -> None:
    """Fronts on a printed page from the third renderer's seed-2718 set, held out until session 7.

    #40 failed a genuine person as ``name_mismatch``: the card was found only by its print, among
    the form's, and a line of the form (目名和) was read as the name's row. The card's calm region
    was joined to the finger's; opened apart, the card's outline is found.
    """
    person, jpeg = third_photo(2718, "front", index, condition)
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize("index", [146, 95])
def test_held_out_third_renderer_seed_4096_defocused_fronts_read_whole(index: int) -> None:
    """Defocused fronts of the third renderer's seed-4096 set, held out until session 7.

    #146: 姓名 not read and its box starting at the label's place, the name lost two characters
    (云, review); 民族 read as 民 alone and the nation lost its first (尔克改). #95: 民族 read as 批牌
    and the nation kept it (批牌汉, warned).
    """
    person, jpeg = third_photo(4096, "front", index, "defocus")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    for key in ("name", "nation", "id_number"):
        assert result.text(key) == person.front_truth()[key]
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("side", "index", "condition"),
    [
        ("front", 11, "motion"),  # on a page: its print left of the card moved the label column
        ("front", 78, "defocus"),  # every label lost: the name was taken from the address's last line
        ("front", 72, "rotate_270"),  # a ghost of the packed recognition before the name (郎慕容金思)
        ("back", 78, "defocus"),  # 有效期 read without 限: the label took the date's first digit
    ],
)
def test_held_out_third_renderer_seed_3141_cards(side: str, index: int, condition: str) -> None:
    """Cards of the third renderer's seed-3141 set, held out until session 8.

    front #11 (warned) read its address as 佳社广东省河源市连平县田铁公民9份号码; #78 (review) lost
    every field but the number; #72 (review) read its name 郎慕容金思, a character decoded in the
    padding between two packed crops, absent when the crop is read alone; back #78 (review) read
    2029.02.17 as the start of the validity. The defocused front's 桃源 is still read 杭源 (warned).
    """
    person, jpeg = third_photo(3141, side, index, condition)
    result = read_card(jpeg, side, today=TODAY, declared_name=person.name)
    truth = person.front_truth() if side == "front" else person.back_truth()
    exact = {k: v for k, v in truth.items() if not (side == "front" and index == 78 and k == "address")}
    assert {k: result.text(k) for k in exact} == exact
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_pale_card_on_a_page_its_calm_joined_to_the_margin_is_found() -> None:
    """scripts/gen_idcards.py's card (a plain pale ground) on the third renderer's printed page,
    a thumb on it: its calm joined the page's margin by a strip and its portrait bit into it, so no
    outline was found; the page read whole passed for a back (居民身份证原件…), and the genuine
    front failed as the wrong side. Opened apart, the card's calm is an island."""
    person, _, jpeg = first_card_third_camera(2, 23, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    truth = person.front_truth()
    assert {k: result.text(k) for k in truth} == truth
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_small_card_on_a_page_printed_larger_is_read_around_its_portrait() -> None:
    """Held-out seed 9201, crossed front #18: a small card (9 % of a portrait photo) on a form
    printed larger than the card's own print; no outline or calm island finds it (at the locator's
    scale its print is as busy as the form), and the form's 38 lines were read: the genuine card
    failed as 上传的不是居民身份证 (not_id_card). Read again around its portrait's face, it is found:
    nothing fails (its sex and nation, single characters 8 px high, may be lost: review)."""
    person, condition, jpeg = first_card_third_camera(9201, 18, "front")
    assert condition == "perspective_clutter"
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.reasons == ()
    assert (result.text("name"), result.text("id_number")) == (person.name, person.number)


def test_a_small_card_on_a_page_about_id_cards_is_read_around_its_portrait() -> None:
    """Held-out seed 10011, crossed front #18: a small card on a form whose print speaks of
    居民身份证, enough like a front's to be taken for one; every field was lost (review). A front
    missing most fields is read again around its portrait: every field reads."""
    person, condition, jpeg = first_card_third_camera(10011, 18, "front")
    assert condition == "perspective_clutter"
    truth = person.front_truth()
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in truth} == truth
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_address_read_wrong_under_defocus_is_flagged() -> None:
    """Held-out crossed seed 9771 front #78: a defocused 8 read 6 at 0.67 (849室 as 649室), the
    address passed unflagged under the 0.6 warning limit; it now asks the person to check it."""
    person, condition, jpeg = first_card_third_camera(9771, 78, "front")
    assert condition == "defocus"
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.ok
    assert result.text("address") == person.address or "address_uncertain" in result.field_warnings


@pytest.mark.parametrize(
    ("packed", "alone", "kept"),
    [
        (("1153攀元", (1.0, 1.0, 0.47, 1.0, 0.71, 1.0)), ("11栋3单元", (1.0, 1.0, 0.94, 1.0, 0.47, 1.0)),
         ("11栋3攀元", (1.0, 1.0, 0.94, 1.0, 0.71, 1.0))),  # each character from the surer reading
        (("解放西路", (1.0, 0.8, 1.0, 1.0)), ("解旗西路", (1.0, 0.6, 1.0, 1.0)),
         ("解放西路", (1.0, 0.8, 1.0, 1.0))),  # the packed reading surer: kept
    ],
)  # fmt: skip
def test_two_readings_of_an_address_line_keep_the_surer_of_each_character(
    packed: tuple[str, tuple[float, ...]],
    alone: tuple[str, tuple[float, ...]],
    kept: tuple[str, tuple[float, ...]],
) -> None:
    """Held-out crossed seed 10021 front #10 (defocused): packed and alone, the recogniser was sure
    of different characters; each position keeps the surer one, and what doubt is left stays."""
    box = (160.0, 276.0, 390.0, 319.0)
    surer = idcard._surer_chars(
        CardLine(packed[0], 0.8, box, packed[1]), CardLine(alone[0], 0.8, box, alone[1])
    )
    assert (surer.text, surer.char_scores, surer.box) == (*kept, box)


def test_an_address_line_read_unsurely_is_read_again_alone() -> None:
    """The same photo read whole: its 栋 comes back from the reading alone, and the 单 neither reading
    was sure of keeps the address flagged for the person to check."""
    person, condition, jpeg = first_card_third_camera(10021, 10, "front")
    assert condition == "defocus"
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert "175号11栋3" in result.text("address") and "address_uncertain" in result.field_warnings
    assert result.ok


def test_an_address_read_wrong_under_motion_blur_is_flagged() -> None:
    """Held-out third seed 10023 front #62: a motion-blurred 白 read 自 at 0.73 (中白镇 as 中自镇),
    the address at 0.704 passed unflagged under the 0.7 warning limit; it now asks the person to
    check it."""
    person, jpeg = third_photo(10023, "front", 62, "motion")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.ok
    assert result.text("address") == person.address or "address_uncertain" in result.field_warnings


def test_a_small_back_on_a_page_is_read_again_where_its_title_puts_it() -> None:
    """The third renderer's seed-9611 back #123: a fifth of a portrait photo of a form, a thumb over
    a corner; no outline in the whole photo, and read where the page's print is, its validity
    line was lost (validity_unreadable: review). Around its title the card is found and read."""
    person, jpeg = third_photo(9611, "back", 23, "thumb")
    result = read_card(jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in person.back_truth()} == person.back_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_back_whose_title_box_took_in_the_emblem_is_placed_by_the_titles_own_print() -> None:
    """Held-out crossed seed 10001 back #32: the first renderer's card in a sleeve on a page, no
    outline but the whole photo's. Its title's box took in the emblem beside it (the characters from
    0.41 of the box on), the card placed around that box was as large as the page, and the back,
    read at the page's scale, lost every field (review). Its title's characters place it."""
    person, condition, jpeg = first_card_third_camera(10001, 32, "back")
    assert condition == "sleeve"
    result = read_card(jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in person.back_truth()} == person.back_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_the_portraits_corner_beside_the_name_does_not_fail_the_person() -> None:
    """Crossed seed-9611 front #97 (the third renderer's card, the first's camera): the portrait,
    printed further left than GB 14965 puts it, had its corner read 日 on the name's row, and the
    genuine person failed as 肖云杰日 (name_mismatch)."""
    from scripts.gen_idcards_crossed import third_card_first_camera

    person, _, jpeg = third_card_first_camera(9611, 97, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("name") == person.name
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_lone_box_of_the_portraits_edge_is_not_read_into_the_address() -> None:
    """Held-out crossed seed 10039 front #1 (the third renderer's card, the first's camera, a clean
    perspective): one box of the portrait's edge, starting just left of where GB 14965 puts it,
    read 1 at 0.31 and joined to the address's first line (莲白1镇, flagged)."""
    from scripts.gen_idcards_crossed import third_card_first_camera

    person, _, jpeg = third_card_first_camera(10039, 1, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("address") == person.address
    assert result.ok and not result.field_warnings, result.field_warnings


def test_a_digit_on_the_row_above_a_tilted_number_takes_nothing_from_it() -> None:
    """The third renderer's seed-9631 front #73, tilted: its number row overlaps the row above, and a
    digit read twice was once dropped across rows too: a 0 above took a 0 out of the number
    (43203195210296886, review). Digits read twice are dropped only within a row."""
    person, jpeg = third_photo(9631, "front", 73, "tilt")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("id_number") == person.id_number
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_page_of_print_with_no_card_is_no_card_found() -> None:
    """Where only a page's print is read (more lines than a card prints), the person is asked to put
    the card in the frame (card_not_found), not told it is no ID card: the card may be on the page,
    too small to find."""
    from scripts.gen_idcards_alt import available_faces

    face = available_faces()["sans"][0]
    font = ImageFont.truetype(face.path, 26, index=face.index)
    page = Image.new("RGB", (900, 1300), (236, 236, 232))
    draw = ImageDraw.Draw(page)
    text = "申请人按照要求提供真实有效的身份证明文件复印件办理业务时须本人到场并出示居民身份证原件"
    for row in range(30):
        draw.text((20, 20 + 42 * row), text[row % 7 :][:32], fill=(40, 40, 40), font=font)
    result = read_card(encode_jpeg(np.asarray(page)), "front", today=TODAY)
    assert result.reasons == ("card_not_found",)


def test_a_small_card_on_a_page_is_found_as_an_island() -> None:
    """The third renderer's seed-6283 back #18, held out until session 8: a card across half a
    portrait photo of a printed page; its calm island, bitten by the emblem, covered 7 % of the
    photo, under the 8 % asked of a region, and the genuine back failed (wrong side, then not an
    ID card)."""
    person, jpeg = third_photo(6283, "back", 18, "perspective_clutter")
    result = read_card(jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in person.back_truth()} == person.back_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_upside_down_card_whose_digit_fragments_join_is_turned() -> None:
    """scripts/gen_idcards_alt.py seed 2468 front #95, held out until session 9: a pale card turned
    270 degrees on a pale ground, found by its print and rectified upside down. Read so, its digit
    fragments on lines one above another, joined, had made 17 digits: a front convincing enough that
    the card was never turned, and every field was lost (review)."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(2468, "front", 95, "rotate270")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_number_read_upside_down_without_a_label_does_not_keep_the_card_so() -> None:
    """scripts/gen_idcards_alt.py seed 8131 front #82, held out until session 12: a clean card
    turned 270 degrees, rectified upside down. Read so, its number gave 15 digits (433000000000036,
    the 0s turned) and its other lines little, scored 0.3-0.4 each (not garbled by count), and the
    front was convincing on the number alone: the card was never turned, every field was lost
    (review). No label or title was read: a digit run alone does not tell which way up."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(8131, "front", 82, "rotate270")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert result.ok and result.rotation == 270, (result.reasons, result.review_reasons)


def test_an_address_line_the_detector_misses_at_one_scale_is_found_at_another() -> None:
    """scripts/gen_idcards_alt.py held-out seed 10047 front #17: a clean card turned 270 degrees,
    read from the whole photo. At the detector's usual scale nothing between the address's first
    line and the number was boxed, and the address ended 通道侗族自 (flagged); a second detection
    at another scale boxes its last two lines, read surely."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(10047, "front", 17, "rotate270")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert result.ok and not result.field_warnings, (result.reasons, result.field_warnings)


def test_a_shadow_edge_read_as_the_character_above_it_is_not_address() -> None:
    """The third renderer's seed-2468 front #43, held out until session 9: a shadow's diagonal edge
    between the address's second and third lines was boxed and read 巷 (0.52), the second line's
    first character again: the address read …2单元1巷508室, without a warning."""
    person, jpeg = third_photo(2468, "front", 43, "shadow")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()


def test_an_outline_that_cuts_the_print_off_gives_way_to_another() -> None:
    """The third renderer's seed-2468 front #2, held out until session 9: a card turned 90 degrees
    beside a stick; its first outline took a corner on the stick and cut the card's far end off,
    the number's last digit with it (review: id_number_uncertain). Print reaching the outline's
    edge sends the reader on to the other outlines."""
    person, jpeg = third_photo(2468, "front", 2, "rotate_90")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("seed", "index", "condition"), [(5353, 52, "perspective_clutter"), (2468, 95, "defocus")]
)
def test_an_address_keeps_its_first_character_when_its_label_is_misread(
    seed: int, index: int, condition: str
) -> None:
    """The third renderer's fronts, held out until session 9: 住址 read 住 (址 lost) merged with the
    value, or read 4, and the address's first character went with the label (南省长沙市…, warned)."""
    person, jpeg = third_photo(seed, "front", index, condition)
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("address") == person.address


def test_a_defocused_address_character_read_doubtfully_is_flagged() -> None:
    """The third renderer's seed-5353 front #95, held out until session 9: defocused, its 乡 read 参
    at 0.54; once its 上 was no longer lost with the label, nothing else flagged the address."""
    person, jpeg = third_photo(5353, "front", 95, "defocus")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("address") != person.address  # still misread: the recogniser's first choice
    assert "address_uncertain" in result.field_warnings


def test_a_pale_card_on_a_page_is_read_from_where_its_labels_put_it() -> None:
    """The crossed set's seed-5353 front #70, held out until session 9: scripts/gen_idcards.py's pale
    card on the third renderer's printed page, turned 90 degrees; its calm joined the page's gaps, so
    it was read from the whole page, whose lines ran into its rows: sex and address lost (review).
    Its 姓名 and 公民身份号码 were read, and the layout puts the card around them."""
    person, _, jpeg = first_card_third_camera(5353, 70, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(("seed", "index"), [(8086, 79), (6174, 11)])
def test_a_card_found_by_its_print_is_read_where_its_labels_put_it(seed: int, index: int) -> None:
    """The third renderer's motion-blurred cards on a printed page, held out until session 10, read
    from the print's extent: the page's 有关规定 after the name, 复印件办 after the nation, 开工日集
    inside the address, without a field missing (review: name_uncertain; the address unflagged).
    #79's outline was not seen; its labels (公民身份号码 read 公民身份考码) put the card where it is,
    and that reading is kept when it gives as many fields. #11's outline was passed over (its number
    ran into its edge), and the labels as read on the print's extent placed the card too high; as
    read on the outline, they place it right."""
    person, jpeg = third_photo(seed, "front", index, "motion")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(("index", "condition"), [(4, "rotate_270"), (44, "defocus")])
def test_a_name_keeps_its_first_character_when_its_label_is_read_in_part(index: int, condition: str) -> None:
    """The third renderer's seed-8086 fronts, held out until session 10: 姓名 read as 名 in a box of
    its own on a card rectified askew (the values' column, measured below, lay right of 蔡), and a
    defocused 姓名 read as one character merged with the name (书张洋): 蔡欣燕 read 欣燕, 张洋 read 洋."""
    person, jpeg = third_photo(8086, "front", index, condition)
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("name") == person.name
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize("index", [61, 78])
def test_a_birth_date_with_a_mark_lost_or_misread_agrees_with_the_number(index: int) -> None:
    """The third renderer's seed-8086 defocused fronts, held out until session 10: 1971年5月130 (日
    read 0) and 20222月15日 (年 lost) were no dates (review: birth_date_unreadable); their digits are
    the number's date, in order."""
    person, jpeg = third_photo(8086, "front", index, "defocus")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("birth_date") == person.front_truth()["birth_date"]
    assert "birth_date_unreadable" not in result.review_reasons


def test_a_day_mark_read_as_a_digit_is_picked_by_the_number_among_its_choices() -> None:
    """Held-out third seed 10039 front #95 (defocused): 2021年11月2日 read 2021年11月20, 日 read 0
    with 日 its second choice; no date, and the genuine person went to review (birth_date_unreadable).
    …月20 may be the 20th with 日 lost, so the digits alone cannot tell; the recogniser's choice can."""
    person, jpeg = third_photo(10039, "front", 95, "defocus")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("birth_date") == person.front_truth()["birth_date"] == "2021年11月2日"
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_address_character_read_between_two_choices_is_flagged() -> None:
    """scripts/gen_idcards_alt.py seed 8086 front #12, held out until session 10: 大凤乡's 凤 read as
    風 at 0.57, 凤 its second choice at 0.37: the address 大风乡 had passed without a warning."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(8086, "front", 12, "scale")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert result.text("address") != sample.truth["address"]  # the recogniser's first choice stands
    assert "address_uncertain" in result.field_warnings
    assert result.ok  # a warning asks the person to check; it never fails them


def test_a_genuine_name_misread_where_unsure_asks_for_review() -> None:
    """scripts/gen_idcards_alt.py seed 6174 front #33, held out until session 10: a light serif 丁英琰
    read 丁央项 (央 at 0.95, 项 at 0.68) failed its holder with name_mismatch."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(6174, "front", 33, "shadow")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert result.reasons == ()
    assert result.review_reasons == ("name_uncertain",)


def test_a_name_one_glyph_off_on_the_declared_card_asks_for_review() -> None:
    """Held-out seed 10021, the third renderer's front #6, a clean photo: a sharp bold 凤 read 风 at
    0.98 (凤 not among the recogniser's choices) failed its holder with name_mismatch. The number
    read is the one declared: a name one character off asks for review. Declared with another
    number, or another name, it still fails."""
    person, jpeg = third_photo(10021, "front", 6, "thumb")
    declared = {"declared_name": person.name, "declared_id_number": person.id_number}
    result = read_card(jpeg, "front", today=TODAY, **declared)
    assert (result.text("name"), result.text("id_number")) == ("何文风", person.id_number)
    assert result.reasons == () and result.review_reasons == ("name_uncertain",)
    other = read_card(jpeg, "front", today=TODAY, **{**declared, "declared_name": "何文凤华"})
    assert "name_mismatch" in other.reasons  # a character more: another name
    number = person.id_number[:-4] + "0019"  # another person's number, with a right check digit
    assert "id_number_mismatch" in read_card(jpeg, "front", today=TODAY, declared_name=person.name,
                                             declared_id_number=number).reasons  # fmt: skip


def test_a_name_run_into_a_pages_print_is_read_again_where_the_labels_put_the_card() -> None:
    """The crossed set's seed-6174 front #90, held out until session 10: scripts/gen_idcards.py's card
    tilted on the third renderer's page; its outline ran up the page's column past the card's corner,
    and the page's 提供具实 was read after the name, every field found (review: name_uncertain).
    Placed in the photo by its labels, the card is read without the page."""
    person, _, jpeg = first_card_third_camera(6174, 90, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_card_read_upside_down_as_nothing_is_turned() -> None:
    """scripts/gen_idcards_alt.py seed 9973 front #56, held out until session 10: a pale card turned
    270 degrees, read upright: its number's digits read as a 16-digit run, convincing enough for a
    front, every other field lost (review); five of its thirteen lines read as nothing."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(9973, "front", 56, "rotate270")
    result = read_card(sample.jpeg, "front", today=TODAY, declared_name=sample.truth["name"])
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_card_too_blurred_to_read_is_called_blurred_not_no_id_card() -> None:
    """The third renderer's heavy blur (seed 8102 front #4): the pre-check cannot tell its side
    and lets it through (side_unconfirmed); the reader sees no card's print in it and said
    not_id_card (上传的不是居民身份证), where the person needs to refocus."""
    from tests.idverify.conftest import third_photo

    _, jpeg = third_photo(8102, "front", 4, "heavy_blur")
    result = read_card(jpeg, "front")
    assert result.reasons == ("quality_blur",)


def test_a_back_askew_on_a_page_of_print_is_read() -> None:
    """The third renderer's seed-9681 back #190: a card lying askew on a printed page, its outline not
    seen, is read as the photo lies (the page's many level lines keep it from being levelled). Its
    own lines' upright extents, grown by the slant, had been measured as their height and taken for
    pictures: the authority and validity were dropped and the person told no card was found."""
    person, jpeg = third_photo(9681, "back", 90, "tilt")
    result = read_card(jpeg, "back", today=TODAY)
    assert (result.text("valid_from"), result.text("valid_until")) == (
        person.back_truth()["valid_from"],
        person.back_truth()["valid_until"],
    )
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_digit_read_unsurely_that_fails_a_check_asks_for_review() -> None:
    """Crossed seed-9691 front #78 (the first renderer's card, the third's camera, defocused): the 8 of
    1986 was read 0 at 0.57, its other choices 6, 9 and 8, and the genuine person failed as born in
    1906 against the number's 1986 (birth_date_mismatch). A character read so unsurely is no proof:
    the attempt goes to review, and the field is named."""
    from scripts.gen_idcards_crossed import first_card_third_camera

    person, _, jpeg = first_card_third_camera(9691, 78, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert not result.reasons, result.reasons
    if result.text("birth_date") != "1986年11月10日":
        assert result.needs_review and "birth_date_uncertain" in result.review_reasons


def test_a_birth_digit_read_unsurely_is_picked_by_the_number_among_its_choices() -> None:
    """Held-out crossed seed 10023 front #44 (defocused): the 8 of 1984 read 6 at 0.37, 9 and 8 its
    next choices; the genuine person went to review. The number picks the 8: read right, passed."""
    person, condition, jpeg = first_card_third_camera(10023, 44, "front")
    assert condition == "defocus"
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("birth_date") == person.front_truth()["birth_date"] == "1984年8月6日"
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_birth_date_with_a_digit_more_than_the_numbers_asks_for_review() -> None:
    """Held-out alt seed 9791 front #90: the day's box began over 月 and read its right stroke as 1
    at 0.94, 9月3日 as 9月13日, and the genuine person failed as born on another day than the
    number's (birth_date_mismatch). A digit more or fewer is a slip of the reader, however sure: the
    attempt goes to review. A date printed one day off the number's still fails (test above)."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(9791, "front", 90, "scale")
    result = read_card(sample.jpeg, "front", today=alt.REFERENCE_DATE, declared_name=sample.truth["name"])
    assert not result.reasons, result.reasons
    if result.text("birth_date") != sample.truth["birth_date"]:
        assert result.needs_review and "birth_date_uncertain" in result.review_reasons
    assert not idcard._digit_slipped("1990年1月2日", "1990年1月3日")  # a digit changed, not slipped
    assert idcard._digit_slipped("1990年1月2日", "1990年11月2日")


def test_a_number_cut_by_the_outline_is_read_where_the_labels_put_the_card() -> None:
    """The third renderer's seed-9701 front #69: a card on a printed page, its outline found with the
    lower right corner far inside the card, so the number ran into the view's edge and lost its X
    (review). No other outline gave the fields; the card placed by its labels does, clear of the edges."""
    person, jpeg = third_photo(9701, "front", 69, "perspective_clutter")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("id_number") == person.id_number
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_small_card_on_a_page_is_placed_by_labels_with_the_pages_print_before_them() -> None:
    """The third renderer's seed-9711 front #24: a small card on a printed page, found by its print.
    The page's print was read onto the start of both labels' lines (天公民身份号得, 有姓名), so no
    label placed the card; and the detector's padding, a fifth of so small a card's height, made the
    outline from the labels' box edges run off the photo. The sex was lost (review) and the portrait
    not found. Placed from the labels' middles, past the page's characters, the card reads whole."""
    person, jpeg = third_photo(9711, "front", 24, "phone")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


@pytest.mark.parametrize(
    ("text", "label", "least", "start"),
    [
        ("公民身份号码 4306", idcard._NUMBER_LABEL, 5, 0.0),  # the label where it should be: the box as it is
        ("天公民身份号得 4306", idcard._NUMBER_LABEL, 5, 10.0),  # a page's 天 before it, 码 misread
        ("有姓名", "姓名", 1, 10.0),
        ("有名 韦立", "姓名", 1, 0.0),  # 姓 misread in its place: the box as it is
        ("天有名", "姓名", 1, None),  # after a page's character a short label must be whole
        ("住址 湖南省", "姓名", 1, None),
    ],
)
def test_a_label_is_found_after_a_pages_characters_and_its_box_starts_there(
    text: str, label: str, least: int, start: float | None
) -> None:
    line = CardLine(text, 0.9, (0.0, 0.0, 10.0 * len(text), 30.0))
    found = idcard._from_label(line, label, least)
    assert (found.box[0] if found is not None else None) == (start if start is None else pytest.approx(start))
    if found is not None:
        assert found.box[1:] == line.box[1:] and found.text == text


@pytest.mark.parametrize(("index", "condition"), [(28, "motion"), (53, "defocus")])
def test_a_name_read_unsurely_is_read_again_on_its_own_and_kept_where_that_is_sure(
    index: int, condition: str
) -> None:
    """The third renderer's seed-9711 blurred fronts: read packed beside the card's other lines, 黄清思
    read 黄清恩 (思 at 0.57) and 邓馨淑 read 邓馨液 (淑 at 0.71): review, name_uncertain. Each read
    alone reads right, sure of the character the readings differ in (0.94, 0.99)."""
    person, jpeg = third_photo(9711, "front", index, condition)
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("name") == person.name
    assert result.ok, (result.reasons, result.review_reasons)


def test_two_readings_of_a_name_that_differ_never_fail_a_person() -> None:
    """The name read again on its own differs from the first reading (黄清恩 packed, 思 at 0.57;
    黄清思 alone, at 0.94): whichever is kept, a mismatch with the declared name where they differ is
    no proof (review). (Front #11 of this set, 皇南远 packed and 皇甫远 alone, was this test's photo
    until its card was outlined by colour: read on that outline, its name reads one way.)"""
    person, jpeg = third_photo(9711, "front", 28, "motion")
    result = read_card(jpeg, "front", today=TODAY, declared_name="黄清达")
    assert not result.reasons and result.review_reasons == ("name_uncertain",)


@pytest.mark.parametrize("index", [29, 62])
def test_a_validity_with_a_dot_read_as_a_comma_is_read(index: int) -> None:
    """The crossed set's seed-9751 backs #129 (the third renderer's card on a screen, photographed by
    the first's camera) and #162 (the first's card, the third's motion blur): 2022,12,12-2027,12.12
    and 2026.08,31-长期 (review: validity_unreadable)."""
    from scripts import gen_idcards_crossed as crossed

    draw = crossed.first_card_third_camera if index % 2 == 0 else crossed.third_card_first_camera
    person, _, jpeg = draw(9751, index, "back")
    result = read_card(jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in person.back_truth()} == person.back_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_card_placed_by_its_labels_keeps_the_numbers_end() -> None:
    """The third renderer's seed-9761 front #57 (a card on a printed page, a thumb beside it): the
    outline from the labels' middles alone, tighter than the one from their boxes' edges, cut the
    number's last three digits off (500118199708134: review). The edges' outline is tried first."""
    person, jpeg = third_photo(9761, "front", 57, "thumb")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("id_number") == person.id_number
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_address_row_split_where_glare_fades_it_is_read_again_whole() -> None:
    """The crossed set's seed-9811 front #42 (a first-renderer card, the third's camera, glare): glare
    faded 治区 in 西藏自治区, and the detector boxed 西藏自 and 林芝县人民路 apart, so 治区 was lost from
    the address (warned). Read as one crop, the row gives every character surely."""
    person, _, jpeg = first_card_third_camera(9811, 42, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("address") == person.front_truth()["address"]
    assert "address_uncertain" not in result.field_warnings


@pytest.mark.parametrize(
    ("pieces", "whole", "scores", "added"),
    [
        ("西藏自林芝县", "西藏自治区林芝县", (1.0,) * 8, [1.0, 1.0]),
        ("西藏自林芝县", "西藏自治区林芝县", (1.0, 1.0, 1.0, 0.6, 1.0, 1.0, 1.0, 1.0), [0.6, 1.0]),
        ("西藏自林芝县", "西藏目治区林芝县", (1.0,) * 8, []),  # a piece's character read otherwise
        ("西藏自林芝县", "西藏自林芝县", (1.0,) * 6, []),  # nothing added
        ("西藏自林芝县", "西藏自治区林芝县", (1.0,) * 7, []),  # scores not aligned with the text
    ],
)
def test_only_characters_a_whole_reading_adds_to_its_pieces_are_weighed(
    pieces: str, whole: str, scores: tuple[float, ...], added: list[float]
) -> None:
    assert idcard._added_scores(pieces, whole, scores) == added


@pytest.mark.parametrize(("seed", "index"), [(9821, 60), (9793, 43)])
def test_a_card_along_the_pages_margin_is_found(seed: int, index: int) -> None:
    """The third renderer's seed-9821 front #60: a card on a printed page, in shadow, lying along the
    page's blank margin. Its calm region ran on into the margin down its whole left edge, so no
    outline was card-shaped, opened apart or not, and no card was found: a genuine person failed.
    Opened by twice as much, the margin is cut away and the card's outline kept. Seed 9793 #43
    alike: found only by its print, the page's 出示居民身份证原件工作人 had become the name (review)."""
    person, jpeg = third_photo(seed, "front", index, "shadow")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_authority_whose_end_packing_lost_is_read_again_alone() -> None:
    """scripts/gen_idcards_alt.py seed 9831 back #2 (a clean card turned 90 degrees): packed in one
    strip beside a piece of the emblem, 签发机关桃源县公安局 decoded its 局 as blank, whatever the gap
    between them; read alone, the line gives 局 at 1.0. An authority not ending in 局 is read again
    on its own."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(9831, "back", 2, "rotate90")
    result = read_card(sample.jpeg, "back", today=TODAY)
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert not result.field_warnings


@pytest.mark.parametrize(("index", "condition"), [(11, "lowlight"), (99, "blur")])
def test_an_authority_read_alone_with_an_unsure_space_is_kept(index: int, condition: str) -> None:
    """Held-out seed 9941, alt backs #11 (low light) and #99 (blur): read alone, 签发机关 邵阳县公安局
    gave every character at 1.0 and the space after the label at 0.56; that space was counted as an
    unsure character added, so the packed reading (阳县公安, its 局 lost) was kept and flagged."""
    from scripts import gen_idcards_alt as alt

    sample = alt.sample(9941, "back", index, condition)
    result = read_card(sample.jpeg, "back", today=alt.REFERENCE_DATE)
    assert {k: result.text(k) for k in sample.truth} == sample.truth
    assert not result.field_warnings


@pytest.mark.parametrize(
    ("pieces", "whole", "scores", "added"),
    [
        ("阳县公安", "签发机关 邵阳县公安局", (1.0,) * 4 + (0.56,) + (1.0,) * 6, [1.0] * 6),
        ("阳县 公安", "阳县公安局", (1.0,) * 5, [1.0]),
        ("阳县公安", "阳县公安\u3000", (1.0,) * 4 + (0.3,), []),
        ("阳县公安", "阳县公局", (1.0,) * 4, []),
    ],
)
def test_spaces_are_no_characters_added(
    pieces: str, whole: str, scores: tuple[float, ...], added: list[float]
) -> None:
    assert idcard._added_scores(pieces, whole, scores) == added


def _front_lines(gen: ModuleType, seed: int) -> tuple[np.ndarray, list[CardLine], str]:
    """A first-renderer front drawn flat, with a room (室) ending its address: its lines as read, and
    the address printed."""
    rng = np.random.default_rng(seed)
    person = gen.make_identity(rng)
    while not person.address.endswith("室"):
        person = gen.make_identity(rng)
    card = gen.render_front(person, gen.portraits()[0], rng)
    view = idcard._read_view(card, Side.FRONT, idcard.DEFAULT_CONFIG)
    assert view is not None
    return view.card, view.lines, person.address


def _cut(line: CardLine, text: str) -> CardLine:
    """The line as if its reading were ``text`` (a character lost or changed), scores kept aligned."""
    n = len(text)
    return CardLine(
        text, line.score, line.box, line.char_scores[:n], line.alternatives[:n], line.char_places[:n]
    )


def test_an_address_whose_last_character_was_lost_is_read_again_alone(gen: ModuleType) -> None:
    """An address whose 室 the packed reading lost ends in a digit (``address_cut``): its lines are
    read again alone, and the reading alone, holding every character read before and adding a sure
    室, is kept."""
    card, lines, address = _front_lines(gen, 5)
    last = next(x for x in reversed(lines) if x.text.endswith("室"))
    lost = [_cut(x, x.text[:-1]) if x is last else x for x in lines]
    reading = cardtext.read_front(lost)
    assert "address_cut" in reading.notes
    relined, again = idcard._reread_alone(card, Side.FRONT, lost, reading)
    assert again.fields["address"].text == address
    assert "address_cut" not in again.notes and relined is not lost


def test_a_reading_alone_that_changes_what_was_read_is_not_kept(gen: ModuleType) -> None:
    """Read alone, a line must keep every character the packed reading gave: one that reads a
    character otherwise is another reading, not the lost end found, and the first is kept."""
    card, lines, _ = _front_lines(gen, 5)
    last = next(x for x in reversed(lines) if x.text.endswith("室"))
    changed = "吕" + last.text[1:-1]
    lost = [_cut(x, changed) if x is last else x for x in lines]
    reading = cardtext.read_front(lost)
    assert idcard._reread_alone(card, Side.FRONT, lost, reading) == (lost, reading)


def test_a_number_label_cut_by_the_outline_still_places_the_card() -> None:
    """The crossed set's seed-9841 front #56 (a first-renderer card tilted on a printed page, the
    third's camera), held out until session 19: the outline found ran through the number label, so
    the number was lost and the label read 公民身份品功 (review: id_number_unreadable). Two of the
    label's six characters misread still mark it (公民身份 in place): the card placed by its labels
    is read whole."""
    person, _, jpeg = first_card_third_camera(9841, 56, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_an_information_field_on_a_blurred_photo_is_flagged_on_less_doubt() -> None:
    """The crossed set's seed-9841 front #96 (a first-renderer card, the third's camera, motion
    blur), held out until session 19: 韶山北路 was read 绍山北路, 绍 at 0.92 (韶 its second choice),
    and recorded without a warning. On a photo found blurred the recogniser is sure of glyphs it
    cannot see: there an address, nation or authority less sure than 0.95 is flagged (请核对). (Its
    address's least sure character is at 0.77, which the sharp photos' limit, 0.8 since session 28,
    flags too: the limits of session 19, 0.7 for both, show the difference.)"""
    person, _, jpeg = first_card_third_camera(9841, 96, "front")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert "quality_blur" in {w.code for w in result.warnings}
    if result.text("address") != person.front_truth()["address"]:
        assert "address_uncertain" in result.field_warnings
    sharp = idcard.CardConfig(warn_confidence=0.7, blurred_warn_confidence=0.7)
    before = read_card(jpeg, "front", today=TODAY, declared_name=person.name, config=sharp)
    assert (
        before.text("address") == result.text("address") and "address_uncertain" not in before.field_warnings
    )


def test_a_name_label_read_without_its_surname_character_still_places_the_card() -> None:
    """The third renderer's seed-9871 front #9, held out until session 20: a card on a printed page
    under a diagonal shadow, no outline found, the card found by the print of the page too. Sex and
    nation were lost (review). Its labels would place it, but 姓名 was read 名杨玉 under the shadow's
    edge, and no line began with 姓. A line beginning with 名 and then a name's shape is the label."""
    person, jpeg = third_photo(9871, "front", 9, "shadow")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert {k: result.text(k) for k in person.front_truth()} == person.front_truth()
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_name_line_after_a_lost_surname_character_is_the_names_not_a_pages() -> None:
    def line(text: str) -> CardLine:
        return CardLine(text, 0.9, (0.0, 0.0, 10.0 * len(text), 30.0))

    assert idcard._after_lost_surname_label(line("名杨玉")) is not None
    assert idcard._after_lost_surname_label(line("名 买买提·艾力")) is not None
    assert idcard._after_lost_surname_label(line("名称建设地点建设规模")) is None  # a page's 项目名称…
    assert idcard._after_lost_surname_label(line("杨玉")) is None


def test_a_number_shorter_than_a_cards_is_no_number_and_other_outlines_are_read() -> None:
    """The third renderer's seed-9871 front #47 (a card on a grey desk, JPEG), held out until session
    20: its outline ran down the portrait's right edge and squeezed the number's last three digits
    out of the view; 430981198410290 counted as a number read, so no other outline was read (review).
    No card's number has 15 digits: the card found by its print reads it whole."""
    person, jpeg = third_photo(9871, "front", 47, "jpeg")
    result = read_card(jpeg, "front", today=TODAY, declared_name=person.name)
    assert result.text("id_number") == person.id_number
    assert result.ok, (result.reasons, result.review_reasons)


def test_a_tiny_card_the_pre_check_let_through_fails_no_one_on_its_reading() -> None:
    """Held-out seed 10073, the third renderer's tiny front #2: the pre-check judged the outline of
    the whole photo and accepted it; the reader, placing the card by its print about 200 pixels
    long, read its number with a wrong digit, and the genuine holder failed for a number not theirs
    (id_number_checksum). Read that small, a mismatch asks for review, with the hint to come closer."""
    person, jpeg = third_photo(10073, "front", 2, "tiny")
    result = read_card(jpeg, "front", declared_name=person.name, declared_id_number=person.id_number)
    assert result.reasons == () and "id_number_uncertain" in result.review_reasons
    assert "quality_too_small" in {w.code for w in result.warnings}
