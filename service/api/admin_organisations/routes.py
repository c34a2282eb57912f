"""Province admins add an organisation the import has not brought, or rename one; both audited.
The rules (credit code, region inside the province, parent) are the import's: one ``save``."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from models.accounts import Role
from models.organisations import Organisation
from service.api.base import BaseSchema
from service.api.schemas import OrganisationSchema
from service.auth.guard import login_required
from service.reference import organisations

blp = Blueprint("admin_organisations", __name__, url_prefix="/api/v1/admin", description="省级管理员: 单位")
province_admin_required = login_required(Role.PROVINCE_ADMIN, active=True)


class OrganisationInSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=128))
    short_name = fields.String(load_default=None, validate=validate.Length(max=64))
    credit_code = fields.String(required=True, validate=validate.Length(min=18, max=24))
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$"))
    parent_credit_code = fields.String(load_default=None, validate=validate.Length(max=24))


class OrganisationPatchSchema(BaseSchema):
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=128))
    short_name = fields.String(load_default=None, validate=validate.Length(max=64))


class OrganisationOutSchema(OrganisationSchema):
    parent_id = fields.Integer(allow_none=True)


@blp.route("/organisations")
class Organisations(MethodView):
    @province_admin_required
    @blp.arguments(OrganisationInSchema)
    @blp.response(201, OrganisationOutSchema)
    def post(self, args: dict[str, Any]) -> Organisation:
        """Add one organisation (the credit code must be new)"""
        return organisations.create(organisations.OrganisationForm(**args), actor=g.account)


@blp.route("/organisations/<int:organisation_id>")
class OrganisationDetail(MethodView):
    @province_admin_required
    @blp.arguments(OrganisationPatchSchema)
    @blp.response(200, OrganisationOutSchema)
    def patch(self, args: dict[str, Any], organisation_id: int) -> Organisation:
        """Rename an organisation (name and/or short name)"""
        saved = organisations.rename(organisation_id, args["name"], args["short_name"], actor=g.account)
        return saved.organisation
