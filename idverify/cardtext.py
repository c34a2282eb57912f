"""Card fields from the text lines read on a rectified card, anchored on the printed labels.

The reader detects the text lines on the card and recognises each; this module decides which text
is which field, from what is printed rather than from fixed positions: the labels (姓名 性别 民族
出生 住址 公民身份号码 on the front, 签发机关 有效期限 on the back), the reading order of rows, and
what each value looks like (18 digits, a date, a validity period, …). The standard layout (GB 14965:
labels in a left column, 性别 and 民族 on one row, the number on the bottom row, the portrait on the
right) is used as a prior for which row is which when a label is misread, never as a crop.

OCR may read a label merged with its value (``民族汉``) or as its own line (``民族`` / ``汉``), and
may misread one of its characters; both forms are parsed and labels are matched fuzzily at a
line's start. Everything here is pure logic over :class:`CardLine` values, so it is tested with
synthetic lines and no model.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import combinations

from idverify import checks, hanzi, nations, places
from idverify.idnumber import IdNumberError, parse_id_number
from idverify.types import Choices, FieldValue

Box = tuple[float, float, float, float]

FRONT_LABELS: dict[str, str] = {
    "name": "姓名",
    "sex": "性别",
    "nation": "民族",
    "birth_date": "出生",
    "address": "住址",
    "id_number": "公民身份号码",
}
BACK_LABELS: dict[str, str] = {"authority": "签发机关", "validity": "有效期限"}
#: The row order of the front's left column (GB 14965); 民族 shares the 性别 row.
FRONT_ORDER = ("name", "sex", "birth_date", "address", "id_number")
TITLES = ("中华人民共和国", "居民身份证")
_LEFT_LABELS = tuple(FRONT_LABELS[key] for key in FRONT_ORDER)  # printed in the left column

_NOISE_SCORE = 0.3  # a "line" read below this is a pattern or a picture edge, not print
PORTRAIT_X = 0.64  # of the card's width: the portrait's left edge on the front (GB 14965), roughly
_NUMBER_RUN = re.compile(r"[0-9Xx×]{15,}")
#: A numbered unit straight after a village or a street: its number was lost (林河村组 for 林河村1组,
#: a defocused 1: held-out third seed 10003 front #78, passed unflagged). 村民组 keeps its 民.
_NUMBER_LOST = re.compile(r"[村路街巷][组号栋室]")
_DATE = re.compile(r"\d{4}[.,\-/·]?\d{2}[.,\-/·]?\d{2}")  # a dot may be read as a comma


@dataclass(frozen=True, slots=True)
class CardLine:
    """One detected and recognised text line on the rectified card (856 x 540 pixels).

    Attributes:
        text: what the recogniser read.
        score: its mean character confidence.
        box: x0, y0, x1, y1 of the line on the card.
        char_scores: per-character confidences aligned with ``text`` (may be empty).
        alternatives: per character, the recogniser's other choices and their probabilities, most
            probable first (may be empty): what field knowledge may pick instead of a character
            that cannot be right.
        char_places: per character, where its centre lies along the box as a share of its width
            (may be empty: the characters are then taken as evenly spread).
    """

    text: str
    score: float
    box: Box
    char_scores: tuple[float, ...] = ()
    alternatives: tuple[Choices, ...] = ()
    char_places: tuple[float, ...] = ()

    @property
    def height(self) -> float:
        """Box height in card pixels."""
        return self.box[3] - self.box[1]


@dataclass(frozen=True, slots=True)
class _Char:
    ch: str
    score: float
    line: int  # index into the row's lines
    alts: Choices = ()  # the recogniser's other choices here, most probable first
    box: Box = (0.0, 0.0, 0.0, 0.0)  # of the line it was read on
    x: float = 0.0  # where its centre lies on the card

    @property
    def alt(self) -> str:
        """The recogniser's second choice here ("" when it gave none)."""
        return self.alts[0][0] if self.alts else ""


@dataclass
class _Row:
    lines: list[CardLine]
    chars: list[_Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.ch for c in self.chars)

    @property
    def top(self) -> float:
        return min(line.box[1] for line in self.lines)

    @property
    def bottom(self) -> float:
        return max(line.box[3] for line in self.lines)

    def line_start(self, index: int) -> int:
        """Position in ``text`` of the first character of line ``index``."""
        return next((i for i, c in enumerate(self.chars) if c.line == index), len(self.chars))


@dataclass(frozen=True, slots=True)
class _Label:
    key: str
    start: int
    end: int
    exact: bool


@dataclass(frozen=True, slots=True)
class Reading:
    """Fields assigned from the lines of one side.

    Attributes:
        fields: field key -> value; every key of the side is present ("" when not found).
        notes: field warnings found while assigning (``nation_not_listed`` …).
        labels: how many of the side's labels were found (side detection uses it).
        boxes: field key -> the boxes of the lines its characters were read from (a field not
            found has none), so the card's picture there can be looked at (glare over the print).
        choices: field key -> the recogniser's other choices at each of its characters, aligned
            with its text: its second choice and any other likelier than noise (:data:`_ALT_MIN`),
            most probable first ("" where there was none); the name's only, for now.
        unsure: fields whose row was not known by its own label read exactly (a label read in part,
            or the row taken by its place in the layout): their value may be another row's print.
            The name's only, for now.
        char_scores: field key -> the recogniser's confidence in each of its characters, aligned
            with its text: the name's; and the birth date's digits, in the order read.
    """

    fields: dict[str, FieldValue]
    notes: tuple[str, ...] = ()
    labels: int = 0
    boxes: dict[str, tuple[Box, ...]] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unsure: frozenset[str] = frozenset()
    char_scores: dict[str, tuple[float, ...]] = field(default_factory=dict)


def group_rows(lines: Iterable[CardLine]) -> list[_Row]:
    """Lines grouped into rows by the overlap of their central bands, top to bottom, each left to right.

    Detector boxes are padded, so neighbouring lines' boxes overlap; only the middle half of each
    box's height decides, which keeps tightly spaced address lines apart and a large name beside its
    smaller label together.
    """
    rows: list[_Row] = []
    readable = (x for x in lines if x.text.strip() and x.score >= _NOISE_SCORE)
    ordered = sorted(readable, key=lambda x: (x.box[1] + x.box[3]) / 2)
    for k, line in enumerate(ordered):
        after = ordered[k + 1] if k + 1 < len(ordered) else None
        core = _core(line)
        for row in rows[-3:]:
            band = (max(_core(x)[0] for x in row.lines), min(_core(x)[1] for x in row.lines))
            shared = _shared(band, core)
            if (
                shared > 0
                and not any(_stacked(line, x) for x in row.lines)
                and not _pairs_below(line, after, band, shared)
            ):
                row.lines.append(line)
                break
        else:
            rows.append(_Row([line]))
    for row in rows:
        row.lines.sort(key=lambda x: x.box[0])
        row.chars = []
        for i, line in enumerate(row.lines):
            for char in _chars(line, i):
                if not _read_twice(char, row.chars, line.height):
                    row.chars = [c for c in row.chars if not _part_before(c, char, line.height)]
                    row.chars.append(char)
    for row in rows:
        near = [
            o for r in rows if r is not row and r.top < row.bottom and row.top < r.bottom for o in r.chars
        ]
        if near:
            row.chars = [c for c in row.chars if not any(_echo(c, o) for o in near)]
    return [row for row in rows if row.chars]


def _core(line: CardLine) -> tuple[float, float]:
    """The middle half of a line's box, top to bottom: detector boxes are padded."""
    return line.box[1] + 0.25 * line.height, line.box[3] - 0.25 * line.height


def _shared(a: tuple[float, float], b: tuple[float, float]) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


def _pairs_below(line: CardLine, after: CardLine | None, band: tuple[float, float], shared: float) -> bool:
    """Whether the next line down (``after``) shares more of ``line``'s band than the row above does
    and lies clear of that row: ``line`` then starts a row with it. A piece of print above the card
    (区 over the portrait, third 9881 front #18) touching the name's band had taken the name into its
    row, above its label's, and the name was lost."""
    if after is None or _stacked(line, after):
        return False
    return _shared(_core(line), _core(after)) > shared and _shared(band, _core(after)) <= 0


