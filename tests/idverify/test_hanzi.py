"""Traditional forms read on a mainland card, given as the simplified characters it prints."""

from __future__ import annotations

import pytest

from idverify.hanzi import simplified, to_simplified


@pytest.mark.parametrize(
    ("read", "printed"), [("繆", "缪"), ("頭", "头"), ("沖", "冲"), ("國", "国"), ("鍾", "钟")]
)
def test_traditional_form_becomes_the_simplified_character(read: str, printed: str) -> None:
    assert simplified(read) == printed


@pytest.mark.parametrize(
    "char",
    [
        "著",  # in GB 2312: printed as itself (著名), although OpenCC maps it to 着
        "乾",  # OpenCC lists it among its own simplified forms (乾坤, names)
        "於",  # a surname in the standard list
        "昇",  # restored for names in 通用规范汉字表
        "缪",  # already simplified
        "7",
        "·",
    ],
)
def test_characters_a_mainland_card_prints_are_kept(char: str) -> None:
    assert simplified(char) == char


def test_whole_text_converted_character_by_character() -> None:
    assert to_simplified("湖南省頭坪镇沖龙村12号") == "湖南省头坪镇冲龙村12号"
