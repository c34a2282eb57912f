"""Login (用户名密码+图形验证码, 手机短信验证码), logout, the password page and the console's home.

Both methods go through ``service.auth.login``, so the console gets the API's throttling, gate and
audit. A session the console cannot use (the verification gate's, or a role without console pages)
is ended at once and the person told why; an initial password leads to the password page first.
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from service.auth import captcha, login, sms_codes
from service.auth.passwords import change_password
from service.auth.sessions import resolve
from service.console.forms import ActionForm, PasswordChangeForm, PasswordLoginForm, SmsLoginForm, SmsSendForm
from service.console.web import ADMINS, STAFF, bp, fail, form_errors, staff_required
from service.platform.errors import ServiceError


def _login_page(status: int = 200, **forms: Any) -> tuple[str, int]:
    issued, for_sms = captcha.issue(request.remote_addr), captcha.issue(request.remote_addr)
    password_form = forms.get("password_form") or PasswordLoginForm()
    password_form.captcha_id.data = issued.captcha_id
    password_form.captcha.data = ""
    sms_send_form = forms.get("sms_send_form") or SmsSendForm()
    sms_send_form.sms_captcha_id.data = for_sms.captcha_id
    sms_send_form.sms_captcha.data = ""
    return render_template(
        "console/login.html",
        password_form=password_form,
        sms_send_form=sms_send_form,
        sms_form=forms.get("sms_form") or SmsLoginForm(),
        captcha_image=issued.image_base64,
        sms_captcha_image=for_sms.image_base64,
        tab=forms.get("tab", "password"),
    ), status


def _refusal(body: dict[str, Any]) -> str | None:
    """Why this freshly opened session cannot use the console, or None."""
    account = body["account"]
    if body["scope"] != "full":
        return "账号未实名,请先在湘建云APP完成实名实人认证后再登录管理后台"
    if account.role not in STAFF:
        return "该账号没有管理后台的使用权限"
    return None


def _start(body: dict[str, Any]) -> BaseResponse:
    refusal = _refusal(body)
    if refusal:
        login.logout(resolve(body["token"]))
        flash(refusal, "error")
        return redirect(url_for("console.login"))
    session.clear()  # a new login never inherits an earlier cookie's contents
    session["token"] = body["token"]
    if body["password_change_required"]:
        flash("首次登录请先修改初始密码", "info")
        return redirect(url_for("console.password"))
    return redirect(url_for("console.home"))


@bp.get("/login", endpoint="login")
def login_page() -> tuple[str, int]:
    return _login_page()


@bp.post("/login/password")
def password_login() -> Any:
    form = PasswordLoginForm()
    if not form.validate():
        form_errors(form)
        return _login_page(422, password_form=form)
    try:
        body = login.password_login(form.username.data or "", form.password.data or "",
                                    form.captcha_id.data, form.captcha.data)  # fmt: skip
    except ServiceError as exc:
        fail(exc)
        return _login_page(exc.status, password_form=form)
    return _start(body)


@bp.post("/login/sms-code")
def sms_code() -> Any:
    form = SmsSendForm()
    if not form.validate():
        form_errors(form)
        return _login_page(422, sms_send_form=form, tab="sms")
    try:
        phone, answer = form.phone.data or "", form.sms_captcha.data
        sms_codes.request_code(phone, "login", request.remote_addr, form.sms_captcha_id.data, answer)
    except ServiceError as exc:
        fail(exc)
        return _login_page(exc.status, sms_send_form=form, tab="sms")
    flash("如该手机号已注册,验证码已发送,5分钟内有效", "info")
    return _login_page(sms_form=SmsLoginForm(phone=form.phone.data), tab="sms")


@bp.post("/login/sms")
def sms_login() -> Any:
    form = SmsLoginForm()
    if not form.validate():
        form_errors(form)
        return _login_page(422, sms_form=form, tab="sms")
    try:
        body = login.sms_login(form.phone.data or "", form.code.data or "")
    except ServiceError as exc:
        fail(exc)
        return _login_page(exc.status, sms_form=form, tab="sms")
    return _start(body)


@bp.route("/password", methods=["GET", "POST"])
@staff_required(*STAFF, initial_password_ok=True)
def password() -> Any:
    """Change one's password (the initial one first); every other session of the account ends."""
    form = PasswordChangeForm()
    if request.method == "POST":
        if not form.validate():
            form_errors(form)
        else:
            try:
                change_password(g.account, g.session, form.current_password.data or "",
                                form.new_password.data or "", request.remote_addr)  # fmt: skip
            except ServiceError as exc:
                fail(exc)
            else:
                flash("密码已修改", "info")
                return redirect(url_for("console.home"))
    return render_template("console/password.html", form=form)


@bp.post("/logout")
@staff_required(*STAFF, initial_password_ok=True)
def logout() -> BaseResponse:
    if ActionForm().validate():
        login.logout(g.session)
    session.clear()
    flash("已安全退出", "info")
    return redirect(url_for("console.login"))


@bp.get("/")
@staff_required(*STAFF)
def home() -> BaseResponse:
    if g.account.role in ADMINS:
        return redirect(url_for("console.reviews"))
    return redirect(url_for("console.attempts"))
