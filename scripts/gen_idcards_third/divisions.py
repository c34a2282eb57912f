"""GB/T 2260 county divisions, named as they were in a given year, and the authority that issues cards.

The table is python-stdnum's loc.dat (a declared dependency), which keeps each code's names with the years
they were used: a card prints the county as it was called when the card was issued (邵东县 before 2019,
邵东市 after), so names are looked up by year, not taken from today's list.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class _Division:
    province: str
    prefecture: str  # "" for a municipality's districts and counties
    county: str
    code: str


def _name_in(spec: str, year: int) -> str | None:
    """The name a loc.dat entry ("[1983-2019]邵东县,[2019-]邵东市") had in `year`, if any."""
    for part in spec.split(","):
        m = re.fullmatch(r"(?:\[(\d*)-(\d*)\])?(.+)", part)
        if not m:
            continue
        start, end, name = int(m[1] or 0), int(m[2] or 9999), m[3]
        if start <= year < end:
            return name
    return None


@functools.cache
def _division_table() -> dict[str, dict[str, str]]:
    """loc.dat as {province code: {4-digit code: name spec}}, province name under key ''."""
    spec = importlib.util.find_spec("stdnum")
    assert spec is not None and spec.submodule_search_locations  # noqa: S101 - a declared dependency
    text = (Path(spec.submodule_search_locations[0]) / "cn" / "loc.dat").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = {}
    current: dict[str, str] = {}
    for line in text.splitlines():
        if m := re.match(r'^(\d\d) province="(.*)"', line):
            current = table.setdefault(m[1], {"": m[2]})
        elif m := re.match(r'^\s+(\d{4}) county="(.*)"', line):
            current[m[1]] = m[2]
    return table


def _divisions(prefix: str, year: int) -> list[_Division]:
    """Counties whose code starts with `prefix` (2 or 4 digits) as named in `year`."""
    table = _division_table()[prefix[:2]]
    province = _name_in(table[""], year) or table[""]
    out = []
    for code, spec in table.items():
        if not code or code.endswith("00") or code[:2] == "90" or not code.startswith(prefix[2:]):
            continue
        county = _name_in(spec, year)
        if not county or county in ("市辖区", "县", "市区", "郊区", "矿区") or county.endswith("市辖区"):
            continue
        pref = _name_in(table.get(code[:2] + "00", ""), year) or ""
        if pref in ("市辖区", "县") or province.endswith("市"):
            pref = ""
        out.append(_Division(province, pref, county, prefix[:2] + code))
    return out


def _authority(div: _Division) -> str:
    if div.county.endswith("区"):
        city = div.prefecture or div.province
        return f"{city}公安局{div.county[:-1]}分局"
    return f"{div.county}公安局"
