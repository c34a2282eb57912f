"""Check digits: resident ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import pytest

from idverify.idnumber import check_digit, mask_id_number, parse_id_number
from models.reference_data import make_credit_code
from service.accounts.identity import check_credit_code, check_id_number
from service.platform.errors import InvalidInput


def _with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the standard's own example
        "11010519491231002x",  # lower-case x as typed
        " 110105 19491231 002X ",  # spaces as typed
        _with_check("43012019850615001"),  # a division code abolished in 1983 is still valid
    ],
)
def test_valid_id_numbers(number):
    parsed = check_id_number(number)
    assert len(parsed.number) == 18


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "id_number_checksum"),
        ("11010519491231002", "id_number_format"),
        ("1101051949123100211", "id_number_format"),
        ("11010519491231002Y", "id_number_format"),
        (_with_check("11010519491331002"), "id_number_birth_date"),
        (_with_check("11010520990101002"), "id_number_birth_date"),
        (_with_check("99010519491231002"), "id_number_division"),
        (_with_check("43999919800101002"), "id_number_division"),
    ],
)
def test_invalid_id_numbers(number, reason):
    with pytest.raises(InvalidInput) as caught:
        check_id_number(number)
    assert caught.value.reason == reason
    assert caught.value.errors["id_number"]  # a Chinese message for the field


def test_id_number_decodes_birth_date_and_sex():
    parsed = parse_id_number("11010519491231002X")
    assert (parsed.birth_date.isoformat(), parsed.sex, parsed.division_code) == ("1949-12-31", "女", "110105")


def test_masking_keeps_six_and_four():
    assert mask_id_number("430302199001013456") == "430302****3456"


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L", make_credit_code(7, "430100")])
def test_valid_credit_codes(code):
    assert check_credit_code(code) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y44", "credit_code_checksum"),
        ("91350100M000100Y4", "credit_code_format"),
        ("9135010OM000100Y43", "credit_code_format"),  # letter O where a digit belongs
        ("91350100M000100I43", "credit_code_format"),  # I is not in the code alphabet
    ],
)
def test_invalid_credit_codes(code, reason):
    with pytest.raises(InvalidInput) as caught:
        check_credit_code(code)
    assert caught.value.reason == reason


def test_an_organisation_cannot_hold_a_bad_credit_code():
    from stdnum.exceptions import ValidationError

    from models.organisations import Organisation

    with pytest.raises(ValidationError):
        Organisation(credit_code="91350100M000100Y44", name="某单位", region_code="430100")
