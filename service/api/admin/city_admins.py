from __future__ import annotations

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from models.accounts import Role
from models.base import db
from models.city_admins import CityAdminApplication
from service.accounts import city_admins
from service.api.admin.routes import blp
from service.api.admin.schemas import (
    CityAdminApplicationInSchema,
    CityAdminApplicationSchema,
    CityAdminDecisionResultSchema,
    DecisionSchema,
)
from service.auth.guard import login_required

province_admin_required = login_required(Role.PROVINCE_ADMIN, active=True)


@blp.route("/city-admin-applications")
class CityAdminApplications(MethodView):
    @province_admin_required
    @blp.arguments(CityAdminApplicationInSchema)
    @blp.response(201, CityAdminApplicationSchema)
    def post(self, form):
        """Record a city-admin application (附件2: add or delete)"""
        return city_admins.submit(g.account, form)

    @province_admin_required
    @blp.response(200, CityAdminApplicationSchema(many=True))
    def get(self):
        """All city-admin applications, newest first"""
        return db.session.scalars(select(CityAdminApplication).order_by(CityAdminApplication.id.desc())).all()


@blp.route("/city-admin-applications/<int:application_id>/decision")
class CityAdminDecision(MethodView):
    @province_admin_required
    @blp.arguments(DecisionSchema)
    @blp.response(200, CityAdminDecisionResultSchema)
    def post(self, args, application_id):
        """Approve (creates or cancels the city admin) or reject an application"""
        application, password = city_admins.decide(
            g.account, application_id, args["decision"], args["reason"]
        )
        return {"application": application, "initial_password": password}
