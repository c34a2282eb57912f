"""The dashboard (待办与认证概况) and the legacy re-verification campaign (存量账号实人认证)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from models.base import db
from service.accounts import campaign, dashboard
from service.console.forms import ActionForm
from service.console.web import ADMINS, STAFF, back, bp, fail, paginate, staff_required
from service.platform.errors import ServiceError
from service.reference import catalogue
from service.verification.reasons import MESSAGES

CHART_HEIGHT = 120


def _region_names() -> dict[str, str]:
    names = {r.code: r.name for r in catalogue.regions(None)}
    names[next(iter(names))] = "省直部门"  # the province row stands for its own departments
    return names


def _bar(day: dashboard.DayOutcomes, peak: int) -> dict[str, Any]:
    """One day's bar heights in chart pixels (passed on top of failed-or-error)."""
    return {
        "day": day.day,
        "passed": day.passed * CHART_HEIGHT // peak,
        "other": (day.failed + day.error) * CHART_HEIGHT // peak,
        "rate": day.pass_rate,
        "entry": day,
    }


@bp.get("/dashboard")
@staff_required(*STAFF)
def dashboard_page() -> str:
    outcomes = dashboard.daily_outcomes(g.account)
    peak = max([d.passed + d.failed + d.error for d in outcomes] + [1])
    return render_template(
        "console/dashboard.html",
        bars=[_bar(d, peak) for d in outcomes],
        height=CHART_HEIGHT,
        pending=dashboard.pending_by_city(g.account) if g.account.role in ADMINS else None,
        names=_region_names(),
        top=dashboard.top_reasons(outcomes),
        messages=MESSAGES,
    )


@bp.get("/campaign")
@staff_required(*ADMINS)
def campaign_page() -> str:
    names = _region_names()
    city = request.args.get("city") or None
    city = city if city in names else None
    page = paginate(campaign.unverified(g.account, city))
    return render_template("console/campaign.html", progress=campaign.progress(g.account), names=names,
                           city=city, page=page, form=ActionForm())  # fmt: skip


@bp.post("/campaign/remind")
@staff_required(*ADMINS)
def campaign_remind() -> BaseResponse:
    names = _region_names()
    city = request.form.get("city") or None
    city = city if city in names else None
    accounts: Any = db.session.scalars(campaign.unverified(g.account, city).limit(500)).all()
    try:
        sent, skipped = campaign.send_reminders(g.account, accounts)
    except ServiceError as exc:
        fail(exc)
        return back("console.campaign_page", city=city)
    flash(f"已发送提醒短信 {sent} 条;{skipped} 个账号近期已提醒或无手机号,本次未发送", "info")
    return back("console.campaign_page", city=city)
