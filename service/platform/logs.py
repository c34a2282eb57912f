"""Logs: one line per request (its request id, route, status and duration), and every line written
inside a job carries the RQ job id and the attempt id. ``LOG_FORMAT`` = ``json`` (production: one
JSON object per line, for a log collector) or ``text`` (development: readable).

A request id is taken from an incoming ``X-Request-ID`` (a proxy's or the web hall's, up to 64
letters, digits and ``._:-``) or made here, and is sent back in ``X-Request-ID``: a caller quoting it
finds its line.

What a line may carry, and nothing else: ids (request, RQ job, attempt, service client), the route
*template* (``/api/v1/accounts/<int:account_id>``: never the path with its values, never the query
string, which may hold a phone or an ID number), method, status, duration, the logger's message, and
for an error the exception's type and stack without its message (a database error's message can
quote the row it refused). No names, ID numbers, phones, tokens and no client address: the address
stays in the access log at the edge (gunicorn's), which operators need for abuse handling.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import time
import traceback
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from rq import get_current_job

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: The record attributes a line may carry besides time, level, logger and message.
FIELDS = ("request_id", "job_id", "attempt_id", "client_id", "method", "route", "status", "duration_ms")
_attempt_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("xjy_attempt_id", default=None)
request_log = logging.getLogger("xjy.request")


def bind_attempt(attempt_id: int) -> None:
    """Name the attempt a job works on: every line the job writes carries it (a job runs in its own
    forked process; the value goes with it)."""
    _attempt_id.set(attempt_id)


class ContextFilter(logging.Filter):
    """Adds the ids of the request or the job a line was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = getattr(record, "request_id", None) or g.get("request_id")
        job = get_current_job()
        if job is not None:
            record.job_id = job.id
            record.attempt_id = _attempt_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with only the fields listed in ``FIELDS``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, stack = record.exc_info
            line["exc_type"] = kind.__name__
            line["exc_stack"] = "".join(traceback.format_tb(stack))
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A readable line for development: time, level, logger, the ids it has, message."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name}={getattr(record, name)}"
            for name in ("request_id", "job_id", "attempt_id")
            if getattr(record, name, None) is not None
        )
        record.ids = f" [{ids}]" if ids else ""
        return super().format(record)


def make_handler(fmt: str) -> logging.Handler:
    """A stderr handler writing ``fmt`` ("json" or "text") with the request and job ids added."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    elif fmt == "text":
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s"))
    else:
        raise ValueError(f"LOG_FORMAT must be json or text, not {fmt!r}")
    handler.addFilter(ContextFilter())
    handler.set_name("xjy")
    return handler


def _install(fmt: str, level: str) -> None:
    """Put our handler on the root logger (replacing one installed before: tests build apps again)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "xjy"]:
        root.removeHandler(old)
    root.addHandler(make_handler(fmt))
    root.setLevel(level)


def _start() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
    g._log_start = time.perf_counter()


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # a request that failed before ours started (e.g. an earlier hook)
        return response
    response.headers[REQUEST_ID_HEADER] = request_id
    route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    duration = round((time.perf_counter() - g._log_start) * 1000, 2)
    client = g.get("client")
    request_log.info(
        "%s %s %s %.1fms",
        request.method,
        route,
        response.status_code,
        duration,
        extra={
            "request_id": request_id,
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": duration,
            "client_id": getattr(client, "client_id", None),
        },
    )
    return response


def init_app(app: Flask) -> None:
    if not app.testing:  # tests read records through pytest's own handler (and ``make_handler``)
        _install(app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])
    app.before_request(_start)
    app.after_request(_finish)
