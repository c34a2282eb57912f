"""Field checks: GB 11643-1999 number, agreement with printed fields, validity period."""

import datetime as dt

import pytest

from idverify.checks import check_back, check_front, lawful_period, parse_cn_date, parse_validity
from idverify.idnumber import check_digit
from idverify.types import FieldValue

TODAY = dt.date(2026, 11, 24)


def _number(body17: str) -> str:
    return body17 + check_digit(body17)


VALID = _number("43010219900102002")  # fictional: sequence 00x marks generated numbers


def _front(**over: str) -> dict[str, FieldValue]:
    base = {"name": "张三", "sex": "女", "birth_date": "1990年1月2日", "id_number": VALID}
    base.update(over)
    return {k: FieldValue(k, v, 0.99) for k, v in base.items()}


def _failed(checks: tuple) -> list[str]:
    return [c.code for c in checks if not c.passed]


def test_consistent_front_passes() -> None:
    assert (
        _failed(check_front(_front(), declared_name="张 三", declared_id_number=VALID.lower(), today=TODAY))
        == []
    )


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"id_number": VALID[:-1] + ("0" if VALID[-1] != "0" else "1")}, "id_number_checksum"),
        ({"id_number": "4301021990010200"}, "id_number_format"),
        ({"id_number": _number("43010219901302002")}, "id_number_birth_date"),
        ({"id_number": _number("99010219900102002")}, "id_number_division"),
        ({"birth_date": "1990年1月3日"}, "birth_date_mismatch"),
        ({"sex": "男"}, "sex_mismatch"),
    ],
)
def test_front_failures(over: dict[str, str], reason: str) -> None:
    assert reason in _failed(check_front(_front(**over), today=TODAY))


def test_historical_division_code_accepted() -> None:
    # 430101 (长沙市市辖区) and 432301 (an old 益阳 code) are no longer in use but valid in numbers.
    assert _failed(check_front(_front(id_number=_number("43230119900102002")), today=TODAY)) == []


def test_declared_values_compared() -> None:
    failed = _failed(
        check_front(_front(), declared_name="李四", declared_id_number=_number("43010219900102001"))
    )
    assert failed == ["name_mismatch", "id_number_mismatch"]


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "reasons"),
    [
        ("2015.03.10", "2035.03.10", []),
        ("2006.03.10", "长期", []),
        ("2006.11.24", "2026.11.24", []),  # valid through its end date
        ("2006.11.23", "2026.11.23", ["card_expired"]),
        ("2016.03.10", "2006.03.10", ["validity_invalid"]),
        ("", "2036.03.10", ["validity_invalid"]),
        ("2016.02.29", "2036.02.29", []),
        # Periods the law never gives (居民身份证法 art. 5): a date was misread.
        ("2015.03.10", "2035.03.11", ["validity_invalid"]),
        ("2015.03.30", "2035.03.31", ["validity_invalid"]),
        ("2015.03.10", "2030.03.10", ["validity_invalid"]),
        ("2027.03.10", "长期", ["validity_invalid"]),  # not begun
    ],
)
def test_validity(valid_from: str, valid_until: str, reasons: list[str]) -> None:
    fields = {
        "valid_from": FieldValue("valid_from", valid_from, 1),
        "valid_until": FieldValue("valid_until", valid_until, 1),
    }
    assert _failed(check_back(fields, today=TODAY)) == reasons


@pytest.mark.parametrize(
    ("start", "end", "lawful"),
    [
        ((2015, 3, 10), (2020, 3, 10), True),
        ((2015, 3, 10), (2025, 3, 10), True),
        ((2015, 3, 31), (2035, 3, 31), True),
        ((2015, 3, 10), None, True),  # 长期
        ((2016, 2, 29), (2026, 2, 28), True),
        ((2016, 2, 29), (2026, 3, 1), True),
        ((2016, 2, 29), (2036, 2, 29), True),
        ((2015, 3, 31), (2035, 3, 28), False),
        ((2015, 3, 10), (2030, 3, 10), False),
        ((2015, 3, 10), (2035, 4, 10), False),
    ],
)
def test_lawful_period(start: tuple[int, int, int], end: tuple[int, int, int] | None, lawful: bool) -> None:
    """5, 10 or 20 years to the day, or 长期: what the law gives (居民身份证法 art. 5)."""
    assert lawful_period(dt.date(*start), dt.date(*end) if end else None) is lawful


def test_date_parsers() -> None:
    assert parse_cn_date("1990年1月2日") == dt.date(1990, 1, 2)
    assert parse_cn_date("１９９０年１２月３１日") == dt.date(1990, 12, 31)
    assert parse_cn_date("1990年2月30日") is None
    assert parse_validity("2015.03.10-长期") == (dt.date(2015, 3, 10), None, True)
    assert parse_validity("2015.03.10-2035.03.10") == (dt.date(2015, 3, 10), dt.date(2035, 3, 10), False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022,12,12-2027,12.12", (dt.date(2022, 12, 12), dt.date(2027, 12, 12), False)),
        ("2026.08,31-长期", (dt.date(2026, 8, 31), None, True)),
        ("2015，03，10-2035.03.10", (dt.date(2015, 3, 10), dt.date(2035, 3, 10), False)),  # full-width
        ("2015·03:10-2035.03.10", (dt.date(2015, 3, 10), dt.date(2035, 3, 10), False)),
    ],
)
def test_a_validity_whose_dots_were_read_as_commas_is_parsed(
    text: str, expected: tuple[dt.date | None, dt.date | None, bool]
) -> None:
    """Crossed seed-9751 backs #129 (a photo of a screen) and #162 (motion): a dot read as a comma had
    lost the period's start (2027.12.12 taken as it) or the whole period (review)."""
    assert parse_validity(text) == expected
