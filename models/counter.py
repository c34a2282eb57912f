"""In-person (窗口) verifications: support staff checked a person's original ID card face to face.

The non-face path the face-recognition rules require for people who cannot or will not use it. The
card's number is never stored here: it was compared with the account's keyed hash at the counter.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import Account
from models.base import Model


class CounterVerification(Model):
    __tablename__ = "counter_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    office: Mapped[str] = mapped_column(String(64))  # which counter (窗口)
    document: Mapped[str] = mapped_column(String(32))  # what was sighted, e.g. the original resident ID card
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="joined")
    staff: Mapped[Account] = relationship(foreign_keys=[staff_id], lazy="joined")
