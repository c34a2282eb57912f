"""Organisations (审批部门): provincial departments and city / county departments."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from stdnum.cn import uscc

from models.base import Model, TimestampMixin
from models.regions import Region


class Organisation(TimestampMixin, Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A stable slug for seeds and operators ("drc", "430100-housing"); None for imported ones.
    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    short_name: Mapped[str | None] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    # The department above this one (a county bureau's city bureau), inside a region that contains this
    # one's; None at the top. Imports name it by credit code.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    region: Mapped[Region] = relationship(lazy="joined")

    @validates("credit_code")
    def _valid_credit_code(self, key: str, value: str) -> str:
        """GB 32100-2015, check character included: no organisation is stored with a bad code."""
        return uscc.validate(value)
