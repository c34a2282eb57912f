"""The 湘建云 account and identity-verification service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: load config, bind extensions, register blueprints. Nothing else."""
    from service import api as api_package
    from service import cli, console, h5
    from service.clients import oauth
    from service.hall import records
    from service.platform import config as config_module
    from service.platform import errors, http, logs, metrics
    from service.platform.extensions import api, db, migrate, redis_store

    app = Flask(__name__, instance_relative_config=True)
    config_module.load(app, config)
    logs.init_app(app)  # first: its request id and timing wrap every other hook
    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR", _migrations_dir()))
    redis_store.init_app(app)
    records.track_changes()  # every process that writes tells every process that caches
    oauth.init_app(app)
    api.init_app(app)
    api_package.register(app, api)
    console.init_app(app)
    h5.init_app(app)
    errors.init_app(app)
    http.init_app(app)
    metrics.init_app(app)
    cli.init_app(app)
    return app


def _migrations_dir() -> str:
    import os

    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")