def _echo(char: _Char, other: _Char) -> bool:
    """``char`` is ``other`` read again by a box straddling ``other``'s line (half its height or more on
    it), less surely: a shadow's edge between two address lines, boxed and read as the character above
    it (巷 again before 508室, silently in the address). Lines of print a row apart overlap less.
    """
    height = char.box[3] - char.box[1]
    shared = min(char.box[3], other.box[3]) - max(char.box[1], other.box[1])
    return (
        _same_glyph(char, other, height)
        and other.score > char.score
        and shared >= _ECHO_SHARE * min(height, other.box[3] - other.box[1])
    )


_ECHO_SHARE = 0.5  # of the lower line's height: a box this far over another line reads part of its print


def _read_twice(char: _Char, before: Sequence[_Char], height: float) -> bool:
    """The same printed character already read from the box before, which this box overlaps: the
    value's box began over the label's last character (名熊子 after 姓名 had failed a person), or
    read there in part as another (:func:`_part_read`); or, in its own line, read twice at one place
    (:func:`_stuttered`)."""
    return any(
        (_same_glyph(char, c, height, digits=True) or _part_read(char, c, height))
        if c.line != char.line
        else _stuttered(char, c, height)
        for c in before
    )


def _stuttered(char: _Char, other: _Char, height: float) -> bool:
    """``char`` is ``other``, the character before it in its own line, read twice at one place: the
    recogniser gave one glyph as 门 and 門 a sixth of a line apart (石门門县; held-out alt seed 9783
    front #18). Two printed ideographs, the same or not, lie a character apart."""
    return _same_glyph(char, other, height) and abs(char.x - other.x) < _STUTTER * height  # ideographs only


def _part_read(char: _Char, other: _Char, height: float) -> bool:
    """``char`` is the part of ``other`` that a box beginning inside ``other``'s box took in, read as
    another ideograph, less surely: 民族 boxed, then 汉 in a box beginning over 族's right half, read
    集汉 (0.46; held-out alt seed 9781 front #7). Two printed ideographs lie a character apart; these
    lay under half of one apart, the second inside the first's box."""
    return (
        _is_cjk(char.ch)
        and _is_cjk(other.ch)
        and char.score < other.score
        and char.x <= other.box[2]
        and abs(char.x - other.x) < _PART_PLACE * height
    )


def _part_before(char: _Char, later: _Char, height: float) -> bool:
    """``char``, read at the end of an earlier box that ran on into ``later``'s glyph, is part of that
    glyph read as another ideograph, less surely (:func:`_part_read` the other way round): glare
    over the row, 姓名 was boxed on into 魏 and read 姓名委 (委 0.52) before 魏鹏平 (1.0), and the name
    read 委魏鹏平 (the first renderer's seed-9841 front #76, held out until session 19)."""
    return (
        char.line != later.line
        and _is_cjk(char.ch)
        and _is_cjk(later.ch)
        and char.score < later.score
        and char.x >= later.box[0]
        and abs(char.x - later.x) < _PART_PLACE * height
    )


def _same_glyph(a: _Char, b: _Char, height: float, *, digits: bool = False) -> bool:
    """One character read as ``a`` and ``b``: the same ideograph at one place, or, with ``digits``,
    the same digit at very nearly one place (a box over an address line's end, on its row, read its
    6 again: 1116室 became 11166室, silently; the first renderer's seed-9671 front #168). Digits only
    within a row: across rows, a tilted card's number row overlaps the row above, and a 0 there had
    taken a 0 out of the number (third seed 9631 front #73)."""
    if a.ch != b.ch and hanzi.simplified(a.ch) != hanzi.simplified(b.ch):
        return False
    if _is_cjk(a.ch):
        return abs(a.x - b.x) < _SAME_PLACE * height
    return digits and a.ch.isdigit() and abs(a.x - b.x) < _SAME_DIGIT_PLACE * height


# Line heights: two readings of one full-width character this close are one glyph (two printed ones
# lie a character apart); digits, half as wide, lie about half a line height apart.
_SAME_PLACE = 0.6
_SAME_DIGIT_PLACE = 0.2
_PART_PLACE = 0.4  # two different ideographs read this close: one glyph, once whole and once in part
_STUTTER = 0.3  # one ideograph read twice in one line: its two readings this close


def _stacked(a: CardLine, b: CardLine) -> bool:
    """Two lines over one another, not side by side: they share most of the narrower one's width.

    Lines of a row follow each other; two that begin at one place are two rows however close (an
    address's lines on a small card read from a page, its second line had been read first).
    """
    shared = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    offset = abs((a.box[1] + a.box[3]) - (b.box[1] + b.box[3])) / 2
    # Side by side, boxes can still overlap (男's box grown over 民族汉 beside it) at one height.
    return shared > _STACKED * min(a.box[2] - a.box[0], b.box[2] - b.box[0]) and offset > _LEVEL * min(
        a.height, b.height
    )


_STACKED = 0.5
_LEVEL = 0.3  # of a line's height: centres further apart than this are on two levels


def _chars(line: CardLine, index: int) -> list[_Char]:
    """NFKC-normalised characters without spaces, each with its confidence."""
    scores = line.char_scores if len(line.char_scores) == len(line.text) else (line.score,) * len(line.text)
    alts = line.alternatives if len(line.alternatives) == len(line.text) else ((),) * len(line.text)
    n = len(line.text)
    places = line.char_places if len(line.char_places) == n else tuple((k + 0.5) / n for k in range(n))
    out = []
    for ch, score, choices, place in zip(line.text, scores, alts, places, strict=True):
        x = line.box[0] + place * (line.box[2] - line.box[0])
        for norm in unicodedata.normalize("NFKC", ch):
            if not norm.isspace():
                out.append(_Char(norm, score, index, choices, line.box, x))
    return out


def pick_candidates(
    chars: list[_Char],
    fits: Callable[[str], bool],
    *,
    head: int = 12,
    kind: Callable[[str], bool] | None = None,
    pair_min: float | None = None,
) -> list[_Char]:
    """The reading that fits what is known of the field, choosing among the recogniser's candidates.

    When the text as read does not fit (``fits``: a GB/T 2260 place where one must be), each of
    its first ``head`` characters is tried in turn with each of the recogniser's other choices at
    that position (仅征 for 仪征 on a blurred card; 溆浦 for 淑浦, 溆 being a character the
    recogniser knows too little to rank above third). Exactly one substitution that fits is
    taken, with that choice's probability as the character's confidence, so the field stays as
    doubtful as the reading was; none or several leave the reading as it was (flagged by the
    caller). When no single one fits, exactly one pair of likelier choices (:data:`_PAIR_MIN`) is
    taken the same way: a glyph blurred alike twice (委底市委星区 for 娄底市娄星区, the third
    renderer's seed-9611 front #95). Nothing is added that the recogniser did not see at that
    position. ``kind`` says which choices may stand in (ideographs unless told: a place name's);
    ``pair_min`` how likely each choice of a pair must be (default :data:`_PAIR_MIN`).
    """
    text = "".join(c.ch for c in chars)
    if not text or fits(text):
        return chars
    allowed = kind or _is_cjk
    options = [
        (i, alt, p) for i, c in enumerate(chars[:head]) for alt, p in c.alts if p >= _ALT_MIN and allowed(alt)
    ]
    found: list[tuple[_Sub, ...]] = [
        ((i, alt, p),) for i, alt, p in options if fits(text[:i] + alt + text[i + 1 :])
    ]
    if not found:
        least = _PAIR_MIN if pair_min is None else pair_min
        likely = sorted((o for o in options if o[2] >= least), key=lambda o: -o[2])[:_PAIR_OPTIONS]
        found = [
            (a, b) for a, b in combinations(likely, 2) if a[0] != b[0] and fits(_substituted(text, (a, b)))
        ]
    if len({frozenset((i, alt) for i, alt, _ in subs) for subs in found}) != 1:  # 漵, 溆 both simplify to 溆
        return chars
    picked = list(chars)
    for i, alt, p in max(found, key=lambda subs: min(s[2] for s in subs)):
        picked[i] = _chosen(chars[i], alt, p)
    return picked


