"""Domain checks that turn bad numbers into a stable reason and a Chinese message."""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from idverify.idnumber import IdNumber, IdNumberError, parse_id_number
from service.platform.errors import InvalidInput

ID_NUMBER_MESSAGES = {
    "id_number_format": "身份证号码应为18位,最后一位可为数字或X",
    "id_number_checksum": "身份证号码校验位错误,请核对",
    "id_number_birth_date": "身份证号码中的出生日期无效",
    "id_number_division": "身份证号码中的地区代码不存在",
}


def check_id_number(raw: str, field: str = "id_number") -> IdNumber:
    try:
        return parse_id_number(raw)
    except IdNumberError as exc:
        message = ID_NUMBER_MESSAGES[exc.reason]
        raise InvalidInput(exc.reason, message, errors={field: [message]}) from None


def check_credit_code(raw: str, field: str = "credit_code") -> str:
    """Validate a unified social credit code (GB 32100-2015, check character included)."""
    try:
        return uscc.validate(raw.strip().upper())
    except stdnum_errors.InvalidChecksum:
        reason, message = "credit_code_checksum", "统一社会信用代码校验位错误,请核对"
    except stdnum_errors.ValidationError:
        reason, message = "credit_code_format", "统一社会信用代码应为18位数字或大写字母"
    raise InvalidInput(reason, message, errors={field: [message]})
