"""The reference data the app's pickers show: regions (province -> city -> county), organisations, matters;
and the catalogue of reason codes every client branches on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from models.matters import Matter
from models.organisations import Organisation
from models.regions import Region
from service.api.base import BaseSchema
from service.api.schemas import MatterSchema, OrganisationSchema, RegionSchema
from service.platform.reason_codes import ERROR_REASONS
from service.reference import catalogue
from service.verification.reasons import MESSAGES as VERIFICATION_REASONS

blp = Blueprint(
    "reference", __name__, url_prefix="/api/v1", description="行政区划、单位与事项目录; 原因码目录"
)


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


class ReasonCodeSchema(Schema):
    reason = fields.String(required=True, metadata={"description": "稳定的机器可读原因码"})
    message = fields.String(required=True, metadata={"description": "中文说明"})


class ReasonCatalogueSchema(Schema):
    errors = fields.List(
        fields.Nested(ReasonCodeSchema), required=True, metadata={"description": "错误响应的 reason"}
    )
    verification = fields.List(
        fields.Nested(ReasonCodeSchema),
        required=True,
        metadata={"description": "认证记录的 reasons 与 problems 中的 reason"},
    )


def reason_catalogue() -> dict[str, list[dict[str, str]]]:
    """Both catalogues as lists of {reason, message}, in their own order."""
    return {
        "errors": [{"reason": r, "message": m} for r, m in ERROR_REASONS.items()],
        "verification": [{"reason": r, "message": m} for r, m in VERIFICATION_REASONS.items()],
    }


def _table(title: str, catalogue: dict[str, str]) -> str:
    rows = "\n".join(f"| `{reason}` | {message} |" for reason, message in catalogue.items())
    return f"**{title}**\n\n| reason | message |\n| --- | --- |\n{rows}"


@blp.route("/reasons")
class Reasons(MethodView):
    @blp.doc(
        description="客户端按 reason 分支, 不按 message. 错误响应的 reason 与认证结果的 reasons:\n\n"
        + _table("错误响应", ERROR_REASONS)
        + "\n\n"
        + _table("认证结果", VERIFICATION_REASONS)
    )
    @blp.response(200, ReasonCatalogueSchema, example=reason_catalogue())
    def get(self) -> dict[str, list[dict[str, str]]]:
        """The reason codes of error answers and of verification results, with their Chinese messages"""
        return reason_catalogue()
