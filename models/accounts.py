"""Accounts (审批账号) and their login sessions.

The ID number is never stored in clear: ``id_number_enc`` holds it sealed under a versioned key
from config (AES-256-GCM or SM4-GCM), ``id_number_hash`` a keyed HMAC (SHA-256 or SM3) for
uniqueness and lookup, and ``id_number_masked`` the 430302****3456 form that lists show without
decrypting anything.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, TimestampMixin, string_enum
from models.organisations import Organisation


class Role(enum.StrEnum):
    APPROVER = "approver"
    CITY_ADMIN = "city_admin"
    PROVINCE_ADMIN = "province_admin"
    SUPPORT = "support"


class AccountStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


# Accounts that still hold their place: their ID number, a city's admin quota, a province post.
LIVE_STATUSES = (AccountStatus.PENDING, AccountStatus.ACTIVE, AccountStatus.SUSPENDED)


class VerificationStatus(enum.StrEnum):
    NONE = "none"
    REAL_NAME = "real_name"  # 实名: ID card checked
    REAL_PERSON = "real_person"  # 实人: live face matched the card


class AdminPost(enum.StrEnum):
    """The two province-admin posts of the seed: one each at 省发展改革委 and 省工改办."""

    FGW = "fgw"
    GONGAIBAN = "gongaiban"

    @property
    def organisation_code(self) -> str:
        """The provincial department that holds the post (a code of models.reference_data)."""
        return "drc" if self is AdminPost.FGW else "reform_office"


class Account(TimestampMixin, Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Identity fields may be empty only for operator-created admins and legacy imports, who
    # confirm them (phone + SMS code, real name, ID number) before verifying.
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    real_name: Mapped[str | None] = mapped_column(String(64))
    id_number_enc: Mapped[str | None] = mapped_column(String(255))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(18))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    department: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(string_enum(Role, "account_role"), default=Role.APPROVER)
    status: Mapped[AccountStatus] = mapped_column(string_enum(AccountStatus, "account_status"), index=True)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        string_enum(VerificationStatus, "verification_status"), default=VerificationStatus.NONE
    )
    verified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    legacy: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_post: Mapped[AdminPost | None] = mapped_column(string_enum(AdminPost, "admin_post"))
    # The city a city admin administers; None for every other role.
    admin_region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    __table_args__ = (
        # One live account per person; cancelled and rejected ones keep their history.
        Index(
            "uq_accounts_live_id_number",
            "id_number_hash",
            unique=True,
            postgresql_where=text("status NOT IN ('cancelled', 'rejected')"),
            sqlite_where=text("status NOT IN ('cancelled', 'rejected')"),
        ),
    )

    @property
    def region_code(self) -> str | None:
        """Where the account sits: its organisation's region, or the city it administers."""
        if self.admin_region_code:
            return self.admin_region_code
        return self.organisation.region_code if self.organisation else None


class Session(Model):
    """A bearer token, stored as its SHA-256; ``scope`` limits what it may do."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16), default="full")
    method: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(64))

    account: Mapped[Account] = relationship(lazy="joined")
