"""What every request and answer goes through at the edge.

- Answers: nothing personal is cached, nothing is sniffed.
- Ids in paths are bounded to the database's range (a huge number is simply not found).
- The docs page (Swagger UI) may run only its own scripts and cannot be framed; API answers load
  nothing and cannot be framed either; over TLS (directly, or behind ``PROXY_HOPS`` trusted proxies
  that set X-Forwarded-Proto) every answer carries HSTS.
- A request body must be JSON or multipart (415 otherwise), and a JSON body is bounded in size and
  nesting depth *before* it is parsed: a body of 100,000 ``[`` would otherwise exhaust the
  parser's recursion and answer 500.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from models.base import MAX_ID
from service.platform.body_deadline import pace_bodies
from service.platform.errors import InvalidInput, ServiceError

BODY_TYPES = ("application/json", "multipart/form-data")
JSON_MAX_BYTES = 256 * 1024
JSON_MAX_DEPTH = 32


class IdConverter(IntegerConverter):
    """``<int:...>`` with at most 10 digits and a value within the database's id range."""

    regex = r"\d{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_param_schema(converter: IdConverter) -> dict[str, Any]:
    """How an id path parameter reads in the OpenAPI document."""
    return {"type": "integer", "minimum": 0, "maximum": MAX_ID}


class UnsupportedMediaType(ServiceError):
    status = 415
    reason = "unsupported_media_type"
    message = "请求内容类型不受支持,请使用 application/json 或 multipart/form-data"


class PayloadTooLarge(ServiceError):
    status = 413
    reason = "payload_too_large"
    message = "请求内容过大"


def json_depth(data: bytes, limit: int) -> int:
    """The nesting depth of a JSON text, counting brackets outside strings; stops past ``limit``."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def allow_form_bodies(app: Flask, prefix: str) -> None:
    """Let urlencoded bodies post under ``prefix`` (the console's HTML forms, OAuth's token request)."""
    app.config.setdefault("FORM_BODY_PREFIXES", []).append(prefix)


def _check_body() -> None:
    """Refuse a body of an unsupported type, and a JSON body too large or too deep to parse safely."""
    if request.method not in ("POST", "PUT", "PATCH") or not (request.content_length or request.data):
        return
    if request.mimetype == "application/x-www-form-urlencoded" and any(
        request.path.startswith(p) for p in current_app.config.get("FORM_BODY_PREFIXES", ())
    ):
        return
    if request.mimetype not in BODY_TYPES:
        raise UnsupportedMediaType()
    if request.mimetype != "application/json":
        return
    if (request.content_length or 0) > JSON_MAX_BYTES:
        raise PayloadTooLarge("payload_too_large", f"JSON 请求内容不能超过 {JSON_MAX_BYTES // 1024} KB")
    if json_depth(request.get_data(cache=True), JSON_MAX_DEPTH) > JSON_MAX_DEPTH:
        raise InvalidInput("json_too_deep", "请求内容嵌套层级过深", status=400)


HSTS = "max-age=31536000; includeSubDomains"
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Swagger UI: its files and the document come from here; React sets style attributes and the
# logo is a data: URI. Its one inline script (the page's config) is allowed by its hash only.
DOCS_CSP = (
    "default-src 'none'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'; object-src 'none'"
)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_csp(page: str) -> str:
    """The docs page's policy: the inline scripts it holds, each allowed by its SHA-256 only."""
    hashes = (
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    return DOCS_CSP.format(scripts=" ".join(hashes))


def _harden(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")  # the hall's polled reads say private, no-cache
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.endpoint == "api-docs.openapi_swagger_ui":
        response.headers["Content-Security-Policy"] = docs_csp(response.get_data(as_text=True))
        response.headers["X-Frame-Options"] = "DENY"
    elif request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Check bodies before the views, harden every answer, and trust ``PROXY_HOPS`` proxies in
    front (their X-Forwarded-For/-Proto/-Host) when the deployment says there are any."""
    pace_bodies(app)
    app.before_request(_check_body)
    app.after_request(_harden)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
