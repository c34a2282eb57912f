"""The decision policy, the nation list and the place-name checks (pure logic, no model)."""

from __future__ import annotations

import datetime as dt

import pytest

from idverify import places
from idverify.checks import check_back, check_front
from idverify.decision import card_problems, decide_card
from idverify.idnumber import check_digit
from idverify.nations import NATIONS, find_nation, nation_code
from idverify.types import REASONS, FieldValue, Severity, Side

TODAY = dt.date(2026, 11, 24)
BODY = "43010219900102002"
NUMBER = BODY + check_digit(BODY)


def _front(conf: float = 0.99, **over: str) -> dict[str, FieldValue]:
    base = {"name": "张三", "sex": "女", "nation": "汉", "birth_date": "1990年1月2日",
            "address": "湖南省长沙市芙蓉区人民路1号", "id_number": NUMBER}  # fmt: skip
    base.update(over)
    return {k: FieldValue(k, v, conf if k in over else 0.99) for k, v in base.items()}


def _decide(fields: dict[str, FieldValue], doubtful: tuple[str, ...] = (), **declared: str):  # type: ignore[no-untyped-def]
    found = check_front(fields, today=TODAY, **declared)
    return decide_card(Side.FRONT, fields, found, min_confidence=0.5, doubtful=doubtful)


def test_clean_front_passes() -> None:
    decided = _decide(_front(), declared_name="张三", declared_id_number=NUMBER)
    assert (decided.reasons, decided.review_reasons, decided.field_warnings) == ((), (), ())


@pytest.mark.parametrize(("over", "warning"), [({"nation": ""}, "nation_unreadable"),
                                               ({"address": ""}, "address_unreadable")])  # fmt: skip
def test_unreadable_nation_or_address_only_warns(over: dict[str, str], warning: str) -> None:
    decided = _decide(_front(**over), declared_name="张三")
    assert decided.reasons == () and decided.review_reasons == ()
    assert decided.field_warnings == (warning,)


@pytest.mark.parametrize(("conf", "warned"), [(0.54, True), (0.58, False)])
def test_a_doubtful_address_character_warns_at_the_warning_level(conf: float, warned: bool) -> None:
    """An address whose least certain character is under the warning level (a defocused 乡 read 参
    at 0.54) is flagged for the person to check, though it is above the identity fields' level."""
    fields = _front(conf=conf, address="上海市静安区竹水参金团村18组32号")
    found = check_front(fields, today=TODAY)
    decided = decide_card(Side.FRONT, fields, found, min_confidence=0.5, warn_confidence=0.55)
    assert decided.reasons == () and decided.review_reasons == ()
    assert decided.field_warnings == (("address_uncertain",) if warned else ())


def test_confident_wrong_name_fails() -> None:
    assert _decide(_front(name="李四"), declared_name="张三").reasons == ("name_mismatch",)


def test_uncertain_wrong_name_needs_review() -> None:
    decided = _decide(_front(conf=0.3, name="张亖"), declared_name="张三")
    assert decided.reasons == () and decided.review_reasons == ("name_uncertain",)


def test_unreadable_number_needs_review_not_failure() -> None:
    decided = _decide(_front(id_number=""), declared_id_number=NUMBER)
    assert decided.reasons == ()
    assert decided.review_reasons == ("id_number_unreadable",)


def test_two_disagreeing_readings_of_a_failing_number_need_review() -> None:
    wrong = NUMBER[:-1] + ("1" if NUMBER[-1] != "1" else "2")
    decided = _decide(_front(id_number=wrong), doubtful=("id_number",))
    assert decided.reasons == () and decided.review_reasons == ("id_number_uncertain",)


def test_confident_bad_check_digit_fails() -> None:
    wrong = NUMBER[:-1] + ("1" if NUMBER[-1] != "1" else "2")
    assert _decide(_front(id_number=wrong)).reasons == ("id_number_checksum",)


def test_uncertain_number_that_passes_every_check_passes() -> None:
    decided = _decide(_front(conf=0.3, id_number=NUMBER), declared_id_number=NUMBER)
    assert decided.reasons == () and decided.review_reasons == ()


def test_back_unreadable_authority_warns_expired_fails() -> None:
    fields = {"authority": FieldValue("authority", "", 0.0),
              "valid_from": FieldValue("valid_from", "2006.03.10", 0.99),
              "valid_until": FieldValue("valid_until", "2016.03.10", 0.99)}  # fmt: skip
    decided = decide_card(Side.BACK, fields, check_back(fields, today=TODAY), min_confidence=0.5)
    assert decided.reasons == ("card_expired",)
    assert decided.field_warnings == ("authority_unreadable",)


