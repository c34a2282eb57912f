"""The event log (transactional outbox): one row per change of an attempt's status or an account's
status or verification status, written in the same transaction as the change.

The web hall follows it as a feed, a stream or webhooks. Rows carry ids and states, never personal
data beyond the account id. ``id`` is the feed's cursor: appenders are serialised until they commit
(see ``service.events.log``), so ids become visible in order and a reader never skips one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model


class Event(Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    type: Mapped[str] = mapped_column(String(40))
    account_id: Mapped[int] = mapped_column(Integer)
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    # Where the account sat when it happened: clients and subscriptions see only their regions.
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_events_account_id_id", "account_id", "id"),)
