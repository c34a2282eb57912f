"""Simplified forms of traditional characters, for what the recogniser reads on a mainland card.

Mainland ID cards print the standard simplified characters (通用规范汉字表). A serif face can make
the recogniser read a character as its traditional form (繆 for 缪, 頭 for 头); such a reading is
the same character in another glyph, not another character. The table is OpenCC's
``TSCharacters`` (character by character, no phrases), as shipped offline by ``opencc-purepy``.

Only characters that cannot be printed on a mainland card are changed: a character in GB 2312 is
a simplified-era character whatever OpenCC maps it to (著 stays 著), and a character that OpenCC
lists among its own simplified forms is kept (乾, 於 and 昇 are all still printed in names).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

_TABLE = ("opencc_purepy", "dicts/TSCharacters.txt")


@cache
def _simplified_forms() -> dict[str, str]:
    """Traditional character -> its simplified form, for characters a mainland card never prints."""
    package, path = _TABLE
    text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2 or parts[0].startswith("#") or len(parts[0]) != 1:
            continue
        traditional, candidates = parts[0], parts[1:]
        if traditional in candidates or in_gb2312(traditional):
            continue
        table[traditional] = candidates[0]
    return table


def in_gb2312(text: str) -> bool:
    """True when every character is in GB 2312 (the simplified characters of everyday print)."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified(char: str) -> str:
    """The simplified form of one character read as a traditional form, else the character itself."""
    return _simplified_forms().get(char, char)


def to_simplified(text: str) -> str:
    """``text`` with each traditional form replaced by its simplified form (頭坪镇 -> 头坪镇)."""
    table = _simplified_forms()
    return "".join(table.get(ch, ch) for ch in text)
