"""Console test helpers: read a page's CSRF token and captcha id, solve the captcha, log in."""

from __future__ import annotations

import re

from sqlalchemy import select

from models.accounts import Account
from models.base import db
from models.organisations import Organisation
from models.requests import ReviewRequest
from service.auth.captcha import _digest, _key
from service.platform.extensions import redis_store
from tests.factories import CAPTCHA_ANSWER, PASSWORD

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CAPTCHA_ID = re.compile(r'id="captcha_id" name="captcha_id" type="hidden" value="([^"]+)"')
SMS_CAPTCHA_ID = re.compile(r'id="sms_captcha_id" name="sms_captcha_id" type="hidden" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def solve(app, captcha_id: str) -> str:
    """Overwrite the stored hash of this captcha with that of a known answer (as tests.factories does)."""
    with app.app_context():
        redis_store.client.set(_key(captcha_id), _digest(captcha_id, CAPTCHA_ANSWER), keepttl=True)
    return CAPTCHA_ANSWER


def login_form(client) -> dict[str, str]:
    """The login page's hidden fields, with its captcha solved."""
    html = client.get("/console/login").get_data(as_text=True)
    captcha_id = CAPTCHA_ID.search(html).group(1)
    return {
        "csrf_token": csrf_of(html),
        "captcha_id": captcha_id,
        "captcha": solve(client.application, captcha_id),
    }


def sms_send_form(client) -> dict[str, str]:
    """The login page's SMS-send fields, with that form's own captcha solved."""
    html = client.get("/console/login").get_data(as_text=True)
    captcha_id = SMS_CAPTCHA_ID.search(html).group(1)
    return {
        "csrf_token": csrf_of(html),
        "sms_captcha_id": captcha_id,
        "sms_captcha": solve(client.application, captcha_id),
    }


def console_login(client, username: str, password: str = PASSWORD):
    form = {**login_form(client), "username": username, "password": password}
    return client.post("/console/login/password", data=form)


def token_of(client, path: str) -> str:
    return csrf_of(client.get(path).get_data(as_text=True))


def new_account_request(account: Account) -> ReviewRequest:
    """A pending 新增账号 request for ``account`` (as registration makes one). Commits."""
    review = ReviewRequest(kind="new", account_id=account.id, submitted_by_id=account.id)
    db.session.add(review)
    db.session.commit()
    return review


def county_org(city_prefix: str) -> str:
    """The code of a demo organisation in a county of the city with this 4-digit prefix."""
    code = db.session.scalar(
        select(Organisation.code).where(
            Organisation.region_code.like(city_prefix + "%"), Organisation.region_code != city_prefix + "00"
        )
    )
    assert code
    return code
