"""GB/T 2260 administrative division codes, current and historical.

The table comes from python-stdnum's ``cn/loc`` database (maintained upstream, compiled from the
national code lists), so no national table is typed by hand here. Each county entry may carry
year ranges such as ``[1983-1995]东区,[1996-]芙蓉区``: an entry whose last range is open is in
use today; every code ever listed is valid in an ID number, because numbers keep the code of the
place where they were first issued.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

_RANGE = re.compile(r"^\[(\d{4})?-(\d{4})?\](.+)$")


@dataclass(frozen=True, slots=True)
class Division:
    """One six-digit division code.

    Attributes:
        code: the six-digit code, e.g. ``"430102"``.
        name: the latest name used for the code.
        current: whether the code is in use today.
        since: first year of the latest name, when the table gives one.
    """

    code: str
    name: str
    current: bool
    since: int | None = None

    @property
    def level(self) -> str:
        """``province``, ``city`` or ``county`` from the code's shape."""
        if self.code.endswith("0000"):
            return "province"
        if self.code.endswith("00"):
            return "city"
        return "county"

    @property
    def parent_code(self) -> str | None:
        """The code of the enclosing division, or None for a province."""
        if self.level == "province":
            return None
        if self.level == "city":
            return self.code[:2] + "0000"
        return self.code[:4] + "00"


def _latest(names: str) -> tuple[str, bool, int | None]:
    """Pick the newest name out of a ``[a-b]name,[c-]name`` list and say if it is current."""
    last = names.split(",")[-1]
    match = _RANGE.match(last)
    if not match:
        return last, True, None
    start, end, name = match.groups()
    return name, end is None, int(start) if start else None


def loc_entries() -> Iterator[tuple[str, str | None, str]]:
    """Every entry of python-stdnum's GB/T 2260 table (``cn/loc.dat``), in file order, as
    (province key, entry key or None for the province's own line, the entry's name value)."""
    text = resources.files("stdnum").joinpath("cn/loc.dat").read_text(encoding="utf-8")
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, props = line.strip().partition(" ")
        value = props.split("=", 1)[1].strip('"')
        if not line.startswith(" "):
            province = key
            yield province, None, value
        else:
            yield province, key, value


@cache
def load_divisions() -> dict[str, Division]:
    """Parse the packaged table once; returns code -> Division for every code ever listed."""
    table: dict[str, Division] = {}
    for province, key, value in loc_entries():
        if key is None:
            table[province + "0000"] = Division(province + "0000", value, True)
            continue
        code = province + key
        if code.endswith("0000"):
            continue
        name, current, since = _latest(value)
        table[code] = Division(code, name, current, since)
    return table


def division_exists(code: str) -> bool:
    """True when ``code`` was ever a GB/T 2260 county-level or higher code (history included)."""
    return code in load_divisions()


def children(code: str, *, current_only: bool = True) -> list[Division]:
    """Direct children of a province or city code, sorted by code.

    Args:
        code: a province (``430000``) or city (``430100``) code.
        current_only: leave out codes no longer in use (the default, for organisation trees).
    """
    table = load_divisions()
    kids = [d for d in table.values() if d.parent_code == code and d.code != code]
    if current_only:
        # "市辖区" is a statistical bucket for a city's districts, not a place an office sits in.
        kids = [d for d in kids if d.current and d.name != "市辖区"]
    return sorted(kids, key=lambda d: d.code)
