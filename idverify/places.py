"""Place names of GB/T 2260 (every name a code ever had) for checking the address and the authority.

Both fields name places: the address starts with province, city and county, and the issuing
authority is ``<city or county>公安局`` or ``<city>公安局<district>分局``. Names are taken from
python-stdnum's ``cn/loc`` table, history included (old cards keep old names). A reading that does
not fit is *flagged* (a warning the service can show to support staff); it is never rewritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from idverify.divisions import loc_entries

_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "地区",
             "林区", "新区", "省", "市", "县", "区", "盟", "旗")  # fmt: skip
_AUTHORITY = re.compile(
    r"^(?P<place>[\u4e00-\u9fff]{2,12}?)公安局(?:(?P<branch>[\u4e00-\u9fff]{1,10})分局)?$"
)


@dataclass(frozen=True, slots=True)
class Places:
    """Names by province (two-digit prefix) and all names with their short forms."""

    provinces: dict[str, str]  # full name -> two-digit prefix
    by_province: dict[str, frozenset[str]]  # prefix -> every full name under it
    all_names: frozenset[str]  # every full and short name


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def load_places() -> Places:
    """Parse the packaged table once (every historical name of every code)."""
    provinces: dict[str, str] = {}
    by_province: dict[str, set[str]] = {}
    for province, key, value in loc_entries():
        if key is None:
            provinces[value] = province
            by_province.setdefault(province, set())
            continue
        for part in value.split(","):
            name = re.sub(r"^\[\d{0,4}-\d{0,4}\]", "", part)
            if name and name != "市辖区" and name != "县":
                by_province[province].add(name)
    names = {n for group in by_province.values() for n in group} | set(provinces)
    every = frozenset(names | {_short(n) for n in names})
    return Places(provinces, {k: frozenset(v) for k, v in by_province.items()}, every)


def address_prefix_known(address: str) -> bool:
    """True when the address starts with a province and then a place of that province.

    ``湖南省长沙市芙蓉区…`` and ``湖南省宁乡县…`` pass; a misread province or county does not.
    Municipalities (北京市, 上海市 …) are followed directly by their districts.
    """
    places = load_places()
    for province, prefix in places.provinces.items():
        if address.startswith(province):
            rest = address[len(province) :]
            known = places.by_province[prefix]
            first = max((n for n in known if len(n) >= 2 and rest.startswith(n)), key=len, default=None)
            return first is not None and _county_known(rest[len(first) :], first, known)
    return False


def _county_known(rest: str, city: str, known: frozenset[str]) -> bool:
    """After a prefecture-level city, the county that follows is a place of the province too.

    ``湖南省怀化市激浦县`` (溆 misread) passed on its city alone. Only a county-shaped start is
    checked (a name ending in 县, 区, 市 or 旗); an address that goes on to its street without one
    is left alone.
    """
    if not city.endswith(_PREFECTURE_ENDINGS) or any(rest.startswith(n) for n in known if len(n) >= 2):
        return True
    return _COUNTY.match(rest) is None


_PREFECTURE_ENDINGS = ("市", "州", "地区", "盟")
_COUNTY = re.compile(r"^[\u4e00-\u9fff]{1,6}?[县区市旗]")


def authority_shape_ok(authority: str) -> bool:
    """True when the text has the authority's shape and its place names are GB/T 2260 names.

    ``长沙市公安局芙蓉分局``, ``宁乡县公安局`` pass; ``卓市公安周附湖分局`` (glare) does not.
    """
    match = _AUTHORITY.match(authority)
    if not match:
        return False
    places = load_places()
    place, branch = match.group("place"), match.group("branch")
    if place not in places.all_names and not any(
        place.startswith(p) and place[len(p) :] in places.all_names for p in places.provinces
    ):
        return False
    return branch is None or branch in places.all_names or _short(branch) in places.all_names
