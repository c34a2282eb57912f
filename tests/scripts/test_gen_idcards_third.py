"""The third ID-card renderer: people are self-consistent, output is deterministic and decodes."""

from __future__ import annotations

import datetime as dt
import io
import random
import re

import pytest
from PIL import Image

from scripts import gen_idcards_third as third


@pytest.fixture(scope="module")
def clean_pair() -> list[third.Sample]:
    return third.generate(2, seed=7, degradations=("clean",))


def _gb11643(number: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(d) * w for d, w in zip(number, weights, strict=False)) % 11]


@pytest.mark.parametrize("i", range(40))
def test_identity_is_self_consistent(i: int) -> None:
    p = third.make_identity(random.Random(f"test-{i}"))
    number = p.id_number
    assert re.fullmatch(r"\d{17}[\dX]", number)
    assert number[17] == _gb11643(number)
    assert number[6:14] == p.birth.strftime("%Y%m%d")
    assert int(number[16]) % 2 == (1 if p.sex == "男" else 0)
    assert p.nation in third.NATIONS and not p.nation.endswith("族")
    assert 2 <= len(p.name.replace("·", "")) and (len(p.name) <= 4 or "·" in p.name)
    assert p.valid_from <= third.REFERENCE_DATE
    assert p.valid_until is None or p.valid_until > third.REFERENCE_DATE


@pytest.mark.parametrize("i", range(40))
def test_validity_term_follows_age_at_issue(i: int) -> None:
    p = third.make_identity(random.Random(f"term-{i}"))
    start = p.valid_from
    age = start.year - p.birth.year - ((start.month, start.day) < (p.birth.month, p.birth.day))
    if age >= 46:
        assert p.valid_until is None
    else:
        assert p.valid_until is not None
        assert (p.valid_until.month, p.valid_until.day) == (start.month, start.day)
        assert p.valid_until.year - start.year == (5 if age < 16 else 10 if age <= 25 else 20)


def test_truth_fields(clean_pair: list[third.Sample]) -> None:
    front, back = clean_pair[0], clean_pair[2]
    assert set(front.truth) == {"name", "sex", "nation", "birth_date", "address", "id_number"}
    assert set(back.truth) == {"authority", "valid_from", "valid_until"}
    b = front.person.birth
    assert front.truth["birth_date"] == f"{b.year}年{b.month}月{b.day}日"
    assert dt.datetime.strptime(back.truth["valid_from"], "%Y.%m.%d")
    assert back.truth["valid_until"] == "长期" or dt.datetime.strptime(back.truth["valid_until"], "%Y.%m.%d")
    assert back.truth["authority"].endswith(("公安局", "分局"))


def test_fronts_then_backs_of_the_same_people(clean_pair: list[third.Sample]) -> None:
    assert [s.side for s in clean_pair] == ["front", "front", "back", "back"]
    assert clean_pair[0].person == clean_pair[2].person
    assert clean_pair[1].person == clean_pair[3].person
    assert clean_pair[0].person != clean_pair[1].person


def test_jpegs_decode(clean_pair: list[third.Sample]) -> None:
    for sample in clean_pair:
        image = Image.open(io.BytesIO(sample.jpeg))
        assert image.format == "JPEG"
        assert 800 <= max(image.size) <= 2000


def test_same_seed_same_bytes(clean_pair: list[third.Sample]) -> None:
    again = third.generate(2, seed=7, degradations=("clean",))
    assert [s.jpeg for s in again] == [s.jpeg for s in clean_pair]


def test_degradations_cycle_and_render() -> None:
    samples = third.generate(2, seed=1, sides=("back",), degradations=("glare", "thumb"))
    assert [s.degradation for s in samples] == ["glare", "thumb"]
    assert all(Image.open(io.BytesIO(s.jpeg)).size for s in samples)


@pytest.mark.parametrize(
    "kwargs", [{"sides": ("front", "side")}, {"degradations": ("clean", "fog")}, {"degradations": ()}]
)
def test_unknown_side_or_condition_is_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        third.generate(1, **kwargs)
