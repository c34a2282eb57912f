"""The second ID-card renderer: ground truth is self-consistent and output is deterministic."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from PIL import Image

from scripts import gen_idcards_alt as alt


def _check_digit_ok(number: str) -> bool:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(number[:17], weights, strict=True))
    return "10X98765432"[total % 11] == number[17]


@pytest.fixture(scope="module")
def samples() -> list[alt.Sample]:
    return alt.generate(2, seed=7, degradations=("clean",))


def test_front_truth_consistent_with_number(samples: list[alt.Sample]) -> None:
    fronts = [s for s in samples if s.side == "front"]
    assert len(fronts) == 2
    for s in fronts:
        t = s.truth
        number = t["id_number"]
        assert len(number) == 18 and number[:17].isdigit() and _check_digit_ok(number)
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        assert t["birth_date"] == f"{birth.year}年{birth.month}月{birth.day}日"
        assert t["sex"] == ("男" if int(number[16]) % 2 else "女")
        assert t["nation"] in alt.NATIONS and not t["nation"].endswith("族")
        assert 2 <= len(t["name"]) <= 4
        assert number[:6] in set(alt._divisions()[2])


def test_back_truth_valid_on_reference_date(samples: list[alt.Sample]) -> None:
    for s in (s for s in samples if s.side == "back"):
        t = s.truth
        assert t["authority"].endswith(("局", "分局"))
        start = dt.datetime.strptime(t["valid_from"], "%Y.%m.%d").date()
        assert start <= alt.REFERENCE_DATE
        if t["valid_until"] != "长期":
            end = dt.datetime.strptime(t["valid_until"], "%Y.%m.%d").date()
            assert end > alt.REFERENCE_DATE
            assert (end.month, end.day) == (start.month, start.day)
            assert end.year - start.year in (5, 10, 20)


def test_jpegs_decode_and_pair_up(samples: list[alt.Sample]) -> None:
    assert [(s.side, s.degradation) for s in samples] == [("front", "clean")] * 2 + [("back", "clean")] * 2
    for s in samples:
        with Image.open(io.BytesIO(s.jpeg)) as im:
            assert im.format == "JPEG" and min(im.size) > 300
    fronts = [s.person for s in samples if s.side == "front"]
    backs = [s.person for s in samples if s.side == "back"]
    assert fronts == backs


def test_deterministic_per_seed() -> None:
    a = alt.generate(1, seed=3, sides=("back",), degradations=("rotate90",))
    b = alt.generate(1, seed=3, sides=("back",), degradations=("rotate90",))
    c = alt.generate(1, seed=4, sides=("back",), degradations=("rotate90",))
    assert a[0].jpeg == b[0].jpeg and a[0].truth == b[0].truth
    assert a[0].jpeg != c[0].jpeg


def test_validity_rules_by_age() -> None:
    rng = random.Random(11)
    for _ in range(300):
        p = alt.make_identity(rng)
        age = (
            p.valid_from.year
            - p.birth.year
            - ((p.valid_from.month, p.valid_from.day) < (p.birth.month, p.birth.day))
        )
        years = None if p.valid_until is None else p.valid_until.year - p.valid_from.year
        expected = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
        assert years == expected
        p.name.encode("gb2312")  # rarer characters, but all in GB 2312 (county names may not be)
