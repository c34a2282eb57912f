"""Service clients: the client-credentials grant (RFC 6749 section 4.4), scopes, rotation, revocation."""

from __future__ import annotations

import base64

import pytest

from models.audit import AuditEvent
from models.base import db
from service.clients import registry


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def get_token(client, client_id: str, secret: str, scope: str | None = None):
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return client.post("/api/v1/oauth/token", data=form, headers=basic(client_id, secret))


@pytest.fixture
def hall(app):
    with app.app_context():
        issued = registry.create_client("办事大厅", ["accounts:read", "verifications:read", "events:read"])
        return issued.client.client_id, issued.secret


def test_a_client_gets_a_short_lived_bearer_token(client, hall):
    response = get_token(client, *hall)
    body = response.get_json()
    assert response.status_code == 200 and body["token_type"] == "Bearer"
    assert body["expires_in"] == 900 and set(body["scope"].split()) == {
        "accounts:read",
        "verifications:read",
        "events:read",
    }


def test_the_secret_may_come_in_the_form_body(client, hall):
    client_id, secret = hall
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    assert client.post("/api/v1/oauth/token", data=form).status_code == 200


def test_a_token_holds_only_the_scopes_asked_for(client, hall):
    body = get_token(client, *hall, scope="verifications:read").get_json()
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    response = client.get("/api/v1/accounts?username=nobody", headers=headers)
    assert (response.status_code, response.get_json()["reason"]) == (403, "scope_missing")


def test_a_wrong_secret_is_invalid_client_in_rfc_and_envelope_form(client, hall):
    response = get_token(client, hall[0], "wrong")
    body = response.get_json()
    assert response.status_code == 401
    assert (body["error"], body["reason"]) == ("invalid_client", "oauth_invalid_client") and body["message"]


def test_rotation_ends_the_old_secret_and_its_tokens(app, client, hall):
    token = get_token(client, *hall).get_json()["access_token"]
    with app.app_context():
        new_secret = registry.rotate_secret(hall[0]).secret
    assert get_token(client, *hall).status_code == 401
    assert get_token(client, hall[0], new_secret).status_code == 200
    old = client.get("/api/v1/accounts?username=x", headers={"Authorization": f"Bearer {token}"})
    assert (old.status_code, old.get_json()["reason"]) == (401, "client_token_invalid")


def test_revocation_ends_the_client(app, client, hall):
    with app.app_context():
        registry.revoke_client(hall[0])
    assert get_token(client, *hall).status_code == 401


def test_every_act_is_audited(app, hall):
    with app.app_context():
        registry.rotate_secret(hall[0])
        registry.revoke_client(hall[0])
        actions = db.session.scalars(
            db.select(AuditEvent.action).where(AuditEvent.target_id == hall[0]).order_by(AuditEvent.id)
        ).all()
    assert actions == ["client.create", "client.rotate", "client.revoke"]


def test_unknown_scopes_and_regions_are_refused(app):
    from service.platform.errors import InvalidInput

    with app.app_context():
        with pytest.raises(InvalidInput):
            registry.create_client("x", ["accounts:write"])
        with pytest.raises(InvalidInput):
            registry.create_client("x", ["accounts:read"], ["110000"])


def test_the_openapi_document_declares_the_security_schemes(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    assert (
        schemes["oauth2ClientCredentials"]["flows"]["clientCredentials"]["tokenUrl"] == "/api/v1/oauth/token"
    )
    assert schemes["bearerAuth"]["scheme"] == "bearer"
