"""Webhook subscriptions of the event log and the record of every delivery try.

A subscription has a cursor: the last event delivered. Events go out one at a time in log order,
so a receiver gets them in order per account, at least once. The signing secret is kept encrypted
(it must be read back to sign) and shown once, when the subscription is made.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, TimestampMixin


class WebhookSubscription(TimestampMixin, Model):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(String(500))
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    regions: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    # While the receiver fails: when the event at the cursor first failed (given up after 24 h).
    failing_since: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    next_try_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # backing off until
    # The delivery run that holds the subscription: its number (fences a run that was replaced) and
    # until when (renewed after every event; the pump starts a new run once it has run out).
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))


class WebhookDelivery(Model):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )  # None: a ping
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    outcome: Mapped[str] = mapped_column(String(16))  # delivered | failed | given_up
    status_code: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
