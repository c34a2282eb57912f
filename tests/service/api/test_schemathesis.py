"""Property-based API testing: schemathesis generates requests from the service's own OpenAPI document
and sends them through the WSGI app, unauthenticated and as each kind of caller. Every answer must be
no server error and must match what the document says of that operation (status, content type, body,
headers).

Bounded so CI stays quick: a few examples per operation, no coverage or stateful phases, a fixed seed
(so a failure found here is found again).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as oa_checks

from models.accounts import AdminPost, Role
from models.base import db
from service.auth.sessions import open_session
from service.clients import registry
from service.platform.reason_codes import ERROR_REASONS
from service.verification.reasons import MESSAGES
from tests.conftest import TEST_KEYS
from tests.factories import make_account

EXAMPLES = 6
CATALOGUE = set(ERROR_REASONS) | set(MESSAGES)


def reason_in_catalogue(ctx, response, case) -> bool | None:
    """Every error answer's ``reason`` is one GET /api/v1/reasons lists (clients branch on it)."""
    if response.status_code < 400 or "json" not in response.headers.get("content-type", [""])[0]:
        return None
    reason = response.json().get("reason")
    if reason not in CATALOGUE:
        raise AssertionError(f"reason {reason!r} is not in the catalogue")
    return True


CHECKS = [
    reason_in_catalogue,
    st_checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_schema_conformance,
    oa_checks.response_headers_conformance,
]
# The state a test starts from is the app fixture's (clean per operation); what one generated request
# changes, the next may see, as any client's would.
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261129,
        "generation": {"max-examples": EXAMPLES},
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


def _document() -> dict:
    """The OpenAPI document, read once at collection from an app that is never served: the tests need
    their operations before any fixture runs (the app under test serves the same document)."""
    from service import create_app

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": "unix:///nowhere"}
    return create_app({**config, **TEST_KEYS}).test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


def _person(app, role: Role, **extra) -> dict[str, str]:
    """A bearer header of a new account of ``role`` (its session opened directly: no password to hash)."""
    with app.app_context():
        account = make_account(role=role, password=None, **extra)
        token, _ = open_session(account, "password")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(app):
    return _person(app, Role.PROVINCE_ADMIN, org_code=None, post=AdminPost.GONGAIBAN)


@pytest.fixture
def user(app):
    return _person(app, Role.APPROVER)


@pytest.fixture
def support(app):
    return _person(app, Role.SUPPORT, org_code=None)


@pytest.fixture
def hall(app):
    """A service client's token from the OAuth 2.0 token endpoint, every scope, the whole province."""
    with app.app_context():
        issued = registry.create_client("办事大厅", list(registry.SCOPES), ["430000"])
        client_id = issued.client.client_id
    answer = app.test_client().post(
        "/api/v1/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, issued.secret)
    )
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def _check(case, app, headers: dict[str, str]) -> None:
    checks = CHECKS
    if case.operation.path == "/readyz":  # a probe: its documented 503 body says what is not ready
        checks = [c for c in CHECKS if c not in (st_checks.not_a_server_error, reason_in_catalogue)]
    case.call_and_validate(app=app, headers=headers, checks=checks)


@schema.parametrize()
@BOUNDED
def test_unauthenticated(case, app):
    _check(case, app, {})


@schema.parametrize()
@BOUNDED
def test_as_an_admin(case, app, admin):
    _check(case, app, admin)


@schema.parametrize()
@BOUNDED
def test_as_a_user(case, app, user):
    _check(case, app, user)


@schema.parametrize()
@BOUNDED
def test_as_support(case, app, support):
    _check(case, app, support)


@schema.parametrize()
@BOUNDED
def test_as_the_hall(case, app, hall):
    _check(case, app, hall)
