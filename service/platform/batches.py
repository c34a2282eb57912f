"""Row-by-row imports committed in batches: the loop the CSV imports (organisations, legacy
accounts) share, so that how a batch is committed and how a dry run is undone is decided once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from models.base import db

Row = TypeVar("Row")
Result = TypeVar("Result")


def in_batches(
    rows: Iterable[Row],
    handle: Callable[[int, Row], Result],
    *,
    dry_run: bool,
    batch: int,
    on_row: Callable[[Result], None] | None = None,
) -> list[Result]:
    """``handle(index, row)`` for every row (index from 0), each result given to ``on_row`` as it
    comes (progress). Work is committed every ``batch`` rows and at the end, or rolled back at the
    end of a ``dry_run`` (which still runs every check, against the rows before it too)."""
    results: list[Result] = []
    for index, row in enumerate(rows):
        result = handle(index, row)
        results.append(result)
        if on_row:
            on_row(result)
        if not dry_run and (index + 1) % batch == 0:
            db.session.commit()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return results
