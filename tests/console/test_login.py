"""Console login, logout, expiry, CSRF and the security headers, through Flask's test client."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models.accounts import Role, Session, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from tests.console.helpers import console_login, login_form, sms_send_form, token_of
from tests.factories import latest_sms_code, make_account


def _city_admin(**extra):
    return make_account(role=Role.CITY_ADMIN, city="430100", **extra)


def test_login_page_is_chinese_and_hardened(client):
    response = client.get("/console/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "用户名登录(方式一)" in html and "手机短信验证码登录(方式三)" in html and "数字证书登录" in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_and_secure_cookie_over_tls(client):
    response = client.get("/console/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("xjy_console=") and "Path=/console" in cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_login_opens_a_console_session(app, client):
    with app.app_context():
        admin = _city_admin()
        username = admin.username
    response = console_login(client, username)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/")
    assert client.get("/console/reviews").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "session.login"


def test_wrong_captcha_is_refused(app, client):
    with app.app_context():
        username = _city_admin().username
    form = {
        **login_form(client),
        "username": username,
        "password": "correct horse battery",
        "captcha": "ZZZZ",
    }
    response = client.post("/console/login/password", data=form)
    assert response.status_code == 422
    assert "图形验证码错误或已过期" in response.get_data(as_text=True)


def test_unverified_admin_is_told_to_verify_first(app, client):
    with app.app_context():
        username = _city_admin(verification=VerificationStatus.NONE).username
    response = console_login(client, username)
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/login")
    assert "账号未实名" in client.get("/console/login").get_data(as_text=True)
    assert client.get("/console/reviews").status_code == 302
    with app.app_context():  # the gate's session was ended at once
        assert db.session.scalar(select(Session).where(Session.revoked_at.is_(None))) is None


def test_approver_has_no_console(app, client):
    with app.app_context():
        username = make_account().username
    console_login(client, username)
    assert "没有管理后台的使用权限" in client.get("/console/login").get_data(as_text=True)


def test_sms_login(app, client):
    with app.app_context():
        admin = _city_admin()
        phone = admin.phone
    form = sms_send_form(client)
    assert client.post("/console/login/sms-code", data={**form, "phone": phone}).status_code == 200
    code = latest_sms_code(app, phone)
    token = form["csrf_token"]
    response = client.post("/console/login/sms", data={"csrf_token": token, "phone": phone, "code": code})
    assert response.status_code == 302
    assert client.get("/console/reviews").status_code == 200


def test_logout_ends_the_session(app, client):
    with app.app_context():
        username = _city_admin().username
    console_login(client, username)
    token = token_of(client, "/console/reviews")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/console/reviews").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Session.revoked_reason)) == "logout"


def test_idle_session_expires(app, client):
    with app.app_context():
        username = _city_admin().username
    console_login(client, username)
    with app.app_context():
        session = db.session.scalar(select(Session))
        session.last_seen_at = session.last_seen_at - dt.timedelta(hours=1)
        db.session.commit()
    response = client.get("/console/reviews")
    assert response.status_code == 302 and response.headers["Location"].endswith("/console/login")
    assert "登录已超时" in client.get("/console/login").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, client):
    with app.app_context():
        username = _city_admin().username
    console_login(client, username)
    response = client.post("/console/logout", data={})
    assert response.status_code == 400
    assert "页面已过期或请求来源不明" in response.get_data(as_text=True)
    assert client.get("/console/reviews").status_code == 200  # still signed in


def test_support_cannot_open_admin_pages(app, client):
    with app.app_context():
        username = make_account(role=Role.SUPPORT, org_code=None).username
    console_login(client, username)
    assert client.get("/console/reviews").status_code == 403
    assert client.get("/console/support/attempts").status_code == 200


def test_initial_password_must_be_changed_first(app, client):
    with app.app_context():
        admin = _city_admin()
        admin.must_change_password = True
        db.session.commit()
        username = admin.username
    response = console_login(client, username)
    assert response.headers["Location"].endswith("/console/password")
    assert client.get("/console/reviews").headers["Location"].endswith("/console/password")
    token = token_of(client, "/console/password")
    new = "湘江北去橘子洲头2026"
    form = {
        "csrf_token": token,
        "current_password": "correct horse battery",
        "new_password": new,
        "confirm": new,
    }
    assert client.post("/console/password", data=form).status_code == 302
    assert client.get("/console/reviews").status_code == 200
