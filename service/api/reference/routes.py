from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields
from sqlalchemy import select

from models.base import db
from models.matters import Matter, ProjectType
from models.organisations import Organisation
from models.regions import Region
from service.api.base import BaseSchema
from service.api.schemas import MatterSchema, OrganisationSchema, RegionSchema

blp = Blueprint("reference", __name__, url_prefix="/api/v1", description="行政区划、单位与事项目录")


class RegionArgsSchema(BaseSchema):
    parent = fields.String(load_default=None)


class OrganisationArgsSchema(BaseSchema):
    region = fields.String(load_default=None)


class MatterArgsSchema(BaseSchema):
    stage = fields.String(load_default=None)
    project_type = fields.String(load_default=None)


@blp.route("/regions")
class Regions(MethodView):
    @blp.arguments(RegionArgsSchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Region]:
        """The province -> city -> county tree (children of ``parent``, or all)"""
        query = select(Region).order_by(Region.code)
        if args["parent"]:
            query = query.where(Region.parent_code == args["parent"])
        return db.session.scalars(query).all()


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrganisationArgsSchema, location="query")
    @blp.response(200, OrganisationSchema(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Organisation]:
        """Organisations, optionally of one region"""
        query = select(Organisation).order_by(Organisation.region_code, Organisation.id)
        if args["region"]:
            query = query.where(Organisation.region_code == args["region"])
        return db.session.scalars(query).all()


@blp.route("/matters")
class Matters(MethodView):
    @blp.arguments(MatterArgsSchema, location="query")
    @blp.response(200, MatterSchema(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Matter]:
        """The matter catalogue, filtered by stage and project type"""
        query = select(Matter).order_by(Matter.code)
        if args["stage"]:
            query = query.where(Matter.stage_code == args["stage"])
        if args["project_type"]:
            query = query.where(Matter.project_types.any(ProjectType.code == args["project_type"]))
        return db.session.scalars(query).all()
