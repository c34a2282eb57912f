"""A third, independent renderer of Chinese second-generation resident ID cards (第二代居民身份证).

It is a held-out test set for the card reader: written from what real cards and real phone photos look
like, not from the two other renderers in this folder, and not tuned against the reader.

What it models
    People: an 18-digit number with a real GB/T 2260 county code (python-stdnum's division table, with the
    name each code had in the year the card was issued, so 邵东县 before 2019 and 邵东市 after), the birth
    date, a sequence whose last digit is odd for 男 and even for 女, and the GB 11643 check digit. Most
    people are from Hunan (43xxxx); the others from a few provinces, with Uyghur, Kazakh, Kyrgyz people
    mostly in Xinjiang and Mongol, Ewenki people mostly in Inner Mongolia. All 56 nationalities (GB/T 3304
    names without 族), 汉 about 60 %. Names of 2-4 characters with compound surnames sometimes, and
    transliterated names with the middle dot (买买提·艾力) for some Uyghur and Kazakh people (under 5 %).
    Addresses: province, prefecture and county spelled out, then a road and number or a 镇/乡, 村 and 组,
    sometimes 栋/单元/室, wrapped by the value font's width over 1-3 lines. The card valid on
    REFERENCE_DATE with the term set by the age at issue (<16: 5 years, 16-25: 10, 26-45: 20, 46+: 长期)
    and the issuing authority named from the county (分局 of a district, 县/市 公安局 otherwise).
    Front: blue labels (姓名, 性别/民族 on one row, 出生 with 年 月 日 printed between the numbers, 住址,
    公民身份号码), black values, the portrait on the right (tests/fixtures/faces), a pale guilloche ground.
    Back: an abstract red and gold emblem, 中华人民共和国 and 居民身份证, 签发机关 and 有效期限.
    Each card draws its own layout jitter, letter spacing, label/value gap, line spacing, font sizes and a
    font style (labels in 江城正义体, Sarasa Mono SC or WenQuanYi Micro Hei; values in
    Sarasa Mono SC with 江城正义体 digits, in 江城正义体, or in a faux-bold Noto Serif SC; the number
    in 江城正义体, WenQuanYi or Noto Serif digits, sometimes widely spaced). A glyph missing from a
    font falls back to 江城正义体, then Noto Serif.
Photographed conditions
    DEGRADATIONS are what phones do to a card a reader should still read; HARD_DEGRADATIONS are what it
    may reject. Photos are 1000-2000 px on the long side, some in portrait orientation, the card seen in
    3-D perspective over wood, fabric, a desk or a printed page of Chinese text.
Limits
    The guilloche, emblem, Great Wall and portrait are abstractions; no optically variable ink, no
    micro-print, no laser-engraved texture. Face photos are only the five fixtures. Street, town and
    village names are made of a small stock of syllables. County-level divisions directly under a province
    (codes xx90xx) are not used. The number carries the code of the county in the address, never a former
    home's. Digits in addresses are drawn in the value font (real cards print them alike).

The package
    people (with divisions) draws who is on the card; fonts, card, front and back print it; backgrounds,
    scene and camera photograph it, and photo holds the conditions; generate() here ties them together
    and __main__ writes the photos to a folder.

Usage: ``python -m scripts.gen_idcards_third --out DIR --n N --seed S [--hard]`` writes N photos per side and
truth.json; --hard cycles through HARD_DEGRADATIONS as well. About 0.3 s a photo.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from .back import render_back
from .card import CARD_MM, PX_PER_MM
from .fonts import FONT_FILES, wrap_address
from .front import render_front
from .people import FACES_DIR, NATIONS, REFERENCE_DATE, REPO, Identity, check_digit, make_identity
from .photo import DEGRADATIONS, HARD_DEGRADATIONS, _photograph

__all__ = [
    "CARD_MM",
    "DEGRADATIONS",
    "FACES_DIR",
    "FONT_FILES",
    "HARD_DEGRADATIONS",
    "NATIONS",
    "PX_PER_MM",
    "REFERENCE_DATE",
    "REPO",
    "SIDES",
    "Identity",
    "Sample",
    "_photograph",
    "check_digit",
    "generate",
    "make_identity",
    "photo",
    "render_back",
    "render_front",
    "wrap_address",
]

SIDES = ("front", "back")


@dataclass(frozen=True)
class Sample:
    """One rendered photo of one side of a card and what it says."""

    side: str
    degradation: str
    jpeg: bytes
    truth: dict[str, str]
    person: Identity


def generate(
    n: int,
    *,
    seed: int = 0,
    sides: Sequence[str] = SIDES,
    degradations: Sequence[str] = DEGRADATIONS,
) -> list[Sample]:
    """Render n photos per side: all fronts, then all backs; sample i of each side is the same person.

    Args:
        n: photos per side.
        seed: the same seed gives the same bytes on the same machine.
        sides: any of "front", "back".
        degradations: conditions, cycled as degradations[i % len(degradations)].

    Raises:
        ValueError: an unknown side or condition, or no conditions.
    """
    if unknown := [s for s in sides if s not in SIDES]:
        raise ValueError(f"unknown side(s) {unknown}; expected {SIDES}")
    known = DEGRADATIONS + HARD_DEGRADATIONS
    if not degradations or (unknown := [d for d in degradations if d not in known]):
        raise ValueError(f"unknown or no degradation(s) {list(degradations)}; expected some of {known}")
    samples = []
    for side in sides:
        for i in range(n):
            degradation = degradations[i % len(degradations)]
            person, jpeg = photo(seed, side, i, degradation)
            truth = person.front_truth() if side == "front" else person.back_truth()
            samples.append(Sample(side, degradation, jpeg, truth, person))
    return samples


def photo(seed: int, side: str, index: int, degradation: str) -> tuple[Identity, bytes]:
    """Person ``index`` of set ``seed`` and their photo of ``side`` under ``degradation``: one sample
    of :func:`generate`, drawn alone (each depends only on these four)."""
    person = make_identity(random.Random(f"third-{seed}-person-{index}"))
    rng = random.Random(f"third-{seed}-{side}-{index}-{degradation}")
    card = render_front(person, rng) if side == "front" else render_back(person, rng)
    return person, _photograph(card, side, degradation, rng)
