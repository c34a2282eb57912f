"""Identity numbers: checks that turn a bad ID number or credit code into a stable reason and a
Chinese message, and the one way an ID number is stored (ciphertext, lookup hash, mask)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from idverify.idnumber import IdNumber, IdNumberError, mask_id_number, parse_id_number
from models.accounts import LIVE_STATUSES, Account
from models.base import db
from models.city_admins import CityAdminApplication
from service.platform.crypto import (
    decrypt_id_number,
    encrypt_id_number,
    key_version,
    keyring,
    lookup_hash,
    lookup_hashes,
)
from service.platform.errors import InvalidInput
from service.platform.rekey import Target

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


def mask_phone(phone: str | None) -> str | None:
    """151****9315, as the review lists show."""
    if not phone or len(phone) < 7:
        return phone
    return phone[:3] + "****" + phone[-4:]


@dataclass(frozen=True)
class SealedIdNumber:
    """How an ID number is kept: sealed, a keyed hash for uniqueness and lookup, and the
    430302****3456 mask that lists show without decrypting anything. ``lookups`` holds its hash under
    every configured lookup key (the current one, ``hash``, first): a row hashed under an earlier
    key still matches until ``flask crypto reencrypt`` rehashes it."""

    enc: str
    lookups: tuple[str, ...]
    masked: str

    @classmethod
    def of(cls, number: str) -> SealedIdNumber:
        """Seal a checked, normalised number."""
        return cls(encrypt_id_number(number), lookup_hashes(number), mask_id_number(number))

    @property
    def hash(self) -> str:
        return self.lookups[0]

    def columns(self) -> dict[str, str]:
        """The model columns (accounts and city-admin applications share their names)."""
        return {"id_number_enc": self.enc, "id_number_hash": self.hash, "id_number_masked": self.masked}

    def store_on(self, row: Account | CityAdminApplication) -> None:
        """Write the three columns onto an existing row."""
        row.id_number_enc, row.id_number_hash, row.id_number_masked = self.enc, self.hash, self.masked


def id_number_taken(sealed: SealedIdNumber, *, except_account_id: int | None = None) -> bool:
    """Does a live account (other than ``except_account_id``) already hold this ID number?"""
    query = select(Account.id).where(
        Account.id_number_hash.in_(sealed.lookups), Account.status.in_(LIVE_STATUSES)
    )
    if except_account_id is not None:
        query = query.where(Account.id != except_account_id)
    return db.session.scalar(query.limit(1)) is not None


def reseal_id_number(row: Account | CityAdminApplication) -> bool:
    """Seal the row's ID number under the current data key and hash it under the current lookup key
    (``flask crypto reencrypt``); says whether anything changed."""
    if not row.id_number_enc:
        return False
    number = decrypt_id_number(row.id_number_enc)
    changed = False
    if key_version(row.id_number_enc) != keyring().data_version:
        row.id_number_enc, changed = encrypt_id_number(number), True
    if row.id_number_hash != (current := lookup_hash(number)):
        row.id_number_hash, changed = current, True
    return changed


def reseal_targets() -> list[Target]:
    """The tables holding sealed ID numbers and their lookup hashes."""
    return [
        Target("accounts.id_number", Account, reseal_id_number),
        Target("city_admin_applications.id_number", CityAdminApplication, reseal_id_number),
    ]
