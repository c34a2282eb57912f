"""Password login: the image captcha (single use, expiring, case-insensitive), the ASVS password
rule and argon2id rehashing."""

from __future__ import annotations

import base64

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from models.accounts import Account
from models.base import db
from service.auth.captcha import _key
from service.auth.passwords import check_new_password
from service.platform.errors import InvalidInput
from service.platform.extensions import redis_store
from tests.factories import PASSWORD, make_account, password_login, solve_captcha


def post(client, username="li", password=PASSWORD, **captcha):
    return client.post(
        "/api/v1/sessions", json={"method": "password", "username": username, "password": password, **captcha}
    )


def test_captcha_is_a_png_with_an_id(client):
    body = client.get("/api/v1/captchas").get_json()
    assert base64.b64decode(body["image"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert len(body["captcha_id"]) >= 20 and body["mime_type"] == "image/png"


def test_password_login_with_a_solved_captcha(app, client):
    with app.app_context():
        make_account(username="li")
    response = password_login(client, "li")
    assert response.status_code == 201
    assert (response.get_json()["scope"], response.get_json()["method"]) == ("full", "password")


@pytest.mark.parametrize("captcha", [{}, {"captcha_id": "nope", "captcha": "ABCD"}])
def test_missing_or_unknown_captcha_is_refused(app, client, captcha):
    with app.app_context():
        make_account(username="li")
    response = post(client, **captcha)
    assert (response.status_code, response.get_json()["reason"]) == (422, "captcha_invalid")


def test_wrong_answer_consumes_the_captcha(app, client):
    with app.app_context():
        make_account(username="li")
    solved = solve_captcha(client)
    assert (
        post(client, captcha_id=solved["captcha_id"], captcha="WRNG").get_json()["reason"]
        == "captcha_invalid"
    )
    assert post(client, **solved).get_json()["reason"] == "captcha_invalid"  # no second guess


def test_a_captcha_is_single_use(app, client):
    with app.app_context():
        make_account(username="li")
    solved = solve_captcha(client)
    assert post(client, **solved).status_code == 201
    assert post(client, **solved).get_json()["reason"] == "captcha_invalid"


def test_an_expired_captcha_is_refused(app, client):
    with app.app_context():
        make_account(username="li")
    solved = solve_captcha(client)
    with app.app_context():
        redis_store.client.delete(_key(solved["captcha_id"]))  # what the TTL does
    assert post(client, **solved).get_json()["reason"] == "captcha_invalid"


def test_captcha_answer_is_case_insensitive(app, client):
    with app.app_context():
        make_account(username="li")
    solved = solve_captcha(client)
    assert post(client, captcha_id=solved["captcha_id"], captcha=solved["captcha"].lower()).status_code == 201


def test_captcha_answers_are_stored_hashed_with_a_ttl(app, client):
    solved = solve_captcha(client)
    with app.app_context():
        stored = redis_store.client.get(_key(solved["captcha_id"]))
        ttl = redis_store.client.ttl(_key(solved["captcha_id"]))
    assert solved["captcha"].encode() not in stored and 0 < ttl <= app.config["CAPTCHA_TTL"]


def test_hash_with_old_parameters_is_upgraded_at_login(app, client):
    with app.app_context():
        account = make_account(username="li")
        account.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
            PASSWORD
        )
        db.session.commit()
    assert password_login(client, "li").status_code == 201
    with app.app_context():
        stored = db.session.scalar(select(Account.password_hash).where(Account.username == "li"))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "password_too_short"),
        ("1234567", "password_too_short"),
        ("password1", "password_too_common"),
        ("PASSWORD1", "password_too_common"),  # the list is matched case-insensitively
        ("qwertyuiop", "password_too_common"),
        ("zhangsan99", "password_too_common"),  # the user name itself
        ("x" * 129, "password_too_long"),
    ],
)
def test_password_rule_refuses(password, reason):
    with pytest.raises(InvalidInput) as refused:
        check_new_password(password, username="zhangsan99")
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "password", ["abcdefgh-not-common", "我的密码不太常见啊", "a" * 64 + "b" * 64, "lowercase only ok"]
)
def test_password_rule_accepts_long_and_any_characters(password):
    check_new_password(password)  # no composition rules
