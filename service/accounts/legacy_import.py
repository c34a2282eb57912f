"""Bulk import of the approval accounts that existed before this system (the seed's point three).

Imported accounts keep their user name, organisation and role, are ``legacy`` and active, and meet
the login gate: they confirm their basic information and pass real-person verification first.

Passwords: legacy systems export hashes, and only argon2 hashes (``$argon2id$``/``$argon2i$``) can
be verified here; they are kept as they are and upgraded to the current parameters at the first
login. Any other hash (MD5, SHA-1, bcrypt ...) cannot be checked, and a plaintext column is refused
on principle: such an account is imported without a password and logs in by SMS code (or a
registered certificate), then sets a password. The report says so for each such row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from argon2 import extract_parameters
from argon2.exceptions import InvalidHashError
from sqlalchemy import select

from models.accounts import AccountStatus, Role
from models.base import db
from models.organisations import Organisation
from service import audit
from service.platform.batches import in_batches
from service.platform.errors import ServiceError

COLUMNS = ("username", "password_hash", "real_name", "phone", "id_number", "credit_code", "department",
           "position", "role")  # fmt: skip
REQUIRED = ("username", "credit_code")
ROLES = {"": Role.APPROVER, "approver": Role.APPROVER, "city_admin": Role.CITY_ADMIN}
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_USERNAME = re.compile(r"^[^\s]{1,64}$")


@dataclass(frozen=True)
class RowResult:
    line: int  # in the file, the header being line 1
    username: str
    outcome: str  # created | skipped
    reason: str | None = None  # why skipped, or a note on a created row (e.g. password_not_imported)
    account_id: int | None = None


def _argon2_or_none(value: str) -> tuple[str | None, str | None]:
    if not value:
        return None, "no_password"
    try:
        extract_parameters(value)
    except (InvalidHashError, ValueError):
        return None, "password_not_imported"
    return value, None


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _organisation(credit_code: str, cache: dict[str, Organisation | None]) -> Organisation:
    if credit_code not in cache:
        query = select(Organisation).where(Organisation.credit_code == credit_code.upper())
        cache[credit_code] = db.session.scalar(query)
    found = cache[credit_code]
    if found is None:
        raise _Skip("organisation_unknown")
    return found


def _import_row(row: Mapping[str, str], cache: dict[str, Organisation | None]) -> tuple[int, list[str]]:
    from service.accounts.registration import build_account

    value = {column: (row.get(column) or "").strip() for column in COLUMNS}
    for column in REQUIRED:
        if not value[column]:
            raise _Skip(f"{column}_missing")
    if not _USERNAME.match(value["username"]):
        raise _Skip("username_invalid")
    if value["role"] not in ROLES:
        raise _Skip("role_unsupported")
    role = ROLES[value["role"]]
    organisation = _organisation(value["credit_code"], cache)
    notes: list[str] = []
    password_hash, note = _argon2_or_none(value["password_hash"])
    notes += [note] if note else []
    phone = value["phone"] if _PHONE.match(value["phone"]) else None
    notes += ["phone_invalid"] if value["phone"] and phone is None else []
    city = organisation.region_code[:4] + "00" if role is Role.CITY_ADMIN else None
    account = build_account(
        username=value["username"],
        password=None,
        phone=phone,
        real_name=value["real_name"] or None,
        id_number=value["id_number"] or None,
        role=role,
        status=AccountStatus.ACTIVE,
        organisation=None if role is Role.CITY_ADMIN else organisation,
        department=value["department"][:64] or None,
        position=value["position"][:64] or None,
        admin_region_code=city,
        legacy=True,
    )
    account.password_hash = password_hash
    db.session.flush()
    detail = {"role": role.value, "organisation": organisation.credit_code, "notes": notes}
    audit.record(
        "account.import_legacy", target_type="account", target_id=account.id, actor="cli", detail=detail
    )
    return account.id, notes


def import_accounts(
    rows: Iterable[Mapping[str, str]],
    *,
    dry_run: bool = False,
    batch: int = 500,
    on_row: Callable[[RowResult], None] | None = None,
) -> list[RowResult]:
    """Create one legacy account per row; a bad row is skipped with its reason, never the file.

    Every check runs before a row is added, so a refused row leaves nothing behind. Work is committed
    every ``batch`` rows, or rolled back at the end of a ``dry_run`` (which still runs every check,
    against the rows before it too).
    """
    cache: dict[str, Organisation | None] = {}

    def one(index: int, row: Mapping[str, str]) -> RowResult:
        username = (row.get("username") or "").strip()
        try:
            account_id, notes = _import_row(row, cache)  # refuses a row before adding anything
        except _Skip as skip:
            return RowResult(index + 2, username, "skipped", skip.reason)
        except ServiceError as exc:  # username_taken, id_number_registered, id_number_checksum ...
            return RowResult(index + 2, username, "skipped", exc.reason)
        return RowResult(index + 2, username, "created", ",".join(notes) or None, account_id)

    return in_batches(rows, one, dry_run=dry_run, batch=batch, on_row=on_row)
