"""Who may manage whom. One SQL predicate per admin decides every list, view and decision, so a
list can never show what a direct lookup would refuse, or the other way round.

- Province admins (both posts) manage provincial-department accounts and all city admins.
- A city admin manages approver accounts of its city's departments, counties and districts included.
- Nobody manages province admins or support staff through the API (the CLI creates them).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import BindParameter, ColumnElement, Select, and_, false, or_, select

from models.accounts import Account, Role
from models.base import db
from models.organisations import Organisation
from models.regions import code_prefix
from service.platform.errors import NotFound


def organisation_predicate(admin: Account) -> ColumnElement[bool]:
    """A WHERE clause over ``Organisation``: where ``admin``'s approver accounts may sit."""
    province: str = current_app.config["PROVINCE_CODE"]
    if admin.role is Role.PROVINCE_ADMIN:
        return Organisation.region_code == province
    if admin.role is Role.CITY_ADMIN and admin.admin_region_code:
        return Organisation.region_code.like(code_prefix(admin.admin_region_code) + "%")
    return false()


def account_predicate(admin: Account) -> ColumnElement[bool]:
    """A WHERE clause over ``Account`` (outer-joined to ``Organisation``) for ``admin``'s scope."""
    approvers = and_(Account.role == Role.APPROVER, organisation_predicate(admin))
    if admin.role is Role.PROVINCE_ADMIN:
        return or_(approvers, Account.role == Role.CITY_ADMIN)
    return approvers


def scoped_accounts(admin: Account) -> Select[Account]:
    """``select(Account)`` limited to what ``admin`` may see."""
    return (
        select(Account)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .where(account_predicate(admin))
    )


def get_account_in_scope(admin: Account, account_id: int) -> Account:
    """The account, or NotFound when it does not exist *or* is out of scope (no existence leak)."""
    account = db.session.scalar(scoped_accounts(admin).where(Account.id == account_id))
    if account is None:
        raise NotFound()
    return account


def organisation_in_scope(admin: Account, organisation_id: int) -> bool:
    """May ``admin`` place an approver account in this organisation (e.g. on a transfer)?"""
    query = select(Organisation.id).where(Organisation.id == organisation_id, organisation_predicate(admin))
    return db.session.scalar(query) is not None


def regions_predicate(regions: Sequence[str]) -> ColumnElement[bool]:
    """A WHERE clause over ``Account`` (outer-joined to ``Organisation``) for a service client's
    regions: accounts whose organisation, or the city they administer, lies inside one of them."""
    return patterns_predicate(region_patterns(regions))


def region_patterns(regions: Sequence[str]) -> list[str]:
    """The LIKE patterns of ``regions`` (a province code covers the province, a city its counties)."""
    return [code_prefix(code) + "%" for code in regions]


def patterns_predicate(patterns: Sequence[str | BindParameter[str]]) -> ColumnElement[bool]:
    """``regions_predicate`` over patterns given as values or as bound parameters (a statement built
    once and run with each client's patterns)."""
    clauses = [or_(Organisation.region_code.like(p), Account.admin_region_code.like(p)) for p in patterns]
    return or_(*clauses) if clauses else false()


def accounts_in_regions(regions: Sequence[str]) -> Select[Account]:
    """``select(Account)`` limited to ``regions`` (what a service client may read)."""
    return (
        select(Account)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .where(regions_predicate(regions))
    )


def get_account_in_regions(regions: Sequence[str], account_id: int) -> Account:
    """The account, or NotFound when it does not exist *or* lies outside ``regions``."""
    account = db.session.scalar(accounts_in_regions(regions).where(Account.id == account_id))
    if account is None:
        raise NotFound()
    return account
