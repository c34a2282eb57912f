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

from service.platform import crypto

DEFAULTS: dict[str, Any] = {
    "API_TITLE": "湘建云 账号与实名实人认证服务",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs-assets/",  # served locally: nothing is fetched from a CDN
    "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
    # a request body must arrive within the grace plus its bytes at this rate, or 408 (body_deadline.py)
    "BODY_GRACE_SECONDS": 10,
    "BODY_MIN_BYTES_PER_SECOND": 8 * 1024,
    # Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (0: none, trust no such header)
    "PROXY_HOPS": 0,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # Keys: SECRET_KEY signs console sessions, ID_NUMBER_KEY (base64, 32 bytes) encrypts ID numbers,
    # LOOKUP_KEY keys the ID-number hash. None here on purpose: production must set them.
    "SECRET_KEY": None,
    "ID_NUMBER_KEY": None,
    "LOOKUP_KEY": None,
    # Key versions (service.platform.crypto): version 1 is the two keys above (AES-256-GCM,
    # HMAC-SHA256); DATA_KEYS / LOOKUP_KEYS add "VERSION:ALGORITHM:KEY" entries (sm4-gcm, hmac-sm3 ...)
    # and the *_VERSION settings pick the one new data is sealed or hashed under.
    "DATA_KEYS": None,
    "DATA_KEY_VERSION": 1,
    "LOOKUP_KEYS": None,
    "LOOKUP_KEY_VERSION": 1,
    # SMS
    "SMS_BACKEND": "outbox",  # "outbox" (stored, read with `flask sms outbox`) or "http"
    "SMS_GATEWAY_URL": None,
    "SMS_GATEWAY_TOKEN": None,
    "SMS_CODE_TTL": 300,
    "SMS_CODE_MAX_TRIES": 5,
    # per phone: counted per requesting address, login apart from the other purposes; the ceiling
    # across addresses counts sends nobody completed (service/auth/sms_codes.py)
    "SMS_LIMITS_PER_PHONE": "1/minute;5/hour;10/day",
    "SMS_LIMITS_PER_PHONE_CEILING": "3/minute;20/hour;40/day",
    "SMS_LIMITS_PER_ADDRESS": "3/10 seconds;10/minute;300/hour;1000/day",  # bursts, not offices
    # sessions
    "SESSION_IDLE_SECONDS": 30 * 60,
    "SESSION_ABSOLUTE_SECONDS": 12 * 3600,
    "VERIFICATION_SESSION_SECONDS": 30 * 60,  # the gate's verification-scoped token
    # login: image captcha, failed-login throttling, certificate challenges
    "CAPTCHA_REQUIRED": True,  # password login and SMS sends; false only in the embedded demo
    "DEMO": False,  # the embedded demo (`make run` sets XJY_DEMO): fictional data, texts to the outbox
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
    # revocation of USB-key certificates: a folder of CRLs (PEM or DER, signed by a CA of the bundle),
    # the CAs' CRL distribution points the scheduler fetches into it, how long past its nextUpdate a
    # CRL still counts; an OCSP responder asked at each login (unreachable: refuse only if required)
    "CRL_DIR": None,
    "CRL_URLS": None,  # a list, or a comma-separated string
    "CRL_GRACE_SECONDS": 86400,
    "CRL_FETCH_TIMEOUT_SECONDS": 30,
    "OCSP_URL": None,
    "OCSP_TIMEOUT_SECONDS": 3,
    "OCSP_REQUIRED": False,
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
    # Refusals of one card side in a row by the upload pre-check after which the next photo of it
    # goes on to the card read, which decides (service.verification.refusals); 0: never.
    "VERIFY_PRECHECK_REFUSALS": 2,
    "VERIFY_MAX_IMAGE_BYTES": 8 * 1024 * 1024,
    # Pixels per upload, read from the header before anything is decoded: a card photo may be a full
    # phone photo; a liveness frame needs far less (12 of them are decoded for one check).
    "VERIFY_MAX_CARD_PIXELS": 40_000_000,
    "VERIFY_MAX_FRAME_PIXELS": 8_400_000,
    "VERIFY_MAX_VIDEO_BYTES": 20 * 1024 * 1024,
    "VERIFY_JOB_TIMEOUT": 180,
    "VERIFY_RETRY_INTERVALS": [5, 30],  # seconds before each retry of a crashed job
    "VERIFY_IMAGE_RETENTION_DAYS": 30,
    "VERIFY_SWEEP_AFTER_SECONDS": 30,
    # A running attempt's lease: its job renews it every third of this; the sweeper takes back an
    # attempt whose lease ran out (its worker died), so this plus the sweep interval bounds recovery.
    "VERIFY_LEASE_SECONDS": 30,
    # Where uploads' sealed bytes go (service.verification.imagestore): "db" or "s3", an
    # S3-compatible store (MinIO, OSS, COS, OBS ...). Unset credentials: boto3's own chain.
    "IMAGE_STORE": "db",
    "S3_ENDPOINT_URL": None,
    "S3_REGION": "us-east-1",
    "S3_BUCKET": None,
    "S3_PREFIX": "verification/",
    "S3_ACCESS_KEY_ID": None,
    "S3_SECRET_ACCESS_KEY": None,
    "S3_TIMEOUT_SECONDS": 10,
    "S3_ADDRESSING_STYLE": "path",
    "WORKER_WARM_UP": True,
    # The authority check (公安人像比对, service.verification.authority): off unless configured.
    "AUTHORITY_CHECK": False,
    "AUTHORITY_URL": None,
    "AUTHORITY_APP_ID": None,
    "AUTHORITY_APP_SECRET": None,
    "AUTHORITY_TIMEOUT_SECONDS": 5,
    "AUTHORITY_BREAKER_FAILURES": 5,  # answers in a row that say "retry later" open the circuit ...
    "AUTHORITY_BREAKER_SECONDS": 60,  # ... for this long
    "AUTHORITY_RESULT_CODES": None,  # {"provider code": "authority_..."} over the defaults
    # service clients (the web hall): OAuth 2.0 client-credentials tokens
    "CLIENT_TOKEN_SECONDS": 900,
    # the event stream (SSE): how often each server process polls the log, how long one stream lasts
    # before the client reconnects with Last-Event-ID, and the keep-alive comment interval
    "EVENTS_POLL_SECONDS": 0.5,
    "EVENTS_STREAM_SECONDS": 300,
    "EVENTS_KEEPALIVE_SECONDS": 15,
    # the H5 capture page (/h5/verify): how long the app's one-time code lives, where the page sends
    # the person after a pass (an app URL scheme, e.g. "xjy://verification/passed"; None: stay), and
    # the demo's login entry (/h5/: off in production, where the app opens the page)
    "H5_HANDOVER_SECONDS": 60,
    "H5_RETURN_URL": None,
    "H5_DEMO_LOGIN": False,
    # webhooks: how long one delivery may take
    "WEBHOOK_TIMEOUT_SECONDS": 5,
    # webhooks: how long a delivery run's lease lasts without renewal (a killed run is replaced after it)
    "WEBHOOK_LEASE_SECONDS": 30,
    # the scheduler: how often it pumps webhooks and sweeps attempts (seconds)
    "SCHEDULER_WEBHOOK_SECONDS": 2,
    "SCHEDULER_SWEEP_SECONDS": 10,
    # the audit log's anchored head: signed checkpoints appended to a file in this folder (None: off;
    # `make run` uses instance/audit-checkpoints), HMAC-SHA256 under this key (None: derived from
    # SECRET_KEY), written by the scheduler this often (seconds)
    "AUDIT_CHECKPOINT_DIR": None,
    "AUDIT_CHECKPOINT_KEY": None,
    "SCHEDULER_AUDIT_CHECKPOINT_SECONDS": 300,
    "SCHEDULER_PURGE_SECONDS": 3600,  # the retention purge of verification images
    "SCHEDULER_CRL_SECONDS": 600,  # fetching CRL_URLS into CRL_DIR
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
    crypto.check_keys(app.config)
    _refuse_demo_switches(app)
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


def is_demo(cfg: Mapping[str, Any]) -> bool:
    """The embedded demo, which texts no real phone: the only place demo switches hold."""
    return bool(cfg.get("DEMO")) and cfg.get("SMS_BACKEND") == "outbox"


def _refuse_demo_switches(app: Flask) -> None:
    if not app.config["CAPTCHA_REQUIRED"] and not is_demo(app.config):
        raise RuntimeError(
            "CAPTCHA_REQUIRED=false is for the embedded demo only (XJY_DEMO, SMS_BACKEND=outbox)"
        )


def _require_keys(app: Flask) -> None:
    missing = [k for k in ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY") if not app.config.get(k)]
    if missing:
        raise RuntimeError(
            "missing configuration: " + ", ".join(missing) + " (set XJY_<NAME>; `make run` generates them)"
        )
