"""The console's plumbing: its blueprint, who is signed in, CSRF on every post, security headers,
error pages and the helpers every page uses.

A console login holds the same kind of server-side session as the API (``service.auth.sessions``:
idle and absolute expiry, revocable, listed on the account page); the browser keeps its opaque token
in Flask's signed cookie (HttpOnly, SameSite=Lax, Secure over TLS), never in script reach.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_sqlalchemy.pagination import Pagination
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from sqlalchemy import Select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse
from wtforms import ValidationError

from models.accounts import Account, AccountStatus, Role
from models.base import CHINA_TIME, as_utc, db
from service.accounts.identity import mask_phone
from service.auth.sessions import resolve
from service.console.labels import all_labels
from service.platform.errors import ServiceError, Unauthorized

bp = Blueprint(
    "console", __name__, url_prefix="/console", template_folder="templates", static_folder="static"
)
ADMINS = (Role.PROVINCE_ADMIN, Role.CITY_ADMIN)
STAFF = (*ADMINS, Role.SUPPORT)
PAGE_SIZE = 20
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class ConsoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, marked Secure whenever the request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


@bp.before_request
def _check_csrf() -> None:
    """Every state-changing request carries the form's token (flask-wtf), whatever view it reaches."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as exc:
            raise CSRFError(str(exc)) from exc


@bp.after_request
def _security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


@bp.app_template_global()
def csrf_token() -> str:
    return str(generate_csrf())


@bp.app_template_filter("local_time")
def local_time(value: dt.datetime | None) -> str:
    """Beijing time, as people read it (stored times are UTC)."""
    return as_utc(value).astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S") if value else ""


@bp.app_template_filter("mask_phone")
def mask_phone_filter(phone: str | None) -> str:
    return mask_phone(phone) or ""


@bp.context_processor
def _globals() -> dict[str, Any]:
    labels = all_labels()

    def label(table: str, value: Any) -> str:
        return labels[table].get(str(value), str(value)) if value is not None else ""

    return {"label": label, "me": g.get("account"), "Role": Role}


def staff_required(
    *roles: Role, initial_password_ok: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A live full console session of an active account holding one of ``roles``.

    No session (or an expired one) goes to the login page; a wrong role answers 403; an account still
    holding the initial password it was handed reaches only the password page (as in the API's guard).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = session.get("token")
            if not token:
                return redirect(url_for("console.login"))
            try:
                live = resolve(token)
            except Unauthorized as exc:
                session.clear()
                flash(exc.message, "error")
                return redirect(url_for("console.login"))
            account: Account = live.account
            g.session, g.account = live, account
            if (
                live.scope != "full"
                or account.status is not AccountStatus.ACTIVE
                or account.role not in roles
            ):
                abort(403)
            if account.must_change_password and not initial_password_ok:
                return redirect(url_for("console.password"))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def paginate(query: Select[Any]) -> Pagination:
    page = request.args.get("page", 1, type=int) or 1
    return db.paginate(query, page=max(1, min(page, 10**6)), per_page=PAGE_SIZE, error_out=False)


def back(endpoint: str, **values: Any) -> BaseResponse:
    return redirect(url_for(endpoint, **values))


def fail(exc: ServiceError) -> None:
    """Show a domain refusal on the next page, in the domain's own words."""
    flash(exc.message, "error")


def form_errors(form: Any) -> None:
    for messages in form.errors.values():
        for message in messages:
            flash(str(message), "error")


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError) -> tuple[str, int]:
    return render_template("console/error.html", status=exc.status, message=exc.message), exc.status


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> tuple[str, int]:
    return render_template(
        "console/error.html", status=400, message="页面已过期或请求来源不明,请刷新页面后重试"
    ), 400


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> tuple[str, int]:
    status = exc.code or 500
    messages = {403: "没有权限访问此页面", 404: "未找到该记录", 405: "不支持此操作"}
    return render_template(
        "console/error.html", status=status, message=messages.get(status, "请求无法处理")
    ), status
