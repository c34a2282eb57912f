"""Reads of the reference data the app's pickers show: the region tree, organisations, matters."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from models.base import db
from models.matters import Matter, ProjectType
from models.organisations import Organisation
from models.regions import Region


def regions(parent: str | None = None) -> Sequence[Region]:
    """The province -> city -> county tree: children of ``parent``, or every region."""
    query = select(Region).order_by(Region.code)
    if parent:
        query = query.where(Region.parent_code == parent)
    return db.session.scalars(query).all()


def organisations(region: str | None = None) -> Sequence[Organisation]:
    """Organisations, optionally of one region."""
    query = select(Organisation).order_by(Organisation.region_code, Organisation.id)
    if region:
        query = query.where(Organisation.region_code == region)
    return db.session.scalars(query).all()


def matters(stage: str | None = None, project_type: str | None = None) -> Sequence[Matter]:
    """The matter catalogue, filtered by stage and project type."""
    query = select(Matter).order_by(Matter.code)
    if stage:
        query = query.where(Matter.stage_code == stage)
    if project_type:
        query = query.where(Matter.project_types.any(ProjectType.code == project_type))
    return db.session.scalars(query).all()
