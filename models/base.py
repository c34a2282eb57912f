"""The declarative base and the Flask-SQLAlchemy handle every model module shares."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Enum, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: The largest id a row can have: ids are INTEGER columns (PostgreSQL int4). Ids from clients are
#: bounded by it at the edge, so a huge number answers 404 or 422, never a driver overflow.
MAX_ID = 2**31 - 1

# Stable constraint names keep Alembic migrations identical on PostgreSQL and SQLite.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:
    # What type checkers see: the typed declarative base (Flask-SQLAlchemy's ``db.Model`` is built at
    # run time from it, with the query property and table-name defaults, and is untyped).
    Model = Base
else:
    Model = db.Model


def utcnow() -> dt.datetime:
    """Timezone-aware now; every timestamp in the database is UTC."""
    return dt.datetime.now(dt.UTC)


#: China Standard Time (UTC+8, no daylight saving): the calendar day people live and limits count.
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC); make them comparable with ``utcnow()``."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


def string_enum(cls: type[enum.Enum], name: str) -> Enum:
    """Enums stored as plain strings with a CHECK constraint: portable, and readable in SQL."""
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e], length=16)
