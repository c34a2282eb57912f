"""Configuration: safe defaults in code, overridden by ``XJY_*`` environment variables.

``DATABASE_URL`` and ``REDIS_URL`` are also read without the prefix, as every platform sets them.
The defaults run the embedded product (SQLite under the instance folder); no production secret has
a default: ``make run`` writes generated keys into the instance folder on first start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "湘建云 账号与实名实人认证服务",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs-assets/",  # served locally: nothing is fetched from a CDN
    "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Keys: SECRET_KEY signs console sessions, ID_NUMBER_KEY (base64, 32 bytes) encrypts ID numbers,
    # LOOKUP_KEY keys the ID-number hash. None here on purpose: production must set them.
    "SECRET_KEY": None,
    "ID_NUMBER_KEY": None,
    "LOOKUP_KEY": None,
    # SMS
    "SMS_BACKEND": "outbox",  # "outbox" (stored, read with `flask sms outbox`) or "http"
    "SMS_GATEWAY_URL": None,
    "SMS_GATEWAY_TOKEN": None,
    "SMS_CODE_TTL": 300,
    "SMS_CODE_MAX_TRIES": 5,
    "SMS_LIMITS_PER_PHONE": "1/minute;5/hour;10/day",
    "SMS_LIMITS_PER_ADDRESS": "20/hour;50/day",
    # sessions
    "SESSION_IDLE_SECONDS": 30 * 60,
    "SESSION_ABSOLUTE_SECONDS": 12 * 3600,
    "VERIFICATION_SESSION_SECONDS": 30 * 60,  # the gate's verification-scoped token
    # login: image captcha, failed-login throttling, certificate challenges
    "CAPTCHA_REQUIRED": True,  # password login needs a solved captcha; off only for load tests
    "CAPTCHA_TTL": 120,
    "CAPTCHA_LENGTH": 4,
    "CAPTCHA_LIMITS_PER_ADDRESS": "60/minute;600/hour",
    "LOGIN_FAILURE_LIMIT": "100/hour",  # per account (or submitted user name): then login_locked
    "LOGIN_DELAY_AFTER": 5,  # failures before each further try must wait 2^n seconds ...
    "LOGIN_DELAY_MAX_SECONDS": 30,  # ... at most this long
    "LOGIN_FAILURE_LIMITS_PER_ADDRESS": "30/minute;300/hour",
    "CERT_CHALLENGE_TTL": 120,
    "CERT_CHALLENGE_LIMITS_PER_ADDRESS": "30/minute;300/hour",
    "CA_BUNDLE_PATH": None,  # PEM file of the CAs whose USB-key certificates are accepted
    # admin scopes
    "CITY_ADMIN_QUOTA": 2,
    "PROVINCE_CODE": "430000",
    # identity verification
    # Submissions (liveness uploads) per calendar day in China Standard Time, per account and per ID
    # number; starting an attempt is limited on its own, so abandoned starts use up no submission.
    "VERIFY_DAILY_SUBMISSIONS_PER_ACCOUNT": 5,
    "VERIFY_DAILY_SUBMISSIONS_PER_ID_NUMBER": 10,
    "VERIFY_START_LIMIT": "10/hour",
    "VERIFY_CHALLENGE_TTL": 600,
    "VERIFY_MAX_IMAGE_BYTES": 8 * 1024 * 1024,
    # Pixels per upload, read from the header before anything is decoded: a card photo may be a full
    # phone photo; a liveness frame needs far less (12 of them are decoded for one check).
    "VERIFY_MAX_CARD_PIXELS": 40_000_000,
    "VERIFY_MAX_FRAME_PIXELS": 8_400_000,
    "VERIFY_MAX_VIDEO_BYTES": 20 * 1024 * 1024,
    "VERIFY_JOB_TIMEOUT": 180,
    "VERIFY_RETRY_INTERVALS": [5, 30],  # seconds before each retry of a crashed job
    "VERIFY_IMAGE_RETENTION_DAYS": 30,
    "VERIFY_SWEEP_AFTER_SECONDS": 120,
    "WORKER_WARM_UP": True,
    # service clients (the web hall): OAuth 2.0 client-credentials tokens
    "CLIENT_TOKEN_SECONDS": 900,
    # the event stream (SSE): how often each server process polls the log, how long one stream lasts
    # before the client reconnects with Last-Event-ID, and the keep-alive comment interval
    "EVENTS_POLL_SECONDS": 0.5,
    "EVENTS_STREAM_SECONDS": 300,
    "EVENTS_KEEPALIVE_SECONDS": 15,
    # webhooks: how long one delivery may take
    "WEBHOOK_TIMEOUT_SECONDS": 5,
    # the scheduler: how often it pumps webhooks and sweeps attempts (seconds)
    "SCHEDULER_WEBHOOK_SECONDS": 2,
    "SCHEDULER_SWEEP_SECONDS": 60,
    # logs: "json" in production (one object per line), "text" for development
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
    # paging
    "PAGE_SIZE_DEFAULT": 20,
    "PAGE_SIZE_MAX": 100,
}


def load(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, the environment, then explicit overrides (tests)."""
    app.config.from_mapping(DEFAULTS)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get(
        "DATABASE_URL", f"sqlite:///{os.path.join(app.instance_path, 'xjy.sqlite3')}"
    )
    app.config["REDIS_URL"] = os.environ.get("REDIS_URL")
    app.config.from_prefixed_env("XJY")
    if overrides:
        app.config.from_mapping(overrides)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    _instance_keys(app)
    _require_keys(app)
    if isinstance(app.json, DefaultJSONProvider):  # Flask's default provider owns ensure_ascii
        app.json.ensure_ascii = False  # Flask 3 ignores JSON_AS_ASCII; people read these bodies in Chinese


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_keys(app: Flask) -> None:
    """The embedded default keeps its generated keys in instance/keys.env (written by `make run`), so
    `flask ...` commands in another shell find them. Explicit settings always win."""
    path = os.path.join(app.instance_path, "keys.env")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            key, sep, value = line.strip().partition("=")
            if sep and key in ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY") and not app.config.get(key):
                app.config[key] = value


def _require_keys(app: Flask) -> None:
    missing = [k for k in ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY") if not app.config.get(k)]
    if missing:
        raise RuntimeError(
            "missing configuration: " + ", ".join(missing) + " (set XJY_<NAME>; `make run` generates them)"
        )
