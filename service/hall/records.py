"""The web hall's reads, each limited to the calling client's regions (out of them: not found).

Records carry states, times, masked identifiers and grants; never an ID number in clear, never a
score. Each read is a few indexed queries. A poll that changed nothing should cost less than that:
``state_version`` and ``record_version`` read, in one query of index lookups, what changes whenever
anything the answer shows changes; the API makes its ETag from that and answers 304 before the
answer itself is read. A version is then held in the process's memory for a few seconds and dropped
the moment a transaction that touches the account commits, in any process (``track_changes`` says
which accounts each flush touched; ``service.platform.invalidation`` carries it).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, bindparam, event, func, select
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session, UOWTransaction

from models.accounts import Account
from models.base import db
from models.events import Event
from models.organisations import Organisation
from models.requests import Grant, ReviewRequest
from models.verifications import AttemptStatus, VerificationAttempt
from service.accounts.identity import check_id_number
from service.accounts.scopes import (
    accounts_in_regions,
    get_account_in_regions,
    patterns_predicate,
    region_patterns,
)
from service.platform import invalidation
from service.platform.crypto import lookup_hashes
from service.platform.errors import InvalidInput, NotFound
from service.verification.attempts import reasons_for_person

#: How many accounts one batch status request may name.
BATCH_MAX = 500
#: How long an account version is held in this process (dropped at once when the account changes).
VERSION_MEMORY_SECONDS = 5.0


@dataclass(frozen=True)
class AccountRecord:
    """An account as the hall shows it."""

    account: Account
    latest_review: ReviewRequest | None
    grants: Sequence[Grant]


@dataclass(frozen=True)
class VerificationState:
    """An account's verification state and its latest attempt's (reasons only when not passed)."""

    account: Account
    attempt: VerificationAttempt | None

    @property
    def attempt_status(self) -> AttemptStatus | None:
        return self.attempt.status if self.attempt else None

    @property
    def reasons(self) -> list[str]:
        return reasons_for_person(self.attempt) if self.attempt else []


def account_record(regions: Sequence[str], account_id: int) -> AccountRecord:
    """One account in ``regions``, with its latest review and its grants."""
    account = get_account_in_regions(regions, account_id)
    review = db.session.scalar(
        select(ReviewRequest)
        .where(ReviewRequest.account_id == account.id)
        .order_by(ReviewRequest.id.desc())
        .limit(1)
    )
    grants = db.session.scalars(select(Grant).where(Grant.account_id == account.id).order_by(Grant.id)).all()
    return AccountRecord(account, review, grants)


def verification_state(regions: Sequence[str], account_id: int) -> VerificationState:
    """One account's verification state, in ``regions``: one query (the hall polls it)."""
    newest = (
        select(func.max(VerificationAttempt.id))
        .where(VerificationAttempt.account_id == Account.id)
        .correlate(Account)
        .scalar_subquery()
    )
    query = (
        accounts_in_regions(regions)
        .add_columns(VerificationAttempt)
        .outerjoin(VerificationAttempt, VerificationAttempt.id == newest)
        .where(Account.id == account_id)
    )
    row = db.session.execute(query).first()
    if row is None:
        raise NotFound()
    return VerificationState(row[0], row[1])


def state_version(regions: Sequence[str], account_id: int) -> str:
    """What a verification state's ETag is made of, for an account in ``regions`` (else NotFound).

    The account row's last update (status, verification, its time), its newest event (every change
    of an attempt's status and reasons goes through the lifecycle, which writes one) and its newest
    attempt (a new one writes no event until it is queued). Read before the state itself, so an
    answer is never older than its version.
    """
    return _version("state", regions, account_id)


def record_version(regions: Sequence[str], account_id: int) -> str:
    """What an account record's ETag is made of: ``state_version``'s parts, the organisation row, the
    account's reviews (newest id, latest update) and its grants (how many, newest id; grants are only
    ever added)."""
    return _version("record", regions, account_id)


def _version(kind: str, regions: Sequence[str], account_id: int) -> str:
    key = (kind, tuple(regions), account_id)
    held = invalidation.cache("account-versions", VERSION_MEMORY_SECONDS)
    known = held.get(key)
    if known is not None:
        return str(known)
    # Taken before the read; and a transaction already open may read an older snapshot than that
    # (SQLite), so what it reads is not kept.
    generation = held.generation()
    fresh = not db.session().in_transaction()
    patterns = region_patterns(regions)
    params = {"account_id": account_id, **{f"region_{i}": p for i, p in enumerate(patterns)}}
    # A Core statement built once, on the session's connection: every poll runs this, and building
    # the statement (or going through the ORM's execution) would cost more than the query.
    row = db.session.connection().execute(_version_query(kind, len(patterns)), params).first()
    if row is None:
        raise NotFound()
    version = "|".join(str(value) for value in row)
    if fresh:
        held.put(key, version, tag=f"account:{account_id}", generation=generation)
    return version


