"""The province -> city -> county tree that organisations and admin scopes hang off."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model


class Region(Model):
    """A GB/T 2260 division in the managed province (current codes only)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))  # province | city | county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)

    @property
    def city_code(self) -> str | None:
        """The city this region belongs to (itself for a city), None for the province."""
        if self.level == "province":
            return None
        return self.code[:4] + "00"


def code_prefix(code: str) -> str:
    """The prefix every GB/T 2260 code inside ``code`` starts with: 430000 -> 43, 430100 -> 4301,
    430102 -> 430102. A province covers its cities and counties, a city its counties."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code
