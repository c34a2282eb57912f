"""The reference data the app's pickers show: regions (province -> city -> county), organisations, matters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from models.matters import Matter
from models.organisations import Organisation
from models.regions import Region
from service.api.base import BaseSchema
from service.api.schemas import MatterSchema, OrganisationSchema, RegionSchema
from service.reference import catalogue

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
        return catalogue.regions(args["parent"])


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.arguments(OrganisationArgsSchema, location="query")
    @blp.response(200, OrganisationSchema(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Organisation]:
        """Organisations, optionally of one region"""
        return catalogue.organisations(args["region"])


@blp.route("/matters")
class Matters(MethodView):
    @blp.arguments(MatterArgsSchema, location="query")
    @blp.response(200, MatterSchema(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Matter]:
        """The matter catalogue, filtered by stage and project type"""
        return catalogue.matters(args["stage"], args["project_type"])
