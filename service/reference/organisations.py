"""Organisations (审批部门) outside the demo: the CSV import and a province admin's single changes.

An organisation is known by its unified social credit code (GB 32100, check character verified), so
a re-run of the same file finds every row already there and changes nothing. Its region must be a
current GB/T 2260 division of the managed province (the ``regions`` table), and its parent, when
named, an organisation whose region contains it (a county bureau under its city's bureau).

Every creation and change is in the audit log. One function, ``save``, holds every rule; the import
and the API both call it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from models.accounts import Account
from models.base import db
from models.organisations import Organisation
from models.regions import Region, code_prefix
from service import audit
from service.platform.batches import in_batches
from service.platform.errors import Conflict, InvalidInput, NotFound
from service.platform.reason_codes import ERROR_REASONS

COLUMNS = ("name", "short_name", "credit_code", "region_code", "parent_credit_code")
#: What each refusal tells a person: the catalogue's words, except where an organisation's case is
#: worded more closely than the general message (a checksum, a region code).
MESSAGES = {
    **{
        code: ERROR_REASONS[code]
        for code in (
            "name_missing", "name_too_long", "short_name_too_long", "credit_code_missing",
            "credit_code_invalid", "region_outside_province", "parent_unknown", "parent_self",
            "parent_outside_region", "parent_cycle", "name_taken", "region_change_has_accounts",
        )
    },
    "credit_code_checksum": "统一社会信用代码校验位错误",
    "region_unknown": "行政区划代码不存在或已撤销",
}  # fmt: skip
# The form field each reason is about, by the reason's first word(s).
_FIELDS = (
    ("short_name", "short_name"),
    ("name", "name"),
    ("credit_code", "credit_code"),
    ("region", "region_code"),
    ("parent", "parent_credit_code"),
)


def _invalid(reason: str) -> InvalidInput:
    field = next((f for prefix, f in _FIELDS if reason.startswith(prefix)), "organisation")
    return InvalidInput(reason, MESSAGES[reason], errors={field: [MESSAGES[reason]]})


@dataclass(frozen=True)
class OrganisationForm:
    """One organisation as an operator describes it; ``parent_credit_code`` empty for none."""

    name: str
    credit_code: str
    region_code: str
    short_name: str | None = None
    parent_credit_code: str | None = None


@dataclass(frozen=True)
class Saved:
    organisation: Organisation
    outcome: str  # created | updated | unchanged
    changes: dict[str, list[Any]]  # field -> [before, after], for an update


def normalise_credit_code(value: str) -> str:
    """The canonical 18 characters, or ``InvalidInput`` with ``credit_code_checksum``/``_invalid``."""
    if not value.strip():
        raise _invalid("credit_code_missing")
    try:
        return str(uscc.validate(value))
    except InvalidChecksum:
        raise _invalid("credit_code_checksum") from None
    except ValidationError:
        raise _invalid("credit_code_invalid") from None


def _region(code: str) -> Region:
    province: str = current_app.config["PROVINCE_CODE"]
    region = db.session.get(Region, code) if code.isdigit() and len(code) == 6 else None
    if region is None:
        outside = code.isdigit() and len(code) == 6 and not code.startswith(code_prefix(province))
        raise _invalid("region_outside_province" if outside else "region_unknown")
    return region


def _parent(credit_code: str | None, own_credit_code: str, region: Region) -> Organisation | None:
    if not credit_code:
        return None
    code = normalise_credit_code(credit_code)
    if code == own_credit_code:
        raise _invalid("parent_self")
    parent = db.session.scalar(select(Organisation).where(Organisation.credit_code == code))
    if parent is None:
        raise _invalid("parent_unknown")
    if not region.code.startswith(code_prefix(parent.region_code)):
        raise _invalid("parent_outside_region")
    seen = {parent.id}
    above = parent
    while above.parent_id is not None:  # a cycle through the existing tree (only an update can make one)
        above = db.session.get_one(Organisation, above.parent_id)
        if above.credit_code == own_credit_code or above.id in seen:
            raise _invalid("parent_cycle")
        seen.add(above.id)
    return parent


def _check_name(form: OrganisationForm) -> tuple[str, str | None]:
    name, short = form.name.strip(), (form.short_name or "").strip() or None
    if not name:
        raise _invalid("name_missing")
    if len(name) > 128:
        raise _invalid("name_too_long")
    if short and len(short) > 64:
        raise _invalid("short_name_too_long")
    return name, short


def _name_taken(name: str, region_code: str, credit_code: str) -> bool:
    query = select(Organisation.id).where(
        Organisation.name == name,
        Organisation.region_code == region_code,
        Organisation.credit_code != credit_code,
    )
    return db.session.scalar(query.limit(1)) is not None


def save(form: OrganisationForm, *, actor: Any, create_only: bool = False) -> Saved:
    """Create the organisation of ``form.credit_code`` or bring it in line with ``form``; audited.

    Every check runs before anything is changed, so a refused form leaves nothing behind. The
    caller commits. ``create_only`` refuses an existing credit code (409 ``organisation_exists``).

    Raises:
        InvalidInput: a reason of ``MESSAGES``.
        Conflict: ``organisation_exists`` with ``create_only``.
    """
    name, short = _check_name(form)
    credit_code = normalise_credit_code(form.credit_code)
    region = _region(form.region_code.strip())
    parent = _parent((form.parent_credit_code or "").strip() or None, credit_code, region)
    if _name_taken(name, region.code, credit_code):
        raise _invalid("name_taken")
    existing = db.session.scalar(select(Organisation).where(Organisation.credit_code == credit_code))
    if existing is None:
        org = Organisation(
            credit_code=credit_code,
            name=name,
            short_name=short,
            region_code=region.code,
            parent_id=parent.id if parent else None,
        )
        db.session.add(org)
        db.session.flush()
        detail = {
            "credit_code": credit_code,
            "name": name,
            "region_code": region.code,
            "parent_id": org.parent_id,
        }
        audit.record(
            "organisation.create", target_type="organisation", target_id=org.id, actor=actor, detail=detail
        )
        return Saved(org, "created", {})
    if create_only:
        raise Conflict("organisation_exists", "该统一社会信用代码的单位已存在")
    wanted = {
        "name": name,
        "short_name": short,
        "region_code": region.code,
        "parent_id": parent.id if parent else None,
    }
    return _update(existing, wanted, actor)


def _update(org: Organisation, wanted: Mapping[str, Any], actor: Any) -> Saved:
    changes = {k: [getattr(org, k), v] for k, v in wanted.items() if getattr(org, k) != v}
    if not changes:
        return Saved(org, "unchanged", {})
    if "region_code" in changes and _has_accounts(org.id):
        raise _invalid("region_change_has_accounts")
    for key, (_, after) in changes.items():
        setattr(org, key, after)
    db.session.flush()
    audit.record(
        "organisation.update",
        target_type="organisation",
        target_id=org.id,
        actor=actor,
        detail={"credit_code": org.credit_code, "changes": changes},
    )
    return Saved(org, "updated", changes)


def _has_accounts(organisation_id: int) -> bool:
    count = db.session.scalar(select(func.count()).where(Account.organisation_id == organisation_id))
    return bool(count)


def rename(organisation_id: int, name: str | None, short_name: str | None, *, actor: Any) -> Saved:
    """A province admin's rename (name and/or short name; the rest is kept). Commits."""
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound()
    parent = db.session.get(Organisation, org.parent_id) if org.parent_id else None
    form = OrganisationForm(
        name=org.name if name is None else name,
        short_name=org.short_name if short_name is None else short_name,
        credit_code=org.credit_code,
        region_code=org.region_code,
        parent_credit_code=parent.credit_code if parent else None,
    )
    saved = save(form, actor=actor)
    db.session.commit()
    return saved


