"""Extension objects, created unbound and bound to the app in ``create_app``."""

from __future__ import annotations

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_smorest import Api
from redis import Redis

from models.base import db
from service.platform.errors import ErrorSchema


class ServiceApi(Api):  # type: ignore[misc]  # flask-smorest is untyped
    """flask-smorest's Api documenting the service's own error envelope. No catch-all ``default``
    response: each operation lists the errors it can answer (see ``service.api.openapi``)."""

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


api = ServiceApi()
migrate = Migrate()


class RedisHolder:
    """One Redis client per app, made on first use so that the factory opens no connection."""

    def init_app(self, app: Flask) -> None:
        app.extensions["xjy_redis"] = None

    @property
    def client(self) -> Redis:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        client: Redis | None = app.extensions.get("xjy_redis")
        if client is None:
            url = app.config.get("REDIS_URL")
            if not url:
                raise RuntimeError("REDIS_URL is not set (`make run` starts an embedded Redis and sets it)")
            client = Redis.from_url(url, decode_responses=False, socket_timeout=5)
            app.extensions["xjy_redis"] = client
        return client


redis_store = RedisHolder()

__all__ = ["api", "db", "migrate", "redis_store"]
