"""The 56 ethnic groups of China as printed in the 民族 field (GB/T 3304-1991 names, without 族).

The field holds one of these names or nothing else, so the list tells a clean reading from a
doubtful one. It is used to *check* what OCR read, never to replace it: a reading that is not on
the list stays as read and is flagged.
"""

from __future__ import annotations

import re

#: GB/T 3304 order (the code is the position + 1, two digits: 01 汉 ... 56 基诺).
NATIONS: tuple[str, ...] = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

_BY_NAME = frozenset(NATIONS)
# Traditional forms of the characters of the names: the same character in another glyph (a serif
# face's 汉 is read as 漢), not another reading.
_TRADITIONAL = str.maketrans(
    "漢維爾滿壯瑤鮮倫納薩東達錫獨龍門羅烏別僳傈頗", "汉维尔满壮瑶鲜伦纳萨东达锡独龙门罗乌别僳傈颇"
)


def is_nation(text: str) -> bool:
    """True when ``text`` is exactly one of the 56 names (a trailing 族 is tolerated)."""
    return text in _BY_NAME or (text.endswith("族") and text[:-1] in _BY_NAME)


def nation_code(text: str) -> str | None:
    """The two-digit GB/T 3304 code of a name, e.g. ``"01"`` for 汉; None when not a name."""
    name = text[:-1] if text.endswith("族") and text[:-1] in _BY_NAME else text
    return f"{NATIONS.index(name) + 1:02d}" if name in _BY_NAME else None


def simplify(text: str) -> str:
    """Traditional glyphs of the names' characters replaced by the simplified ones (漢 -> 汉)."""
    return text.translate(_TRADITIONAL)


def find_nation(text: str) -> str | None:
    """The official name ``text`` holds once label remnants are stripped, else None.

    OCR may leave part of the 民族 label in front of the value (``族蒙古``) or read a trailing 族;
    no name starts with 民 or 族, so those are stripped from the left. Traditional glyphs of the
    names' characters (漢) are read as the simplified ones the card prints. Nothing else is forgiven:
    ``土冢`` is not 土 (it is probably a misread 土家), so it gives None and the caller flags it.
    """
    cleaned = re.sub(r"[^\u4e00-\u9fff]", "", text).translate(_TRADITIONAL).lstrip("民族")
    if cleaned.endswith("族") and cleaned[:-1] in _BY_NAME:
        cleaned = cleaned[:-1]
    return cleaned if cleaned in _BY_NAME else None