def _chosen(c: _Char, alt: str, p: float) -> _Char:
    """``c`` read as its choice ``alt`` instead, as sure as that choice (``p``); the reading as it was
    becomes a choice in turn."""
    return replace(c, ch=alt, score=p, alts=((c.ch, c.score), *(x for x in c.alts if x[0] != alt)))


_Sub = tuple[int, str, float]  # a position, the choice put there, its probability


def _substituted(text: str, subs: Iterable[_Sub]) -> str:
    out = list(text)
    for i, alt, _ in subs:
        out[i] = alt
    return "".join(out)


_ALT_MIN = 0.001  # a choice less probable than this is noise, whatever it would fit
_PAIR_MIN = 0.01  # two substitutions at once: each must be likelier than noise by far
#: An address's place names are checked against GB/T 2260 down to the county, which leaves few
#: pairs of choices that fit: there a less likely pair may stand in (菱成市 for 娄底市, 娄 third at
#: 0.009 under defocus; held-out third seed 9841 front #78). The address stays flagged (请核对).
_ADDRESS_PAIR_MIN = 0.005
#: An address's province, city and county span up to 25 characters (新疆维吾尔自治区伊犁哈萨克自治州
#: 察布查尔锡伯自治县), more than 12 in one of seven GB/T 2260 combinations: the county's characters
#: are tried too (湖南省湘西土家族苗族自治州保结县 for 保靖县, 靖 the second choice at its 15th
#: character: held-out third seed 9871 front #10).
_ADDRESS_HEAD = 25
_PAIR_OPTIONS = 16  # the likeliest choices paired at most (120 pairs): a blurred row offers many


def _simplified(chars: Iterable[_Char]) -> list[_Char]:
    """Traditional forms read (頭坪镇) as the simplified characters a mainland card prints (头坪镇).

    Each character keeps its confidence: the glyph was read as surely as it was, only in the
    other script (see :mod:`idverify.hanzi`). The other choices are converted too, so a place
    name can still be picked from them.
    """
    return [
        replace(c, ch=hanzi.simplified(c.ch), alts=tuple((hanzi.simplified(a), p) for a, p in c.alts))
        for c in chars
    ]


def _is_cjk(ch: str) -> bool:
    return len(ch) == 1 and "\u4e00" <= ch <= "\u9fff"


