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
    codes: dict[str, frozenset[str]]  # every full and short name -> the codes it ever named
    counties: dict[str, frozenset[str]]  # a city's four-digit prefix -> its counties' full names


def _forms(name: str) -> set[str]:
    """The name and its short forms: 万柏林区 is written 万柏林 (not 万柏, though 林区 is a suffix
    too: 神农架林区 → 神农架), 芙蓉区 芙蓉."""
    return {name} | {
        name[: -len(suffix)] for suffix in _SUFFIXES if name.endswith(suffix) and len(name) - len(suffix) >= 2
    }


@cache
def load_places() -> Places:
    """Parse the packaged table once (every historical name of every code)."""
    provinces: dict[str, str] = {}
    by_province: dict[str, set[str]] = {}
    codes: dict[str, set[str]] = {}
    counties: dict[str, set[str]] = {}
    for province, key, value in loc_entries():
        if key is None:
            provinces[value] = province
            by_province.setdefault(province, set())
            _name_code(codes, value, province + "0000")
            continue
        for part in value.split(","):
            name = re.sub(r"^\[\d{0,4}-\d{0,4}\]", "", part)
            if name and name != "市辖区" and name != "县":
                by_province[province].add(name)
                _name_code(codes, name, province + key)
                if not key.endswith("00"):
                    counties.setdefault(province + key[:2], set()).add(name)
    names = {n for group in by_province.values() for n in group} | set(provinces)
    every = frozenset(form for n in names for form in _forms(n))
    frozen = {name: frozenset(found) for name, found in codes.items()}
    return Places(
        provinces,
        {k: frozenset(v) for k, v in by_province.items()},
        every,
        frozen,
        {k: frozenset(v) for k, v in counties.items()},
    )


def _name_code(codes: dict[str, set[str]], name: str, code: str) -> None:
    for form in _forms(name):
        codes.setdefault(form, set()).add(code)


def address_prefix_known(address: str, *, county: bool = False) -> bool:
    """True when the address starts with a province and then a place of that province.

    ``湖南省长沙市芙蓉区…`` and ``湖南省宁乡县…`` pass; a misread province or county does not.
    Municipalities (北京市, 上海市 …) are followed directly by their districts.

    Args:
        county: after a prefecture-level city, a county of the province must follow by name; else
            an address going on to its street without one passes (``湖南省长沙市五一大道…``). The
            reader asks this first when choosing among the recogniser's candidates: a choice that
            names the county (保靖县) beats one that only makes the county no county's shape
            (保结目桥湾西路, 县 read as 目).
    """
    places = load_places()
    for province, prefix in places.provinces.items():
        if address.startswith(province):
            rest = address[len(province) :]
            known = places.by_province[prefix]
            first = max((n for n in known if len(n) >= 2 and rest.startswith(n)), key=len, default=None)
            if first is None:
                return False
            if county:
                return not first.endswith(_PREFECTURE_ENDINGS) or _starts_with_known(
                    rest[len(first) :], known
                )
            cities = [c for c in places.codes.get(first, ()) if c.startswith(prefix) and c.endswith("00")]
            own = frozenset(n for c in cities for n in places.counties.get(c[:4], ()))
            return _county_known(rest[len(first) :], first, known, own)
    return False


def _starts_with_known(rest: str, known: frozenset[str]) -> bool:
    return any(rest.startswith(n) for n in known if len(n) >= 2)


def _county_known(rest: str, city: str, known: frozenset[str], own: frozenset[str]) -> bool:
    """After a prefecture-level city, the county that follows is a place of the province too.

    ``湖南省怀化市激浦县`` (溆 misread) passed on its city alone. A county-shaped start is checked
    (a name ending in 县, 区, 市 or 旗), and so is a start that begins as one of the city's own
    counties (``own``) but reads otherwise: print beside the card read into the middle of a name
    (``新晃侗族自以受理如治县``) had passed, no 县 following closely enough. An address that goes
    on to its street without a county is left alone. An autonomous county's long name counts as
    county-shaped too (``增州苗族伺族自治县`` had passed as a street: 靖 and 侗 misread on a
    defocused card, the third renderer's seed-9611 front #10).
    """
    if not city.endswith(_PREFECTURE_ENDINGS) or _starts_with_known(rest, known):
        return True
    if any(len(n) >= 3 and rest[:2] == n[:2] for n in own):
        return False
    return _COUNTY.match(rest) is None


_PREFECTURE_ENDINGS = ("市", "州", "地区", "盟")
_COUNTY = re.compile(r"^(?:[\u4e00-\u9fff]{1,6}?[县区市旗]|[\u4e00-\u9fff]{2,8}?自治[县旗])")


def authority_shape_ok(authority: str) -> bool:
    """True when the text has the authority's shape and its place names are GB/T 2260 names.

    ``长沙市公安局芙蓉分局``, ``宁乡县公安局`` pass; ``卓市公安周附湖分局`` (glare) does not, nor
    does ``沙市公安局雨花分局`` (长 lost): a branch named after a district must be a district of
    the place whose bureau it belongs to (雨花区 is Changsha's, 沙市区 Jingzhou's).
    """
    match = _AUTHORITY.match(authority)
    if not match:
        return False
    places = load_places()
    owners = _place_codes(match.group("place"), places)
    if not owners:
        return False
    branch = match.group("branch")
    if branch is None:
        return True
    districts = {code for form in _forms(branch) for code in places.codes.get(form, ())}
    return any(_within(district, owner) for district in districts for owner in owners)


def _place_codes(place: str, places: Places) -> frozenset[str]:
    """The codes a bureau's place may name: the place alone, or after its province's name."""
    if place in places.codes:
        return places.codes[place]
    for province, prefix in places.provinces.items():
        if place.startswith(province) and place[len(province) :] in places.codes:
            return frozenset(c for c in places.codes[place[len(province) :]] if c.startswith(prefix))
    return frozenset()


def _within(district: str, owner: str) -> bool:
    """True when a district's code lies under the owner's: a province-level city (北京市公安局朝阳分局)
    or a prefecture-level one; a county-level bureau has no districts under it."""
    if owner.endswith("0000"):
        return district[:2] == owner[:2] and district != owner
    return owner.endswith("00") and district[:4] == owner[:4] and district != owner
