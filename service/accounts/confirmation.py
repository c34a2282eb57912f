"""The gate's 信息完善: an unverified account confirms its phone (by SMS code), real name and ID number
before it verifies."""

from __future__ import annotations

from dataclasses import dataclass

from models.accounts import Account, VerificationStatus
from models.base import db
from service import audit
from service.accounts.identity import SealedIdNumber, check_id_number, id_number_taken
from service.auth.sms_codes import check_code
from service.platform.errors import Conflict
from service.verification.lifecycle import set_account_verification


@dataclass(frozen=True)
class BasicInformation:
    """The 信息完善 form: the phone proven by an SMS code of purpose ``confirm``, real name, ID number."""

    phone: str
    sms_code: str
    real_name: str
    id_number: str


def confirm_basic_information(account: Account, form: BasicInformation) -> Account:
    """The gate's 信息完善: set phone (proven by an SMS code), real name and ID number.

    Allowed until the account has passed real-person verification; a change to the ID number of a
    real-name-checked account sends it back to the start of verification.
    """
    if account.verification_status is VerificationStatus.REAL_PERSON:
        raise Conflict("already_verified", "账号已完成实名实人认证,基本信息不能在此修改")
    number = check_id_number(form.id_number).number
    sealed = SealedIdNumber.of(number)
    if id_number_taken(sealed, except_account_id=account.id):
        message = "该身份证号码已有审批账号"
        raise Conflict("id_number_registered", "该身份证号码已有审批账号,请联系运维客服",
                       errors={"id_number": [message]})  # fmt: skip
    check_code(form.phone, "confirm", form.sms_code)  # last: a typo elsewhere keeps the code
    changed = sorted(
        name
        for name, same in (
            ("phone", account.phone == form.phone),
            ("real_name", account.real_name == form.real_name),
            ("id_number", account.id_number_hash in sealed.lookups),  # under any configured lookup key
        )
        if not same
    )
    if "id_number" in changed and account.verification_status is VerificationStatus.REAL_NAME:
        set_account_verification(account, VerificationStatus.NONE)
    account.phone = form.phone
    account.real_name = form.real_name
    sealed.store_on(account)
    audit.record("account.confirm_information", target_type="account", target_id=account.id, actor=account,
                 detail={"changed": changed})  # fmt: skip
    db.session.commit()
    return account