def test_problems_name_side_and_field() -> None:
    problems = card_problems(Side.BACK, ("card_expired",), (), ("authority_uncertain",))
    assert [(p.code, p.severity, p.side, p.field) for p in problems] == [
        ("card_expired", Severity.FAIL, Side.BACK, "validity"),
        ("authority_uncertain", Severity.WARNING, Side.BACK, "authority"),
    ]


def test_every_emitted_code_is_documented() -> None:
    codes = {
        f"{f}_{s}"
        for f in ("name", "sex", "birth_date", "id_number", "validity")
        for s in ("unreadable", "uncertain")
    }
    codes |= {f"{f}_{s}" for f in ("nation", "address", "authority") for s in ("unreadable", "uncertain")}
    assert codes <= set(REASONS)
    assert {"side_unconfirmed", "quality_glare_fields", "field_unreadable"} <= set(REASONS)


def test_the_56_nations() -> None:
    assert len(NATIONS) == len(set(NATIONS)) == 56
    assert nation_code("汉") == "01" and nation_code("基诺") == "56" and nation_code("汉族") == "01"


NATION_READS = [("汉", "汉"), ("族蒙古", "蒙古"), ("维吾尔族", "维吾尔"), ("漢", "汉"), ("土", "土"),
                ("土冢", None), ("古", None), ("", None)]  # fmt: skip


@pytest.mark.parametrize(("read", "name"), NATION_READS)
def test_find_nation_forgives_label_remnants_only(read: str, name: str | None) -> None:
    assert find_nation(read) == name


@pytest.mark.parametrize(("authority", "ok"), [("长沙市公安局芙蓉分局", True), ("宁乡县公安局", True),
                                               ("邵东市公安局", True), ("卓市公安周附湖分局", False),
                                               ("2015.03.10-2035.03.10", False),
                                               # 长 lost: 雨花区 is Changsha's, 沙市区 Jingzhou's
                                               ("沙市公安局雨花分局", False), ("荆州市公安局沙市分局", True),
                                               ("北京市公安局朝阳分局", True),
                                               ("太原市公安局万柏林分局", True),
                                               ("湘西土家族苗族自治州公安局吉首分局", True)])  # fmt: skip
def test_authority_shape(authority: str, ok: bool) -> None:
    assert places.authority_shape_ok(authority) is ok


ADDRESSES = [
    ("湖南省长沙市芙蓉区人民路1号", True),
    ("北京市朝阳区建国路1号", True),
    ("湖市少长冰广苏苏区湖江中", False),
    ("湖南省怀化市溆浦县柏杨镇团坪村13组", True),
    ("湖南省怀化市新晃侗族自治县山小乡", True),
    ("湖南省长沙市五一大道1号", True),  # no county written: the street is not checked
    ("湖南省怀化市激浦县柏杨镇团坪村13组", False),  # 溆 misread: the city alone passed it
    ("湖南省湘潭市浦潭县团山街道金中村6组", False),
    # print beside the card read into the county's name: it begins as one of the city's counties
    ("湖南省怀化市新晃侗族自以受理如治县岭花镇溪湾村3组50号", False),
    # an autonomous county's long name is checked like a short one (靖 and 侗 misread, defocus)
    ("湖南省怀化市靖州苗族侗族自治县莲柏东路240号", True),
    ("湖南省怀化市增州苗族伺族自治县莲柏东路240号", False),
]


@pytest.mark.parametrize(("address", "ok"), ADDRESSES)
def test_address_prefix(address: str, ok: bool) -> None:
    assert places.address_prefix_known(address) is ok


@pytest.mark.parametrize("note", ["address_place_unknown", "address_cut", "address_number_lost"])
def test_an_address_note_warns_and_fails_no_one(note: str) -> None:
    """What the reader notes about an address (a place not listed, its end or a number lost) asks
    the person to check it; the address proves nothing, so it never fails or holds them."""
    fields = _front(address="新疆维吾尔自治区乌鲁木齐市水磨沟区溪湖镇林河村组")
    found = check_front(fields, today=TODAY)
    decided = decide_card(Side.FRONT, fields, found, min_confidence=0.5, notes=(note,))
    assert decided.reasons == () and decided.review_reasons == ()
    assert decided.field_warnings == ("address_uncertain",)
