"""The approval-matter catalogue (事项): project types, stages and matters."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model, db

matter_project_types = Table(
    "matter_project_types",
    db.metadata,
    Column("matter_code", ForeignKey("matters.code"), primary_key=True),
    Column("project_type_code", ForeignKey("project_types.code"), primary_key=True),
)


class ProjectType(Model):
    __tablename__ = "project_types"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))


class Stage(Model):
    __tablename__ = "stages"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)


class Matter(Model):
    __tablename__ = "matters"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    stage_code: Mapped[str] = mapped_column(ForeignKey("stages.code"), index=True)
    department: Mapped[str | None] = mapped_column(String(64))

    stage: Mapped[Stage] = relationship(lazy="joined")
    project_types: Mapped[list[ProjectType]] = relationship(secondary=matter_project_types, lazy="selectin")
