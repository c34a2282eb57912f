"""The legacy-account gate (the seed's point three): an unverified account's login answers 403
``verification_required`` with a verification-scoped token that reaches only its profile, the
confirmation of its basic information and the verification flow; once verified, the same login
continues to a full session without the password."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.accounts import Account, AccountStatus, Role, VerificationStatus
from models.audit import AuditEvent
from models.base import db
from service.reference.seed import fictional_id_number
from tests.factories import bearer, latest_sms_code, login, make_account, password_login, request_sms_code


def legacy(app, **extra):
    with app.app_context():
        return make_account(username="legacy1", legacy=True, verification=VerificationStatus.NONE, **extra).id


def gated_login(client, username="legacy1"):
    response = password_login(client, username)
    assert response.status_code == 403, response.get_json()
    body = response.get_json()
    assert (body["reason"], body["message"]) == ("verification_required", "账号未实名,请完善信息后进行认证")
    assert body["session"]["scope"] == "verification"
    return bearer(body["session"]["token"])


def set_verification(app, account_id, status=VerificationStatus.REAL_PERSON):
    with app.app_context():
        db.session.get(Account, account_id).verification_status = status
        db.session.commit()


def test_legacy_account_gets_a_scoped_token_that_reaches_its_profile(app, client):
    legacy(app)
    scoped = gated_login(client)
    profile = client.get("/api/v1/me", headers=scoped).get_json()
    assert (profile["username"], profile["legacy"], profile["needs_verification"]) == ("legacy1", True, True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/permission-requests"),
        ("post", "/api/v1/permission-requests"),
        ("post", "/api/v1/account-requests"),
        ("post", "/api/v1/me/password"),
        ("get", "/api/v1/me/certificates"),
        ("post", "/api/v1/me/certificates"),
        ("get", "/api/v1/admin/accounts"),
        ("get", "/api/v1/admin/reviews"),
        ("get", "/api/v1/support/verifications"),
    ],
)
def test_the_scoped_token_reaches_nothing_else(app, client, method, path):
    legacy(app, role=Role.CITY_ADMIN, city="430100", org_code=None)
    scoped = gated_login(client)
    response = getattr(client, method)(path, headers=scoped, json={})
    assert (response.status_code, response.get_json()["reason"]) == (403, "verification_required")


def test_scoped_token_is_short_lived(app, client):
    legacy(app)
    body = password_login(client, "legacy1").get_json()["session"]
    with app.app_context():
        from models.accounts import Session
        from service.platform.crypto import token_digest

        session = db.session.scalar(select(Session).where(Session.token_hash == token_digest(body["token"])))
        lifetime = session.expires_at - session.created_at
    assert lifetime.total_seconds() == app.config["VERIFICATION_SESSION_SECONDS"] < 3600


def test_continue_is_refused_until_verified_then_gives_a_full_session(app, client):
    account_id = legacy(app)
    scoped = gated_login(client)
    early = client.post("/api/v1/sessions/continue", headers=scoped)
    assert (early.status_code, early.get_json()["reason"]) == (403, "verification_required")

    set_verification(app, account_id, VerificationStatus.REAL_NAME)  # ID card only: not yet
    assert client.post("/api/v1/sessions/continue", headers=scoped).status_code == 403

    set_verification(app, account_id)
    continued = client.post("/api/v1/sessions/continue", headers=scoped)
    assert continued.status_code == 201
    body = continued.get_json()
    assert (body["scope"], body["method"]) == ("full", "password")
    full = bearer(body["token"])
    assert client.get("/api/v1/permission-requests", headers=full).status_code == 200
    assert client.get("/api/v1/me", headers=scoped).get_json()["reason"] == "session_invalid"  # traded in
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.target_id == str(account_id))
        ).all()
    assert {"session.login", "session.continue"} <= set(actions)


def test_a_verified_account_logs_in_directly(app, client):
    account_id = legacy(app)
    set_verification(app, account_id)
    assert password_login(client, "legacy1").status_code == 201


def test_new_account_is_gated_until_verified_then_may_apply_while_pending(app, client):
    with app.app_context():
        account_id = make_account(
            username="newbie", status=AccountStatus.PENDING, verification=VerificationStatus.NONE
        ).id
    gated_login(client, "newbie")
    set_verification(app, account_id)
    headers = login(client, "newbie")
    assert client.get("/api/v1/me", headers=headers).get_json()["status"] == "pending"
    assert client.get("/api/v1/permission-requests", headers=headers).status_code == 200
    refused = client.post("/api/v1/account-requests", json={"kind": "cancel"}, headers=headers)
    assert (refused.status_code, refused.get_json()["reason"]) == (403, "account_not_active")


def test_cli_admins_are_gated_too(app, client):
    with app.app_context():
        make_account(role=Role.PROVINCE_ADMIN, username="fgw", verification=VerificationStatus.NONE)
    gated_login(client, "fgw")


# --- 信息完善: confirm basic information -------------------------------------------------------


def confirm(app, client, headers, phone="13700001111", id_number=None, code=None):
    if code is None:
        assert request_sms_code(client, phone, "confirm").status_code == 202
        code = latest_sms_code(app, phone)
    form = {
        "phone": phone,
        "sms_code": code,
        "real_name": "王五",
        "id_number": id_number or fictional_id_number(321),
    }
    return client.post("/api/v1/me/confirmation", json=form, headers=headers)


def test_legacy_account_confirms_its_basic_information(app, client):
    with app.app_context():
        account_id = make_account(username="legacy1", legacy=True, verification=VerificationStatus.NONE).id
        account = db.session.get(Account, account_id)
        account.phone = account.real_name = account.id_number_enc = None
        account.id_number_hash = account.id_number_masked = None
        db.session.commit()
    scoped = gated_login(client)
    response = confirm(app, client, scoped)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    number = fictional_id_number(321)
    assert (body["phone"], body["real_name"], body["id_number"]) == (
        "13700001111", "王五", number[:6] + "****" + number[-4:],
    )  # fmt: skip
    with app.app_context():
        from service.platform.crypto import decrypt_id_number, lookup_hash

        stored = db.session.get(Account, account_id)
        assert decrypt_id_number(stored.id_number_enc) == number and stored.id_number_hash == lookup_hash(
            number
        )
        event = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "account.confirm_information")
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
    assert event.detail == {"changed": ["id_number", "phone", "real_name"]}


def test_confirmation_needs_the_right_latest_sms_code(app, client):
    legacy(app)
    scoped = gated_login(client)
    request_sms_code(client, "13700001111", "confirm")
    wrong = confirm(
        app, client, scoped, code="000000" if latest_sms_code(app, "13700001111") != "000000" else "111111"
    )
    assert (wrong.status_code, wrong.get_json()["reason"]) == (422, "sms_code_invalid")


def test_confirmation_refuses_an_id_number_of_another_live_account(app, client):
    with app.app_context():
        taken = make_account(username="other")
        from service.platform.crypto import decrypt_id_number

        number = decrypt_id_number(taken.id_number_enc)
    legacy(app)
    scoped = gated_login(client)
    refused = confirm(app, client, scoped, id_number=number)
    assert (refused.status_code, refused.get_json()["reason"]) == (409, "id_number_registered")


def test_a_verified_account_cannot_use_confirmation(app, client):
    with app.app_context():
        make_account(username="done")
    response = confirm(app, client, login(client, "done"))
    assert (response.status_code, response.get_json()["reason"]) == (409, "already_verified")