def create(form: OrganisationForm, *, actor: Any) -> Organisation:
    """A province admin adds one organisation. Commits."""
    saved = save(form, actor=actor, create_only=True)
    db.session.commit()
    return saved.organisation


# --- the CSV import ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowResult:
    line: int  # in the file, the header being line 1
    credit_code: str
    outcome: str  # created | updated | unchanged | skipped
    reason: str | None = None  # why skipped, or the changed fields of an update
    organisation_id: int | None = None


def import_rows(
    rows: Iterable[Mapping[str, str]],
    *,
    dry_run: bool = False,
    batch: int = 500,
    on_row: Callable[[RowResult], None] | None = None,
) -> list[RowResult]:
    """One organisation per row (columns ``COLUMNS``); a bad row is skipped with its reason.

    A parent must come before its children in the file or already exist. Work is committed every
    ``batch`` rows, or rolled back at the end of a ``dry_run`` (which runs every check, against
    the rows before it too). Re-running a file reports every row ``unchanged``.
    """
    return in_batches(rows, _import_row, dry_run=dry_run, batch=batch, on_row=on_row)


def _import_row(index: int, row: Mapping[str, str]) -> RowResult:
    value = {column: (row.get(column) or "").strip() for column in COLUMNS}
    form = OrganisationForm(
        value["name"],
        value["credit_code"],
        value["region_code"],
        value["short_name"] or None,
        value["parent_credit_code"] or None,
    )
    try:
        saved = save(form, actor="cli")  # refuses a row before changing anything
    except InvalidInput as exc:
        return RowResult(index + 2, value["credit_code"], "skipped", exc.reason)
    note = ",".join(sorted(saved.changes)) or None
    return RowResult(index + 2, saved.organisation.credit_code, saved.outcome, note, saved.organisation.id)
