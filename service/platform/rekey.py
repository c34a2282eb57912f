"""Walking a table to reseal what it holds under the current keys (``flask crypto reencrypt``).

Each domain package names its own sealed columns as ``Target``s (it knows the purpose each blob is
bound to); this module only pages through rows in primary-key order, one committed batch at a time,
so a run can be stopped and started again: rows already under the current keys are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm.interfaces import ORMOption

from models.base import db


@dataclass(frozen=True)
class Target:
    """Rows of ``model`` (matching ``criteria``) and how to reseal one: ``reseal(row)`` changes the
    row in place and says whether it did."""

    name: str
    model: Any
    reseal: Callable[[Any], bool]
    criteria: Callable[[], Sequence[ColumnElement[bool]]] = lambda: ()
    options: Sequence[ORMOption] = field(default_factory=tuple)
    after_batch: Callable[[], None] | None = None  # after each commit (e.g. delete what was moved)


Progress = Callable[[str, int, int], None]


def reseal_target(target: Target, *, batch: int = 200, progress: Progress | None = None) -> int:
    """Reseal every row of ``target``; returns the rows changed. ``progress(name, done, total)`` is
    called after each committed batch. Rows are locked for the batch, so a row changed meanwhile by
    the service is not overwritten with its old value."""
    pk = target.model.id
    criteria = list(target.criteria())
    total = db.session.scalar(select(func.count()).select_from(target.model).where(*criteria)) or 0
    done = changed = last = 0
    while True:
        query = (
            select(target.model)
            .where(pk > last, *criteria)
            .order_by(pk)
            .limit(batch)
            .options(*target.options)
            .with_for_update(of=target.model)
        )
        rows = db.session.scalars(query).all()
        if not rows:
            break
        changed += sum(1 for row in rows if target.reseal(row))
        last = rows[-1].id
        db.session.commit()
        if target.after_batch:
            target.after_batch()
        done += len(rows)
        if progress:
            progress(target.name, min(done, total), total)
    return changed