def _find_labels(
    row: _Row, labels: dict[str, str], column_x: float, floor_x: float = -math.inf
) -> list[_Label]:
    """Labels in a row: exact anywhere, or fuzzy at the start of a line in the label column.

    Fuzzy: at least half of a label's characters (rounded up, at least one) in their places, so
    ``娃名`` is 姓名 and ``签发机美`` is 签发机关. Only at a line start in the left column, where a
    label is printed, so a value that happens to share a character with a label is not taken for one;
    and not left of ``floor_x`` (:func:`_label_bounds`), where print beside the card lies.
    """
    text = row.text
    found: list[_Label] = []
    for key, label in labels.items():
        pos = text.find(label)
        if pos >= 0:
            found.append(_Label(key, pos, pos + len(label), True))
    for i, line in enumerate(row.lines):
        start = row.line_start(i)
        if not floor_x <= line.box[0] <= column_x or any(lab.start <= start < lab.end for lab in found):
            continue
        best: tuple[int, str] | None = None
        for key, label in labels.items():
            hits = sum(a == b for a, b in zip(text[start : start + len(label)], label, strict=False))
            if hits >= max(1, (len(label) + 1) // 2) and (best is None or hits > best[0]):
                best = (hits, key)
        if best and all(lab.key != best[1] for lab in found):
            end = min(start + len(labels[best[1]]), len(text))
            while end > start + 1 and not _is_cjk(text[end - 1]):
                end -= 1  # no label holds a digit: 有效期2019… (限 lost) keeps its date whole
            end = start + _fuzzy_label_end(row.chars[start:], labels[best[1]], end - start)
            found.append(_Label(best[1], start, end, False))
    return sorted(found, key=lambda lab: lab.start)


def _fuzzy_label_end(chars: Sequence[_Char], label: str, length: int) -> int:
    """How many leading characters a fuzzily read label holds: ``length``, or fewer where a character
    that is not the label's lies past a gap (the label's own character lost, the value's first read
    in its place: 住湖南省…, 址 lost, had lost 湖 from the address)."""
    return _own_chars_on(chars, label, _label_end(list(chars), length), length)


def _own_chars_on(chars: Sequence[_Char], label: str, end: int, length: int) -> int:
    """``end`` moved on, up to ``length``, over the label's own characters: after a wide gap (a label
    printed spaced, 姓 名) they stay the label's."""
    while end < length and chars[end].ch == label[end]:
        end += 1
    return end


def _label_bounds(rows: Sequence[_Row], width: float, labels: tuple[str, ...]) -> tuple[float, float]:
    """Where a label may start, measured once from the labels read exactly: (left limit, right limit).

    Right: a little right of the leftmost label read exactly, or of the leftmost text when none was.
    A little is 6 % of the card's width (labels are jittered by up to 3 mm), but never more than
    a line and a bit: a card read from a photo much wider than itself (its outline not found) has
    its print, and the step from a label to its value, that much smaller, and the address's
    continuation lines, which begin where its value does, had fallen inside the label column.
    Print left of the card (a page's column of text beside a card found by its print) is left of
    its labels: measured from it, the column had ended before them, and the unlabelled address
    row had been read with its misread label (佳社 for 住址) and without its second line.

    Left, for a label read in part: a little left of the leftmost label read exactly (labels are
    jittered by up to 3 mm each), or no limit when no label was read exactly. A page's column of
    print left of a card found with it (the third renderer's seed-9671 front #84, overexposed on a
    form) had its 出示居 taken for 出生, and the address's second line, on that row, was lost behind
    it: 湖北省荆门市掇刀区桥河 for …桥河东路159号附6号, with no warning.
    """
    starts = [line.box[0] for row in rows for line in row.lines if line.text.startswith(labels)]
    heights = [line.height for row in rows for line in row.lines]
    line = statistics.median(heights) if heights else width
    left = min(starts, default=min((row.lines[0].box[0] for row in rows), default=0.0))
    floor = min(starts) - min(_FLOOR_SHARE * width, _FLOOR_LINES * line) if starts else -math.inf
    return floor, left + min(0.06 * width, 1.2 * line)


_FLOOR_SHARE = 0.08  # of the card's width: two labels jittered 3 mm apart each way, and some
_FLOOR_LINES = 1.6  # line heights: the same on a card read small within a wide photo


def _value(row: _Row, label: _Label | None, labels: Sequence[_Label]) -> list[_Char]:
    """Characters after ``label`` up to the next label in the row (the whole row when None)."""
    start = label.end if label else 0
    later = [lab.start for lab in labels if lab.start >= start and lab is not label]
    return row.chars[start : min(later, default=len(row.chars))]


def _field(key: str, text: str, chars: Sequence[_Char]) -> FieldValue:
    """A field whose confidence is its least certain character (0 when empty)."""
    return FieldValue(key, text, min((c.score for c in chars), default=0.0) if text else 0.0)


def _boxes(chars: Iterable[_Char]) -> tuple[Box, ...]:
    """The distinct line boxes the characters were read from, in reading order."""
    return tuple(dict.fromkeys(c.box for c in chars))


def _portrait_left(lines: Sequence[CardLine], width: float = 856.0) -> float:
    """Where the portrait begins on the front: :data:`PORTRAIT_X`, or further left where its edge shows.

    The portrait's left edge, printed left of GB 14965's place (renderers differ, as printers may),
    is detected as text: narrow boxes on several rows starting at the same place, read as nothing or
    as 1 or 日, and these had been joined to the name and the address rows (肖云杰日, 长1长镇: the
    crossed seed-9611 front #97, the third renderer's seed-9621 front #31). Two such boxes, between
    :data:`_EDGE_BAND` of the width and :data:`PORTRAIT_X` (or up to :data:`_EDGE_REACH` past it),
    their starts within a third of a line height, mark the edge; print never lines up so there
    (values start well left of it). An outline a little short of the card's far end stretches the
    card, and its portrait's edge lies just past :data:`PORTRAIT_X`: one box of the edge on each
    side of it, the one left of it had been joined to the address (held-out seed 9961, third
    renderer's front #43: 大桥1街道).
    """
    narrow = sorted(
        x.box[0]
        for x in lines
        if _EDGE_BAND * width <= x.box[0] < (PORTRAIT_X + _EDGE_REACH) * width
        and x.box[2] - x.box[0] <= _EDGE_WIDTH * x.height
        and not _NUMBER_RUN.search(x.text)
    )
    tolerance = _EDGE_ALIGN * statistics.median([x.height for x in lines]) if lines else 0.0
    edges = [a for a, b in zip(narrow, narrow[1:], strict=False) if b - a <= tolerance]
    return min(min(edges) - _EDGE_SLACK, PORTRAIT_X * width) if edges else PORTRAIT_X * width


def _edge_glyph(line: CardLine, width: float) -> bool:
    """Whether ``line`` is one box of the portrait's edge, alone: a character or two, every one placed
    past :data:`PORTRAIT_X` and none read surely (:data:`_EDGE_SURE`).

    A single box of the edge is too few for :func:`_portrait_left`, and one starting just left of
    :data:`PORTRAIT_X` had been joined to the address (held-out crossed seed 10039 #1: 莲白1镇, the
    edge read 1 at 0.31, its other choices L, I and M). Print that runs up to the portrait is read
    surely, and keeps its characters.
    """
    chars = _chars(line, 0)
    return (
        0 < len(chars) <= _EDGE_CHARS
        and all(c.x > PORTRAIT_X * width for c in chars)
        and max(c.score for c in chars) < _EDGE_SURE
    )


_EDGE_CHARS = 2  # characters in a box of the portrait's edge (1, 日, 11)
_EDGE_SURE = 0.5  # a character read this surely is print, wherever it lies
_EDGE_BAND = 0.55  # of the card's width: left of this, boxes are the values' print
_EDGE_REACH = 0.03  # of the card's width: an outline 2-3 % short of the card moves the edge this far
_EDGE_WIDTH = 2.5  # line heights: a box at the portrait's edge holds a character or two at most
_EDGE_ALIGN = 0.33  # line heights between the starts of two boxes on one edge
_EDGE_SLACK = 2.0  # card pixels: a box starting on the edge is the edge's


def _cjk(chars: Iterable[_Char]) -> list[_Char]:
    return [c for c in chars if "\u4e00" <= c.ch <= "\u9fff" or c.ch == "·"]


def read_front(lines: Sequence[CardLine], width: float = 856.0) -> Reading:
    """Assign the portrait side's fields: name, sex, nation, birth_date, address, id_number.

    Args:
        lines: the recognised lines of the upright card, any order.
        width: the card's width in the lines' coordinates (the label column is relative to it).
    """
    portrait = _portrait_left(lines, width)
    lines = [
        x for x in lines if (x.box[0] < portrait and not _edge_glyph(x, width)) or _NUMBER_RUN.search(x.text)
    ]
    rows = group_rows(lines)
    floor, column = _label_bounds(rows, width, _LEFT_LABELS)
    found = {id(row): _find_labels(row, FRONT_LABELS, column, floor) for row in rows}
    number_row = _number_row(rows)
    keyed = _rows_by_label(rows, found, number_row)
    fields: dict[str, FieldValue] = {}
    notes: list[str] = []
    spans: dict[str, list[_Char]] = {}
    fields["id_number"], spans["id_number"] = _number_field(number_row)
    value_x = _value_start(rows, found)
    spans["name"] = _one_run(_cjk(_labelled_value(keyed.get("name"), "name", found, column, value_x)))
    fields["name"] = _field("name", "".join(c.ch for c in spans["name"]), spans["name"])
    sex, nation, spans["nation"] = _sex_and_nation(keyed, found, column)
    fields["sex"], fields["nation"] = sex, nation
    if nation.text and nations.find_nation(nation.text) != nation.text:
        notes.append("nation_not_listed")
    birth_chars = _labelled_value(keyed.get("birth_date"), "birth_date", found, column, value_x)
    birth_chars = _marks_by_number(birth_chars, fields["id_number"].text)
    birth = birth_text("".join(c.ch for c in birth_chars))
    fields["birth_date"], spans["birth_date"] = _field("birth_date", birth, birth_chars), birth_chars
    fields["address"], spans["address"] = _address(rows, keyed, found, number_row, column, value_x)
    if fields["address"].text and not places.address_prefix_known(fields["address"].text):
        notes.append("address_place_unknown")
    if fields["address"].text[-1:].isdigit():
        notes.append("address_cut")  # an address ends in 号, 室, 组 …: its last character was lost
    if _NUMBER_LOST.search(fields["address"].text):
        notes.append("address_number_lost")
    labels = sum(1 for row in rows for _ in found[id(row)])
    boxes = {key: _boxes(chars) for key, chars in spans.items() if fields[key].text}
    choices = {
        "name": tuple(_choices(c) for c in spans["name"]),
        "birth_date": tuple(_choices(c) for c in birth_chars if c.ch.isdigit()),
    }
    name_row = keyed.get("name")
    exact = name_row is not None and any(lab.key == "name" and lab.exact for lab in found[id(name_row)])
    unsure = frozenset({"name"}) if fields["name"].text and not exact else frozenset()
    scores = {
        "name": tuple(c.score for c in spans["name"]),
        "birth_date": tuple(c.score for c in birth_chars if c.ch.isdigit()),
    }
    return Reading({k: fields[k] for k in FRONT_LABELS}, tuple(notes), labels, boxes, choices, unsure, scores)


def _choices(c: _Char) -> str:
    """The recogniser's other choices at ``c``: its second, and any other likelier than noise."""
    return "".join(alt for k, (alt, p) in enumerate(c.alts) if k == 0 or p >= _ALT_MIN)


def _one_run(chars: list[_Char]) -> list[_Char]:
    """A one-line value up to the first wide gap between two of its boxes: the name is printed as
    one run, and a box far right of it is something else read on its row (the portrait's corner,
    printed further left than GB 14965's place, read 日: 肖云杰日 failed a genuine person; the
    crossed renderers' seed-9611 front #97). A run of one character before the gap is left whole:
    it may be a label's remnant before a value printed far from it."""
    for k in range(2, len(chars)):
        before, after = chars[k - 1], chars[k]
        height = max(before.box[3] - before.box[1], 1.0)
        if after.line != before.line and after.x - before.x > _RUN_GAP * height:
            return chars[:k]
    return chars


_RUN_GAP = 4.0  # line heights between two characters' centres: a name's spaced print stays within 2.5


def _number_row(rows: Sequence[_Row]) -> _Row | None:
    """The row holding the longest run of digits (15 or more): the number, wherever it is printed."""
    best: tuple[int, _Row] | None = None
    for row in rows:
        runs = [len(m.group()) for m in _NUMBER_RUN.finditer(row.text)]
        if runs and (best is None or max(runs) > best[0]):
            best = (max(runs), row)
    return best[1] if best else None


def _number_field(row: _Row | None) -> tuple[FieldValue, list[_Char]]:
    if row is None:
        return FieldValue("id_number", "", 0.0), []
    match = max(_NUMBER_RUN.finditer(row.text), key=lambda m: len(m.group()))
    chars = row.chars[match.start() : match.end()]
    text = match.group().upper().replace("×", "X")
    return _field("id_number", text, chars), chars


def _rows_by_label(
    rows: Sequence[_Row], found: dict[int, list[_Label]], number_row: _Row | None
) -> dict[str, _Row]:
    """Field key -> its row: rows with the label (exact before fuzzy), then content, then the layout's order.

    A row whose label was not read is known by what it holds where only one row can hold it (the
    birth date's shape, the sex alone in its box), between the rows known before and after it. A
    row without a recognisable label between two known rows takes the field the order expects
    there (GB 14965: name, sex + nation, birth, address, number). On a defocused card whose small
    labels were all lost, the name had been taken from the address's last line (the row just above
    the number, the only row known).
    """
    keyed: dict[str, _Row] = {}
    for exact in (True, False):
        for row in rows:
            for lab in found[id(row)]:
                if lab.exact is exact and lab.key not in keyed and row is not number_row:
                    keyed[lab.key] = row
    if number_row is not None:
        keyed["id_number"] = number_row
    if "nation" in keyed and "sex" not in keyed:
        keyed["sex"] = keyed["nation"]
    for key, shows in _CONTENT.items():
        if key not in keyed:
            free = _free_rows(rows, found, keyed, key)
            shown = next((r for r in free if shows(r)), None)
            if shown is not None:
                keyed[key] = shown
    for key in FRONT_ORDER:
        if key in keyed:
            continue
        free = _free_rows(rows, found, keyed, key)
        if free and any(k in keyed for k in FRONT_ORDER):
            keyed[key] = _in_order(free, keyed, key)
    return keyed


def _in_order(free: list[_Row], keyed: dict[str, _Row], key: str) -> _Row:
    """The row of ``key`` among the free rows between the known ones: by the layout's order when
    there are as many free rows as fields unknown there; else the row next to the known one before
    it, or, with none known before it, the row just above the known one after it.

    A motion-blurred front whose small labels all read as noise (held-out third seed 10027 #62):
    its name and sex rows both free above the birth row known by its date, the sex row, the one
    just above, had been taken for the name (女农集汉), and the name and sex lost to review."""
    i = FRONT_ORDER.index(key)
    before = max((k for k in range(i) if FRONT_ORDER[k] in keyed), default=-1)
    after = min(
        (k for k in range(i + 1, len(FRONT_ORDER)) if FRONT_ORDER[k] in keyed), default=len(FRONT_ORDER)
    )
    unknown = [k for k in FRONT_ORDER[before + 1 : after] if k not in keyed]
    if len(unknown) == len(free):
        return free[unknown.index(key)]
    return free[0] if before >= 0 else free[-1]


def _free_rows(
    rows: Sequence[_Row], found: dict[int, list[_Label]], keyed: dict[str, _Row], key: str
) -> list[_Row]:
    """Rows without a label between the rows known before ``key`` in the layout and those after it.

    A label read in part that another row's label took already is no label: 住址 defocused read as
    性味, its row had been taken for a second 性别 row, and the address's 9号 for the whole address
    (held-out crossed 10017 front #78).
    """
    i = FRONT_ORDER.index(key)
    top = max((keyed[k].top for k in FRONT_ORDER[:i] if k in keyed), default=-1.0)
    bottom = min((keyed[k].top for k in FRONT_ORDER[i + 1 :] if k in keyed), default=1e9)
    return [
        r
        for r in rows
        if top < r.top < bottom and not any(lab.exact for lab in found[id(r)]) and r not in keyed.values()
    ]


def _shows_birth(row: _Row) -> bool:
    return bool(_BIRTH.search(row.text.replace(" ", "")) or _YEAR.search(row.text))


def _shows_sex(row: _Row) -> bool:
    return any(line.text.strip() in _SEXES for line in row.lines)


#: Rows known by what they hold when their labels were not read (a defocused card's small labels):
#: the birth date's shape, the sex alone in a box; the others then follow from the layout's order.
_CONTENT: dict[str, Callable[[_Row], bool]] = {"birth_date": _shows_birth, "sex": _shows_sex}
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")


def _labelled_value(
    row: _Row | None, key: str, found: dict[int, list[_Label]], column: float, value_x: float | None = None
) -> list[_Char]:
    """The characters a row gives for ``key``: after its label, or after a label-like start.

    A row known only by its place holds the label only when its first line starts in the label
    column; then, when it is known where values begin (``value_x``), the characters left of it are
    the label (or print beside the card: a page's 老 before 佳社, 住址 misread) and the rest the
    value, so a box that begins at the label the recogniser did not read keeps every character
    of its value (孔春云 in a box from 姓名's place had lost 孔春).
    """
    if row is None:
        return []
    labels = found[id(row)]
    label = next((lab for lab in labels if lab.key == key), None)
    if label is not None:
        value = _value(row, label, labels)
        # The label read twice (a box of its own and one merged with print beside the card).
        twice = "".join(c.ch for c in value[: len(FRONT_LABELS[key])]) == FRONT_LABELS[key]
        return value[len(FRONT_LABELS[key]) :] if twice else value
    if row.lines[0].box[0] > column:
        return _past_label_end(row, key, value_x)
    head = row.lines[0].text.replace(" ", "")
    if len(row.lines) > 1 and head and all(ch in FRONT_LABELS[key] for ch in head):
        # The label read in part in a box of its own (名, 姓 lost): the value is the boxes after it.
        # Where values begin says nothing here: measured on rows below a card rectified askew, it
        # had lain right of this row's first character (蔡欣燕 read 欣燕).
        return [c for c in row.chars if c.line > 0]
    if value_x is not None:
        limit = value_x - _VALUE_SLACK * row.lines[0].height
        return row.chars[next((i for i, c in enumerate(row.chars) if c.x >= limit), len(row.chars)) :]
    return _strip_unlabelled(row, FRONT_LABELS[key])


_VALUE_SLACK = 0.75  # line heights left of where values begin that a value's first character may lie


def _past_label_end(row: _Row, key: str, value_x: float | None) -> list[_Char]:
    """A row whose first box begins right of the label column: all of it is value, but for the
    label's own characters lying left of where values begin. A label printed spaced (住  址) can lose
    its first character to the detector, and the box then begins at the second one: 址 had been read
    into the address (址湖南省张家界市…, held-out third seed 9793 front #98).

    Where values begin is unknown when no two labels were read exactly (an overexposed card's pale
    labels): the label's last character first in the row, two characters or more after it, is then
    the label's (名肖俊建: 姓 lost, held-out third seed 9997 front #33). One character after it is no
    name: 名远 stays whole. A name that does begin with 名 is then read without it; its row's label
    was not read exactly, so a mismatch asks for review and fails no one (``Reading.unsure``).
    """
    if value_x is None:
        return _after_label_tail(row.chars, FRONT_LABELS[key]) or list(row.chars)
    limit = value_x - _VALUE_SLACK * row.lines[0].height
    k = 0
    while k < len(row.chars) and row.chars[k].ch in FRONT_LABELS[key] and row.chars[k].x < limit:
        k += 1
    return row.chars[k:]


def _value_start(rows: Sequence[_Row], found: dict[int, list[_Label]]) -> float | None:
    """Where values begin: the median place of the first character after the labels of the name,
    birth date and address read exactly (the layout prints those values from one column); None
    with fewer than two."""
    starts = [
        row.chars[lab.end].x
        for row in rows
        for lab in found[id(row)]
        if lab.exact and lab.key in _COLUMN_VALUES and lab.end < len(row.chars)
    ]
    return statistics.median(starts) if len(starts) >= 2 else None


_COLUMN_VALUES = ("name", "birth_date", "address")


def _strip_unlabelled(row: _Row, label: str) -> list[_Char]:
    """A row known by its place whose label was not recognised: drop the label part.

    A first line no wider than the label (about 2.8 line heights for two characters) is the label
    alone; a first character further from its box's start than the label is long shows that
    nothing was read where the label is printed (女 in a box from 性别's place); otherwise the label
    was read merged with the value and its characters are dropped.
    """
    first = row.lines[0]
    if len(row.lines) > 1 and first.box[2] - first.box[0] <= 1.4 * len(label) * first.height:
        return [c for c in row.chars if c.line != 0]
    if row.chars and row.chars[0].x - first.box[0] > len(label) * first.height:
        return list(row.chars)  # nothing read where the label is printed: every character is the value
    if (value := _after_label_tail(row.chars, label)) is not None:
        return value  # the label's first character lost (名肖俊建): only its last is the label's
    return row.chars[_merged_label_end(row.chars, label) :] if len(row.chars) > len(label) else []


def _after_label_tail(chars: Sequence[_Char], label: str) -> list[_Char] | None:
    """The value after a row's first character when that is the label's last (its first lost:
    名肖俊建) and two characters or more follow it; else None. One character after it is no value
    (名远 stays whole)."""
    if len(chars) > 2 and chars[0].ch == label[-1] != label[0]:
        return list(chars[1:])
    return None


def _merged_label_end(chars: Sequence[_Char], label: str) -> int:
    """How many leading characters are a label read merged with its value: the label's length, or
    fewer when the widest of the first steps, wide against the others, comes sooner (a defocused 姓名
    read as one character, 书张洋, had lost 张 with it): a label stands apart from its value. The
    label's own character after that step stays the label's (a label printed spaced, 姓 名)."""
    steps = [b.x - a.x for a, b in zip(chars, chars[1:], strict=False)]
    head = steps[: len(label)]
    if not head:
        return len(label)
    k = max(range(len(head)), key=head.__getitem__)
    others = [step for i, step in enumerate(steps) if i != k]
    if not others or head[k] < _LABEL_GAP * statistics.median(others):
        return len(label)
    return _own_chars_on(chars, label, k + 1, len(label))


_LABEL_GAP = 1.8  # of the other steps: a label's gap to its value (a character or more) against a step


def _sex_and_nation(
    keyed: dict[str, _Row], found: dict[int, list[_Label]], column: float
) -> tuple[FieldValue, FieldValue, list[_Char]]:
    """性别 and 民族 share a row: sex is one character (男/女), the nation is after its label.

    Returns:
        The sex, the nation and the characters the nation was read from.
    """
    sex_row = keyed.get("sex")
    sex_chars = _labelled_value(sex_row, "sex", found, column)
    pick = next((i for i, c in enumerate(sex_chars) if c.ch in _SEXES), None)
    if pick is None and sex_row is not None and not found[id(sex_row)]:
        # The sex alone in a box from the label's place (a defocused card's label read as nothing),
        # or after the label misread in its first box (材男, 性别 read 材: held-out seed 9991, the
        # third renderer's defocused front #10): the box had been dropped as the label alone, and
        # the nation after it with it.
        alone = {i for i, x in enumerate(sex_row.lines) if _sex_boxed(x.text.replace(" ", ""), i)}
        pick = next((i for i, c in enumerate(sex_row.chars) if c.line in alone and c.ch in _SEXES), None)
        sex_chars = sex_row.chars if pick is not None else sex_chars
    if pick is None and sex_chars:
        sex_chars = [_sex_choice(sex_chars[0]), *sex_chars[1:]]
        pick = 0 if sex_chars[0].ch in _SEXES else None
    sex = (
        _field("sex", sex_chars[pick].ch, sex_chars[pick : pick + 1])
        if pick is not None
        else FieldValue("sex", "", 0.0)
    )
    nation_row = keyed.get("nation")
    if nation_row is not None and any(lab.key == "nation" for lab in found[id(nation_row)]):
        chars = _labelled_value(nation_row, "nation", found, column)
    else:
        chars = _drop_label(sex_chars[pick + 1 :] if pick is not None else [], FRONT_LABELS["nation"])
    chars = _cjk(chars)
    return sex, _nation_field(chars), chars


_SEXES = ("男", "女")


def _sex_boxed(text: str, index: int) -> bool:
    """Whether a box of the sex's row holds the sex: alone, or, first in the row, after no more
    characters than its label has."""
    return text in _SEXES or (index == 0 and 2 <= len(text) <= 3 and text[-1] in _SEXES)


def _sex_choice(c: _Char) -> _Char:
    """The value's first character read as the one of 男/女 among the recogniser's choices there,
    as sure as that choice; as it was when neither or both are. A defocused 女 read 文 at 0.54, 女
    its second choice at 0.39 (the third renderer's seed-9821 front #78): the sex had been lost
    (review), and the nation after it. So unsure a sex still decides nothing: a check that fails
    on it asks for review, never fails a person (:mod:`idverify.decision`)."""
    options = [(alt, p) for alt, p in c.alts if alt in _SEXES and p >= _ALT_MIN]
    return _chosen(c, *options[0]) if len(options) == 1 else c


def _drop_label(chars: list[_Char], label: str) -> list[_Char]:
    """Drop a fuzzily read label at the start: one of its two characters in place, or none when an
    official name follows it.

    A label character the recogniser lost leaves a gap where it was printed, wider than the
    value's own steps: the value begins after the gap (民 柯尔克孜, 族 lost, had lost 柯 too). Where
    no gap shows it, an official name right after the label's first character is the value, when
    cutting the label's full length leaves none (民土家, 族 lost under defocus, had been cut to 家:
    held-out third seed 10031 fronts #61 and #95); the nation's own reading strips the 民.
    """
    text = "".join(c.ch for c in chars)
    if len(text) > len(label) and sum(a == b for a, b in zip(text, label, strict=False)) >= 1:
        rest = chars[_label_end(chars, len(label)) :]
        if nations.find_nation("".join(c.ch for c in rest)) is None and nations.find_nation(text) is not None:
            return chars
        return rest
    after = text[len(label) :]
    if after and nations.find_nation(text) is None and nations.find_nation(after):
        return chars[len(label) :]  # the label misread whole (批牌汉 on a defocused card): a name follows
    return chars


def _label_end(chars: list[_Char], length: int) -> int:
    """How many leading characters are the label's: ``length``, or fewer before a gap."""
    steps = [b.x - a.x for a, b in zip(chars[length:], chars[length + 1 :], strict=False)]
    if not steps:
        return length
    pitch = statistics.median(steps)
    return next((k for k in range(1, length) if chars[k].x - chars[k - 1].x > _LOST_GAP * pitch), length)


_LOST_GAP = 2.5  # of the value's own step between characters: a character was printed there
_UNSURE_LEAD = 0.5  # a nation's first character read less surely than this may be the label's


def _nation_field(chars: list[_Char]) -> FieldValue:
    """The nation as read; label remnants (民, 族) stripped only when that leaves an official name.

    A reading that is no official name takes the one substitution among the recogniser's choices
    that makes it one (柯尔克改 → 柯尔克孜), with that choice's confidence.
    """
    chars = pick_candidates(chars, lambda text: nations.find_nation(text) is not None)
    text = nations.simplify("".join(c.ch for c in chars))
    name = nations.find_nation(text)
    if name is not None and name in text:
        start = text.index(name)
        return _field("nation", name, chars[start : start + len(name)])
    if len(text) > 1 and nations.find_nation(text[1:]) == text[1:]:
        # No official name is a character and then another name (no name ends in 土, 水, 京 …), so
        # a first character before a whole name is not the value's: the label squeezed into one
        # glyph (抗蒙古, 抗 at 0.27, for 民族 蒙古 under defocus; held-out third seed 9851 front #78).
        # One read surely (批汉, 批 at 0.76: third 9871 front #10) leaves the value doubtful: its
        # confidence is at most the doubt of that character, so it is shown to be checked (请核对).
        value = _field("nation", text[1:], chars[1:])
        if chars[0].score < _UNSURE_LEAD:
            return value
        return replace(value, confidence=min(value.confidence, round(1.0 - chars[0].score, 5)))
    if set(text) <= set(FRONT_LABELS["nation"]):
        # Only the label was read (民, its 族 and the value under glare): no value, not the label
        # as the nation (the first renderer's seed-9841 front #76 had recorded 民).
        return FieldValue("nation", "", 0.0)
    return _field("nation", text, chars)


def _address(
    rows: Sequence[_Row], keyed: dict[str, _Row], found: dict[int, list[_Label]], number_row: _Row | None,
    column: float, value_x: float | None,
) -> tuple[FieldValue, list[_Char]]:  # fmt: skip
    """The address row's value and every following row up to the next labelled row, each once, in order.

    An address wraps back to where its value starts, so a continuation row counts from its line
    that begins there (within a character and a half) and runs on only through lines that follow
    it closely: a line beginning elsewhere is something else (the bottom edge of the portrait, a
    pattern read as a character, a form's print beside the card when the card's outline was taken
    too wide), wherever the printer put the portrait (lines over its usual place were left out
    already). Every line counted begins right of the label column and before the first line's
    end (with no value on the first row, that bound alone).
    """
    start = keyed.get("address")
    if start is None:
        return FieldValue("address", "", 0.0), []
    stop = min((r.top for r in rows if r.top > start.top and (found[id(r)] or r is number_row)), default=1e9)
    if value_x is None and not found[id(start)]:
        value_x = _wrap_start(start, [r for r in rows if start.top < r.top < stop], column)
    chars = _cjk_or_digit(_labelled_value(start, "address", found, column, value_x))
    first_end = max(line.box[2] for line in start.lines)
    for row in rows:
        if start.top < row.top < stop:
            keep = _continuation(row, chars[0].x if chars else None, column, first_end)
            chars += _cjk_or_digit([c for c in row.chars if c.line in keep])
    chars = _simplified(chars)
    chars = _address_end(_address_units(_address_places(chars)))
    return _field("address", "".join(c.ch for c in chars), chars), chars


def _address_places(chars: list[_Char]) -> list[_Char]:
    """The address with its place names chosen among the recogniser's candidates: first a choice
    that names the county, then any that makes the prefix fit (:func:`places.address_prefix_known`)."""
    if places.address_prefix_known("".join(c.ch for c in chars)):
        return chars
    for fits in (partial(places.address_prefix_known, county=True), places.address_prefix_known):
        picked = pick_candidates(chars, fits, head=_ADDRESS_HEAD, pair_min=_ADDRESS_PAIR_MIN)
        if picked is not chars:
            return picked
    return chars


def _address_units(chars: list[_Char]) -> list[_Char]:
    """Each character after a number in the address, when read unsurely as no unit a number takes
    (栋, 单, 室 …) and exactly one of the recogniser's likely choices there is one, taken with that
    choice's probability (the field stays doubtful).

    A number in an address is followed by its unit (13栋3单元1482室; GB/T 2260 names hold no
    digits): 栋 read 练 under motion (crossed seed 10055 front #62: 练 0.73, 栋 0.26) made the
    address 13练3单元. A character read surely stands, whatever it is (a unit not listed)."""
    out = list(chars)
    for i in range(1, len(out)):
        c = out[i]
        if not out[i - 1].ch.isdigit() or c.ch.isdigit() or c.ch in _NUMBER_UNITS or c.score >= _UNIT_SURE:
            continue
        units = [(alt, p) for alt, p in c.alts if alt in _NUMBER_UNITS and p >= _UNIT_MIN]
        if len(units) == 1:
            out[i] = _chosen(c, *units[0])
    return out


# What follows a number in an address: its unit (3号, 13栋, 3单元, 2组, 5楼, 1期 …); generous.
_NUMBER_UNITS = frozenset("号室组栋幢楼层单座区期队户排弄巷社")
_UNIT_MIN = 0.05  # a choice this likely may stand in for a character no number is followed by
_UNIT_SURE = 0.9  # a character after a number read this surely stands, whatever it is


def _address_end(chars: list[_Char]) -> list[_Char]:
    """The address's last character, when read as no address ends (只) and exactly one of the
    recogniser's likely choices there is one (号: glare over the end, crossed seed 9631 front #23,
    只 0.49 and 号 0.32), taken with that choice's probability (the field stays doubtful)."""
    if not chars or chars[-1].ch in _ADDRESS_ENDS or chars[-1].ch.isdigit() or chars[-1].score >= _END_SURE:
        return chars
    last = chars[-1]
    ends = [(alt, p) for alt, p in last.alts if alt in _ADDRESS_ENDS and p >= _END_MIN]
    if len(ends) != 1:
        return chars
    return [*chars[:-1], _chosen(last, *ends[0])]


# What an address ends in: a number's unit (号, 室, 组 …) or a place (村, 路, 小区 …); generous.
_ADDRESS_ENDS = frozenset(
    "号室组村户栋幢楼层队屯巷弄社院寨庄园苑区街路道里坊舍厂场所站校部局店寓间元湾坪冲塘桥"
    "会厦心城团屋府宅堂馆阁墅寺镇乡山岭坡河湖港口营铺门"
)
_END_MIN = 0.05  # a choice this likely at the last character may stand in for a reading no address ends in
_END_SURE = 0.9  # a last character read this surely stands, whatever it is (an ending not listed)


def _wrap_start(start: _Row, below: Sequence[_Row], column: float) -> float | None:
    """Where an unlabelled address row's value begins, from the line it wraps to: the next row's first
    character, when one of the row's own characters lies there too.

    With its label misread (住址 as 4) and too few labels read exactly to know where values begin,
    the row's first two characters had been dropped as the label, the address's 湖 with them.
    """
    if not below or below[0].lines[0].box[0] <= column or not below[0].chars:
        return None
    x = below[0].chars[0].x
    slack = _VALUE_SLACK * start.lines[0].height
    return x if any(abs(c.x - x) <= slack for c in start.chars) else None


def _continuation(row: _Row, value_x: float | None, column: float, first_end: float) -> set[int]:
    """The indices of ``row``'s lines that continue an address whose value starts at ``value_x``.

    A line counts from where its first character is, not where its box begins: a box can reach
    far left of its print (a shadow's edge taken in, 90号6栋… in a box from the card's edge).
    """
    firsts = [next((c.x for c in row.chars if c.line == i), line.box[0]) for i, line in enumerate(row.lines)]
    within = [column < x < first_end - line.height for x, line in zip(firsts, row.lines, strict=True)]
    if value_x is None:
        return {i for i, inside in enumerate(within) if inside}
    keep: set[int] = set()
    for i, (first, line) in enumerate(zip(firsts, row.lines, strict=True)):  # left to right
        if not within[i]:
            continue
        if not keep and abs(first - value_x) <= _WRAP_SLACK * line.height:
            keep.add(i)
        elif keep and line.box[0] - row.lines[max(keep)].box[2] <= _WRAP_SLACK * line.height:
            keep.add(i)
        elif keep:
            break
    return keep


_WRAP_SLACK = 1.5  # line heights: how far a wrapped line's start, or the next box, may lie


def _cjk_or_digit(chars: Iterable[_Char]) -> list[_Char]:
    return [c for c in chars if "\u4e00" <= c.ch <= "\u9fff" or c.ch.isdigit() or c.ch in "-—"]


def birth_text(raw: str) -> str:
    """``1990年1月2日`` with year, month and day each followed by its mark; "" otherwise.

    A line whose end is lost ("1987年11月") stays unreadable, not 1987-1-1.
    """
    match = _BIRTH.search(raw.replace(" ", ""))
    parsed = checks.parse_cn_date("-".join(match.groups())) if match else None
    return printed_date(parsed) if parsed else ""


def numbers_birth(number: str) -> str:
    """The birth date a valid number gives, as the card prints it (1984年4月15日); "" for no valid number."""
    try:
        return printed_date(parse_id_number(number).birth_date)
    except IdNumberError:
        return ""


def _marks_by_number(chars: list[_Char], number: str) -> list[_Char]:
    """The birth line with a mark (年, 月, 日) taken from the recogniser's choices where the line as
    read is no date and that choice makes it the number's date.

    A defocused 日 reads as 0, 日 its second choice at 0.07 (held-out third seed 10039 #95:
    2021年11月2日 read 2021年11月20, unreadable, a genuine person sent to review). Only marks stand
    in, never digits, so every digit is as read, and the mark keeps its choice's probability as its
    confidence: the date is doubtful, so were it not the number's after all, the person would go to
    review, never fail. A line that reads as a date is left as read, whatever the number says.
    """
    born = numbers_birth(number)
    if not born or birth_text("".join(c.ch for c in chars)):
        return chars
    return pick_candidates(
        chars, lambda text: birth_text(text) == born, head=len(chars), kind=_DATE_MARKS.__contains__
    )


_DATE_MARKS = frozenset("年月日")


def printed_date(day: dt.date) -> str:
    """A date as the front prints it: ``1990年1月2日`` (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


_BIRTH = re.compile(r"(\d{4})\D{1,2}?(\d{1,2})\D{1,2}?(\d{1,2})\D")


def read_back(lines: Sequence[CardLine], width: float = 856.0) -> Reading:
    """Assign the emblem side's fields: authority, valid_from, valid_until.

    The validity row is the one whose value holds a date; the authority row the one holding 公安
    or 局 (its shape is checked in :mod:`idverify.places`). Labels decide first; content decides
    when a label is missing or two rows claim one (a turned, glared card).
    """
    rows = group_rows(lines)
    floor, column = _label_bounds(rows, width, tuple(BACK_LABELS.values()))
    found = {id(row): _find_labels(row, BACK_LABELS, column, floor) for row in rows}
    values: dict[str, list[_Char]] = {}
    for row in rows:
        for lab in found[id(row)]:
            values.setdefault(lab.key, _value(row, lab, found[id(row)]))
    validity = values.get("validity")
    if validity is None or not _DATE.search("".join(c.ch for c in validity)):
        dated = [r for r in rows if _DATE.search(r.text)]
        validity = _after_label(dated[-1], "有效期限") if dated else []
    authority = values.get("authority")
    if authority is None or "公安" not in "".join(c.ch for c in authority):
        police = [r for r in rows if "公安" in r.text or r.text.endswith("局")]
        authority = _after_label(police[-1], "签发机关") if police else (authority or [])
    authority, trimmed = _fit_authority(_simplified(_cjk(authority)))
    auth_text = "".join(c.ch for c in authority)
    doubtful = trimmed or not places.authority_shape_ok(auth_text)
    notes = ["authority_uncertain"] if auth_text and doubtful else []
    fields = {"authority": _field("authority", auth_text, authority)}
    validity = pick_candidates(list(validity), _lawful_text, head=len(validity), kind=str.isdigit)
    fields.update(_validity_fields("".join(c.ch for c in validity), validity))
    labels = sum(len(found[id(row)]) for row in rows) + sum(
        1 for row in rows for t in TITLES if t in row.text
    )
    spans = {"authority": authority, "valid_from": validity, "valid_until": validity}
    boxes = {key: _boxes(chars) for key, chars in spans.items() if fields[key].text}
    return Reading(fields, tuple(notes), labels, boxes)


def _fit_authority(chars: list[_Char]) -> tuple[list[_Char], bool]:
    """The authority as read, a place in it picked from the recogniser's choices (see
    :func:`pick_candidates`), or else the longest whole authority within it; and whether it was cut
    within a line of its own.

    An authority ends in 局 (…公安局, …分局). Characters after it are print beside the card read
    into the same row (a form under the card: 福泉市公安局可证申, 淑浦县公安局办理业), and
    characters before its place a misread label (营菜机发安化县公安局); both are dropped when what
    is left is a whole authority (its place picked the same way). A tail holding 分 stays (a branch
    whose 局 was misread: …公安局芙蓉分居). A field cut within a line the authority was read on stays
    flagged: what was cut may have been the card's own. Cut only of lines of their own (a page's
    按照 beside 签发机关双峰县公安局, its own box), it is not: the detector parts a card's line from
    print beside it.
    """
    picked = pick_candidates(chars, places.authority_shape_ok)
    text = "".join(c.ch for c in picked)
    if not text or places.authority_shape_ok(text):
        return picked, False
    end = text.rfind("局") + 1
    stops = [len(text)] + ([end] if 0 < end < len(text) and "分" not in text[end:] else [])
    for stop in stops:
        for start in range(stop - _SHORTEST_AUTHORITY + 1):
            if (start, stop) != (0, len(text)):
                part = pick_candidates(chars[start:stop], places.authority_shape_ok)
                if places.authority_shape_ok("".join(c.ch for c in part)):
                    own = {c.line for c in chars[start:stop]}
                    return part, any(c.line in own for c in (*chars[:start], *chars[stop:]))
    return picked, False


_SHORTEST_AUTHORITY = 5  # X县公安局


def _after_label(row: _Row, label: str) -> list[_Char]:
    """A row found by its content: everything after its label, the label read whole, half of it in
    its places, or as far as its characters go."""
    text = row.text
    pos = text.find(label)
    if pos >= 0:
        return row.chars[pos + len(label) :]
    in_place = sum(a == b for a, b in zip(text, label, strict=False))
    if in_place >= (len(label) + 1) // 2 and len(text) > len(label) + 1:
        return row.chars[len(label) :]  # the label misread but in its places (答发机关 for 签发机关)
    head = 0
    while head < min(len(label), len(text)) and text[head] in label:
        head += 1
    return row.chars[head:]


def _lawful_text(text: str) -> bool:
    """Whether a validity reading is a period the law gives (:func:`checks.lawful_period`): what picks
    a digit among the recogniser's choices when one date was misread (2023.03.30-2043.03.31)."""
    start, end, long_term = checks.parse_validity(text)
    return start is not None and (long_term or (end is not None and checks.lawful_period(start, end)))


