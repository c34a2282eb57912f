"""Reads of the reference data the app's pickers show: the region tree, organisations, matters."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from models.base import db
from models.matters import Matter, ProjectType, Stage
from models.organisations import Organisation
from models.regions import Region
from service.platform.errors import InvalidInput


def _known(model: type[Region] | type[Stage] | type[ProjectType], key: str, field: str, what: str) -> None:
    """A filter naming something that does not exist is an error, not an empty list."""
    if db.session.get(model, key) is None:
        message = f"{what}不存在: {key}"
        raise InvalidInput("filter_unknown", message, errors={field: [message]})


def regions(parent: str | None = None) -> Sequence[Region]:
    """The province -> city -> county tree: children of ``parent``, or every region."""
    query = select(Region).order_by(Region.code)
    if parent:
        _known(Region, parent, "parent", "行政区划")
        query = query.where(Region.parent_code == parent)
    return db.session.scalars(query).all()


def organisations(region: str | None = None) -> Sequence[Organisation]:
    """Organisations, optionally of one region."""
    query = select(Organisation).order_by(Organisation.region_code, Organisation.id)
    if region:
        _known(Region, region, "region", "行政区划")
        query = query.where(Organisation.region_code == region)
    return db.session.scalars(query).all()


def matters(stage: str | None = None, project_type: str | None = None) -> Sequence[Matter]:
    """The matter catalogue, filtered by stage and project type."""
    query = select(Matter).order_by(Matter.code)
    if stage:
        _known(Stage, stage, "stage", "阶段")
        query = query.where(Matter.stage_code == stage)
    if project_type:
        _known(ProjectType, project_type, "project_type", "项目类型")
        query = query.where(Matter.project_types.any(ProjectType.code == project_type))
    return db.session.scalars(query).all()
