"""City-admin applications (附件2), recorded and decided by a province admin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from models.accounts import Role
from models.city_admins import CityAdminApplication
from service.accounts import city_admins
from service.accounts.city_admins import CityAdminApplicationForm
from service.api.city_admin_applications.schemas import (
    CityAdminApplicationInSchema,
    CityAdminApplicationSchema,
    CityAdminDecisionResultSchema,
)
from service.api.schemas import DecisionSchema
from service.auth.guard import login_required

blp = Blueprint(
    "city_admin_applications", __name__, url_prefix="/api/v1/admin", description="省级管理员: 市州管理员申请"
)
province_admin_required = login_required(Role.PROVINCE_ADMIN, active=True)


@blp.route("/city-admin-applications")
class CityAdminApplications(MethodView):
    @province_admin_required
    @blp.arguments(CityAdminApplicationInSchema)
    @blp.response(201, CityAdminApplicationSchema)
    def post(self, form: CityAdminApplicationForm) -> CityAdminApplication:
        """Record a city-admin application (附件2: add or delete)"""
        return city_admins.submit(g.account, form)

    @province_admin_required
    @blp.response(200, CityAdminApplicationSchema(many=True))
    def get(self) -> Sequence[CityAdminApplication]:
        """All city-admin applications, newest first"""
        return city_admins.list_applications()


@blp.route("/city-admin-applications/<int:application_id>/decision")
class CityAdminDecision(MethodView):
    @province_admin_required
    @blp.arguments(DecisionSchema)
    @blp.response(200, CityAdminDecisionResultSchema)
    def post(self, args: dict[str, Any], application_id: int) -> dict[str, Any]:
        """Approve (creates or cancels the city admin) or reject an application"""
        application, password = city_admins.decide(
            g.account, application_id, args["decision"], args["reason"]
        )
        return {"application": application, "initial_password": password}