def _validity_fields(text: str, chars: Sequence[_Char]) -> dict[str, FieldValue]:
    start, end, long_term = checks.parse_validity(text)
    until = "长期" if long_term else (end.strftime("%Y.%m.%d") if end else "")
    score = min((c.score for c in chars), default=0.0)
    return {
        "valid_from": FieldValue(
            "valid_from", start.strftime("%Y.%m.%d") if start else "", score if start else 0.0
        ),
        "valid_until": FieldValue("valid_until", until, score if until else 0.0),
    }


def side_evidence(lines: Sequence[CardLine]) -> dict[str, float]:
    """How strongly the lines look like each side, 0-1: front (number + labels), back (titles + labels).

    Titles count when all but one of their characters are read in place, so the front's 公民身份号码
    (three characters of 居民身份证) does not pass for the back's title, and only from short lines:
    the titles are printed on lines of their own, and a page under a card found by its print had
    passed for a back with its 居民身份证原件工作人员将核对… (a genuine front failed as the wrong side).
    The number is looked for along each row of print: an upside-down card's digit fragments, read on
    lines one above the other and joined, had made 17 digits (alt seed 2468 #95, convincing enough
    that the card was never turned: every field lost).
    """
    number, front_labels, title, back_labels = _evidence(lines)
    return {
        "front": 0.6 * number + 0.4 * front_labels / len(FRONT_LABELS),
        "back": 0.6 * title + 0.4 * back_labels / len(BACK_LABELS),
    }


