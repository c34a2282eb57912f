"""The province admins' pages: 工改牵头人员管理 (city-admin posts against the quota and the 附件2
applications) and the audit log viewer with the chain check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from models.accounts import Role
from service import audit
from service.accounts import city_admins
from service.accounts.city_admins import CityAdminApplicationForm as ApplicationInput
from service.audit.viewer import AuditFilters, query
from service.console.forms import CityAdminApplicationForm, ReviewDecisionForm
from service.console.web import back, bp, fail, form_errors, paginate, staff_required
from service.platform.errors import ServiceError
from service.reference import catalogue


def _application_form(cities: list[Any]) -> CityAdminApplicationForm:
    form = CityAdminApplicationForm()
    form.city_code.choices = {city.code: city.name for city, _ in cities}
    return form


@bp.get("/city-admins", endpoint="city_admins")
@staff_required(Role.PROVINCE_ADMIN)
def city_admin_posts(password: str | None = None, username: str | None = None) -> str:
    province = catalogue.regions(None)[0]
    cities = [(c, city_admins.live_city_admins(c.code)) for c in catalogue.regions(province.code)]
    return render_template(
        "console/city_admins.html",
        cities=cities,
        names={city.code: city.name for city, _ in cities},
        quota=current_app.config["CITY_ADMIN_QUOTA"],
        applications=city_admins.list_applications(),
        form=ReviewDecisionForm(),
        application_form=_application_form(cities),
        password=password,
        username=username,
    )


@bp.post("/city-admins/applications")
@staff_required(Role.PROVINCE_ADMIN)
def city_admin_apply() -> BaseResponse:
    province = catalogue.regions(None)[0]
    form = _application_form([(c, 0) for c in catalogue.regions(province.code)])
    if not form.validate():
        form_errors(form)
        return back("console.city_admins")

    def text(field: Any) -> str | None:
        return (field.data or "").strip() or None

    application = ApplicationInput(
        city_code=form.city_code.data or "",
        action=form.action.data or "",
        department=text(form.department) or "",
        holder_name=text(form.holder_name) or "",
        contact=text(form.contact) or "",
        id_number=text(form.id_number) or "",
        office=text(form.office),
        matters_in_charge=text(form.matters_in_charge),
        username=text(form.username),
        remark=text(form.remark),
    )
    try:
        city_admins.submit(g.account, application)
    except ServiceError as exc:
        fail(exc)
        return back("console.city_admins")
    flash("已登记市州管理员账号申请,待审核", "info")
    return back("console.city_admins")


@bp.post("/city-admins/applications/<int:application_id>/decision")
@staff_required(Role.PROVINCE_ADMIN)
def city_admin_decision(application_id: int) -> Any:
    form = ReviewDecisionForm()
    if not form.validate():
        form_errors(form)
        return back("console.city_admins")
    try:
        application, password = city_admins.decide(
            g.account, application_id, form.decision.data or "", (form.reason.data or "").strip() or None
        )
    except ServiceError as exc:
        fail(exc)
        return back("console.city_admins")
    flash("已审核通过" if form.decision.data == "approve" else "已驳回", "info")
    if password:  # shown once, on this answer only
        return city_admin_posts(password=password, username=application.username)
    return back("console.city_admins")


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/audit", endpoint="audit_log")
@staff_required(Role.PROVINCE_ADMIN)
def audit_log() -> str:
    args = request.args
    filters = AuditFilters(
        action=(args.get("action") or "").strip()[:64] or None,
        actor=(args.get("actor") or "").strip()[:64] or None,
        target_type=(args.get("target_type") or "").strip()[:32] or None,
        target_id=(args.get("target_id") or "").strip()[:64] or None,
        since=_day(args.get("since")),
        until=_day(args.get("until")),
    )
    return render_template("console/audit.html", page=paginate(query(filters)), args=args, chain=None)


@bp.post("/audit/verify")
@staff_required(Role.PROVINCE_ADMIN)
def audit_verify() -> str:
    checked, broken = audit.verify_chain()
    return render_template("console/audit.html", page=paginate(query(AuditFilters())), args={},
                           chain={"checked": checked, "broken": broken})  # fmt: skip
