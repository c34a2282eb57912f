"""Operations: liveness (/healthz), readiness (/readyz: database, Redis, a live worker with its
models loaded) and Prometheus metrics (/metrics). Unauthenticated, and they reveal no personal data;
expose them only to the platform's network (the compose file keeps them inside)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from models.base import db
from service.platform import metrics
from service.platform.extensions import redis_store
from service.verification import queue

blp = Blueprint("ops", __name__, url_prefix="", description="运维: 存活、就绪与监控指标")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200)
    def get(self) -> dict[str, str]:
        """The process is up"""
        return {"status": "ok"}


def _check(name: str, probe: Any) -> tuple[str, bool, str]:
    try:
        detail = probe()
        return name, True, detail
    except Exception as exc:  # noqa: BLE001 (any failure means not ready; the type says which)
        return name, False, type(exc).__name__


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200)
    @blp.alt_response(503, description="某项依赖不可用")
    def get(self) -> Response:
        """Ready to serve: database, Redis, and a verification worker with its models loaded"""

        def workers() -> str:
            live = queue.live_workers()
            if not live:
                raise LookupError("no live worker with loaded models")
            return f"{len(live)} live"

        checks = [
            _check("database", lambda: str(db.session.execute(text("SELECT 1")).scalar())),
            _check("redis", lambda: str(redis_store.client.ping())),
            _check("worker", workers),
        ]
        ready = all(ok for _, ok, _ in checks)
        body = {"status": "ready" if ready else "not_ready",
                "checks": {name: {"ok": ok, "detail": detail} for name, ok, detail in checks}}  # fmt: skip
        response = jsonify(body)
        response.status_code = 200 if ready else 503
        return response


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.response(200, description="Prometheus text format")
    def get(self) -> Response:
        """Prometheus metrics: request latency by route, queue depth, job stages, outcomes by reason"""
        try:
            metrics.QUEUE_DEPTH.set(queue.depth())
        except Exception:  # noqa: BLE001, S110 (Redis down: the other metrics still answer)
            pass
        body, content_type = metrics.exposition()
        return Response(body, content_type=content_type)