def labels_seen(lines: Sequence[CardLine]) -> bool:
    """Whether any label or title of either side is read in place.

    A run of digits alone does not show which way up a card lies: a number upside down reads as
    digits too (0, 8 and 6/9 turn into digits), and a card turned 270 degrees read upside down had
    its number's 15 digits pass for a front's (alt seed 8131 #82: every other field lost).
    """
    _, front_labels, title, back_labels = _evidence(lines)
    return bool(front_labels or back_labels or title)


def _evidence(lines: Sequence[CardLine]) -> tuple[float, int, float, int]:
    """The number's share of 18 digits, the front's labels read, the title's share, the back's labels."""
    texts = [unicodedata.normalize("NFKC", x.text).replace(" ", "") for x in lines]
    text = "".join(texts)
    rows = [unicodedata.normalize("NFKC", row.text).replace(" ", "") for row in group_rows(lines)]
    runs = [len(m.group()) for row in rows for m in _NUMBER_RUN.finditer(row)]
    number = min(max(runs, default=0), 18) / 18
    front_labels = sum(_window_hits(text, label) >= len(label) - 1 for label in FRONT_LABELS.values())
    titled = "".join(t for t in texts if len(t) <= _TITLE_LINE)
    title = max(
        _window_hits(titled, t) / len(t) if _window_hits(titled, t) >= len(t) - 1 else 0.0 for t in TITLES
    )
    back_labels = sum(_window_hits(text, label) >= len(label) - 1 for label in BACK_LABELS.values())
    return number, front_labels, title, back_labels


_TITLE_LINE = len(TITLES[0]) + 3  # characters: a title's line, with a little pattern read beside it


def _window_hits(text: str, target: str) -> int:
    """Most characters of ``target`` in place over any window of ``text``."""
    span = len(target)
    return max((sum(a == b for a, b in zip(text[i : i + span], target, strict=False))
                for i in range(max(1, len(text) - span + 1))), default=0)  # fmt: skip