#: Rows whose change changes an account's version, and how to find the account.
_OWNED = (VerificationAttempt, Event, ReviewRequest, Grant)
#: What a bulk statement (no rows to look at) may change: any account's version.
_BULK = (Account, VerificationAttempt, Event, ReviewRequest, Grant, Organisation)


def track_changes() -> None:
    """Announce, for every transaction, the accounts whose version it may change (idempotent).

    Every write of the service goes through the ORM session: a flush names its rows (an account, or
    a row that carries ``account_id``; an organisation's change reaches all its accounts, so it
    drops every version), and an ORM bulk statement on those tables drops every version too. The
    lease's bulk updates of attempts are the exception that matters: they change no version (a
    version reads attempts' ids only, which only inserts change), so they drop nothing.
    """
    if not event.contains(Session, "after_flush", _flushed):
        event.listen(Session, "after_flush", _flushed)
        event.listen(Session, "do_orm_execute", _bulk)


def _flushed(session: Session, context: UOWTransaction) -> None:
    tags: set[str] = set()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Account):
            tags.add(f"account:{row.id}")
        elif isinstance(row, _OWNED):
            tags.add(f"account:{row.account_id}")
        elif isinstance(row, Organisation):
            tags.add(invalidation.EVERYTHING)
    if tags:
        invalidation.announce(session, tags)


def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    classes = {mapper.class_ for mapper in state.all_mappers}
    if VerificationAttempt in classes and (state.is_update and classes == {VerificationAttempt}):
        return  # the lease's renewals and locks (see above)
    if classes & set(_BULK):
        invalidation.announce(state.session, [invalidation.EVERYTHING])


@functools.cache
def _version_query(kind: str, region_count: int) -> Select[Any]:
    def newest(column: InstrumentedAttribute[Any], owner: InstrumentedAttribute[int]) -> ScalarSelect[Any]:
        return counted(func.max(column), owner)

    def counted(aggregate: ColumnElement[Any], owner: InstrumentedAttribute[int]) -> ScalarSelect[Any]:
        return select(aggregate).where(owner == Account.id).correlate(Account).scalar_subquery()

    parts: list[InstrumentedAttribute[Any] | ScalarSelect[Any]] = [
        Account.updated_at,
        newest(Event.id, Event.account_id),
        newest(VerificationAttempt.id, VerificationAttempt.account_id),
    ]
    if kind == "record":
        parts += [
            Organisation.updated_at,
            newest(ReviewRequest.id, ReviewRequest.account_id),
            newest(ReviewRequest.updated_at, ReviewRequest.account_id),
            newest(Grant.id, Grant.account_id),
            counted(func.count(Grant.id), Grant.account_id),
        ]
    in_regions = patterns_predicate([bindparam(f"region_{i}") for i in range(region_count)])
    return (
        select(*parts)
        .select_from(Account)
        .outerjoin(Organisation, Account.organisation_id == Organisation.id)
        .where(Account.id == bindparam("account_id"), in_regions)
    )


def batch_states(regions: Sequence[str], account_ids: Sequence[int]) -> list[VerificationState]:
    """The states of up to BATCH_MAX accounts in two queries; ids outside ``regions`` or unknown are
    left out (the answer lists what was found)."""
    if len(account_ids) > BATCH_MAX:
        raise InvalidInput("batch_too_large", f"一次最多查询 {BATCH_MAX} 个账号")
    wanted = sorted(set(account_ids))
    accounts = db.session.scalars(accounts_in_regions(regions).where(Account.id.in_(wanted))).all()
    latest = _latest_attempts([a.id for a in accounts])
    return [VerificationState(a, latest.get(a.id)) for a in sorted(accounts, key=lambda a: a.id)]


def lookup(regions: Sequence[str], *, username: str | None, phone: str | None,
           id_number: str | None) -> Sequence[Account]:  # fmt: skip
    """Accounts in ``regions`` by exact user name, phone, or full ID number (matched by its keyed hash)."""
    query = accounts_in_regions(regions).order_by(Account.id)
    if username:
        query = query.where(Account.username == username)
    elif phone:
        query = query.where(Account.phone == phone)
    elif id_number:
        number = check_id_number(id_number).number
        query = query.where(Account.id_number_hash.in_(lookup_hashes(number)))
    else:
        raise InvalidInput("lookup_key_missing", "请提供 username、phone 或 id_number 之一")
    return db.session.scalars(query.limit(20)).all()


def _latest_attempts(account_ids: Sequence[int]) -> dict[int, VerificationAttempt]:
    """Each account's newest attempt, in one query."""
    if not account_ids:
        return {}
    newest = (
        select(func.max(VerificationAttempt.id))
        .where(VerificationAttempt.account_id.in_(account_ids))
        .group_by(VerificationAttempt.account_id)
    )
    rows = db.session.scalars(select(VerificationAttempt).where(VerificationAttempt.id.in_(newest))).all()
    return {row.account_id: row for row in rows}
