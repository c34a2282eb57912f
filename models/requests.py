"""Everything an administrator reviews: account requests (new / change / cancel) and
permission requests, in one table so a review has one id whatever its kind."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import Account
from models.base import Model, TimestampMixin, string_enum
from models.matters import Matter


class RequestKind(enum.StrEnum):
    NEW = "new"
    CHANGE = "change"
    CANCEL = "cancel"
    PERMISSION = "permission"

    @property
    def category(self) -> str:
        return "permission" if self is RequestKind.PERMISSION else "account"


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ReviewRequest(TimestampMixin, Model):
    __tablename__ = "review_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RequestKind] = mapped_column(string_enum(RequestKind, "request_kind"))
    status: Mapped[RequestStatus] = mapped_column(
        string_enum(RequestStatus, "request_status"), default=RequestStatus.PENDING
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # For a change: the allow-listed fields and their new values. Never the ID number.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="joined")
    reviewer: Mapped[Account | None] = relationship(foreign_keys=[reviewer_id])
    items: Mapped[list[PermissionItem]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="selectin", order_by="PermissionItem.id"
    )

    __table_args__ = (Index("ix_review_requests_status_kind", "status", "kind"),)


class PermissionItem(Model):
    """One matter of a permission request: acceptor (受理) and/or handler (办理)."""

    __tablename__ = "permission_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("review_requests.id", ondelete="CASCADE"), index=True)
    matter_code: Mapped[str] = mapped_column(ForeignKey("matters.code"))
    acceptor: Mapped[bool] = mapped_column(Boolean, default=False)
    handler: Mapped[bool] = mapped_column(Boolean, default=False)

    request: Mapped[ReviewRequest] = relationship(back_populates="items")
    matter: Mapped[Matter] = relationship(lazy="joined")


class Grant(Model):
    """A role on a matter that an approved permission request gave an account."""

    __tablename__ = "grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    matter_code: Mapped[str] = mapped_column(ForeignKey("matters.code"))
    role: Mapped[str] = mapped_column(String(16))  # acceptor | handler
    request_id: Mapped[int | None] = mapped_column(ForeignKey("review_requests.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    matter: Mapped[Matter] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("account_id", "matter_code", "role", name="uq_grants_account_matter_role"),
    )
