"""Prometheus metrics (prometheus-client): request latency by route, queue depth, job duration by
stage, verification outcomes by reason. Label values are routes and codes, never personal data.

gunicorn runs several processes: with ``PROMETHEUS_MULTIPROC_DIR`` set (``make run`` and the image
set it), every process writes its samples there and ``/metrics`` adds them up.
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_SECONDS = Histogram(
    "xjy_http_request_seconds", "HTTP request latency by route", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
QUEUE_DEPTH = Gauge("xjy_queue_depth", "Jobs waiting on the verification queue", multiprocess_mode="max")
JOB_SECONDS = Histogram(
    "xjy_job_stage_seconds", "Verification job time by stage", ["stage"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)  # fmt: skip
OUTCOMES = Counter(
    "xjy_verification_outcomes_total", "Verification outcomes by status and reason", ["status", "reason"]
)


def _start() -> None:
    g._metrics_start = time.perf_counter()


def _observe(response: Response) -> Response:
    start = g.pop("_metrics_start", None)
    if start is not None and request.url_rule is not None:
        REQUEST_SECONDS.labels(request.method, request.url_rule.rule, str(response.status_code)).observe(
            time.perf_counter() - start
        )
    return response


def exposition() -> tuple[bytes, str]:
    """The metrics text of every process (multi-process mode) or of this one."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_observe)
