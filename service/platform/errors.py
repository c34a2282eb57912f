"""Domain exceptions and the one error envelope every client sees.

Every failure a client can cause is a ``ServiceError`` with an HTTP status, a stable machine
``reason`` and a Chinese message for people. Anything else becomes a 500 with reason
``internal_error``: the exception is logged, never sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from marshmallow import INCLUDE, Schema, fields
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ServiceError(Exception):
    """A failure the client caused or must know about."""

    status = 400
    reason = "bad_request"
    message = "请求无法处理"

    def __init__(
        self,
        reason: str | None = None,
        message: str | None = None,
        *,
        status: int | None = None,
        errors: dict[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.reason = reason or self.reason
        self.message = message or self.message
        self.status = status or self.status
        self.errors = errors
        self.extra = extra  # JSON-ready members added to the envelope (e.g. the gate's session)
        super().__init__(self.reason)


class InvalidInput(ServiceError):
    status = 422
    reason = "invalid_input"
    message = "提交的信息有误"


class NotFound(ServiceError):
    """Also used for anything outside an admin's scope, so existence never leaks."""

    status = 404
    reason = "not_found"
    message = "未找到该记录"


class Conflict(ServiceError):
    status = 409
    reason = "conflict"
    message = "与现有记录冲突"


class Unauthorized(ServiceError):
    status = 401
    reason = "unauthenticated"
    message = "请先登录"


class Forbidden(ServiceError):
    status = 403
    reason = "forbidden"
    message = "没有权限执行此操作"


class TooManyRequests(ServiceError):
    status = 429
    reason = "rate_limited"
    message = "操作过于频繁,请稍后再试"

    def __init__(
        self, reason: str | None = None, message: str | None = None, *, retry_after: int = 60
    ) -> None:
        super().__init__(reason, message)
        self.retry_after = retry_after


class ErrorSchema(Schema):
    """The one error envelope, as documented for every operation: flask-smorest's ``ErrorSchema`` plus
    the stable ``reason``. Some errors carry more members (the login gate's ``session``), so members
    beyond these are allowed."""

    class Meta:
        unknown = INCLUDE

    code = fields.Integer(required=True, metadata={"description": "HTTP 状态码", "example": 422})
    status = fields.String(
        required=True, metadata={"description": "HTTP 状态", "example": "Unprocessable Entity"}
    )
    reason = fields.String(
        required=True,
        metadata={
            "description": "稳定的机器可读原因码 (见 GET /api/v1/reasons)",
            "example": "validation_error",
        },
    )
    message = fields.String(
        required=True, metadata={"description": "给用户看的中文说明", "example": "提交的信息有误"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "按字段列出的问题: {字段: [说明, ...]}",
            "example": {"phone": ["手机号码格式不正确"]},
        },
    )


def envelope(status: int, reason: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    """flask-smorest's ErrorSchema shape plus the stable ``reason``."""
    body: dict[str, Any] = {
        "code": status,
        "status": HTTPStatus(status).phrase,
        "reason": reason,
        "message": message,
    }
    if errors:
        body["errors"] = errors
    return body


_HTTP_REASONS = {
    400: ("bad_request", "请求格式有误"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "未找到该记录"),
    405: ("method_not_allowed", "不支持该请求方法"),
    408: ("request_timeout", "请求内容发送过慢,请检查网络后重试"),
    409: ("conflict", "与现有记录冲突"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_input", "提交的信息有误"),
    429: ("rate_limited", "操作过于频繁,请稍后再试"),
}


# marshmallow's and webargs' built-in messages are English; people read these, so every one a client
# can see is turned into Chinese here, in one place (schemas' own messages are Chinese already).
_EN_TO_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"^Missing data for required field\.$", "此项为必填项"),
        (r"^Field may not be null\.$", "此项不能为空"),
        (r"^Unknown field\.$", "不允许提交该字段"),
        (r"^Invalid input type\.$", "格式不正确"),
        (r"^Invalid type\.$", "格式不正确"),
        (r"^Invalid value\.$", "取值不符合要求"),
        (r"^Invalid input\.$", "取值不符合要求"),
        (r"^Invalid JSON body\.$", "请求内容不是有效的 JSON"),
        (r"^Not a valid (string|utf-8 string)\.$", "须为文本"),
        (r"^Not a valid integer\.$", "须为整数"),
        (r"^Not a valid number\.$", "须为数字"),
        (r"^Number too large\.$", "数值过大"),
        (r"^Not a valid boolean\.$", "须为 true 或 false"),
        (r"^Not a valid list\.$", "须为列表"),
        (r"^Not a valid mapping type\.$", "须为对象"),
        (r"^Not a valid (\w+ )?(datetime|date|time)\.$", "日期时间格式不正确"),
        (r"^Shorter than minimum length (\d+)\.$", r"长度不能少于\1个字符"),
        (r"^Longer than maximum length (\d+)\.$", r"长度不能超过\1个字符"),
        (r"^Length must be between (\d+) and (\d+)\.$", r"长度须在\1到\2个字符之间"),
        (r"^Length must be (\d+)\.$", r"长度须为\1个字符"),
        (r"^Must be greater than or equal to (\S+)\.$", r"不能小于\1"),
        (r"^Must be less than or equal to (\S+)\.$", r"不能大于\1"),
        (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"须在\1到\2之间"),
        (r"^Must be one of: (.*)\.$", r"须为以下之一: \1"),
        (r"^String does not match expected pattern\.$", "格式不正确"),
    )
)
_FALLBACK = "取值不符合要求"


def localize(messages: Any) -> Any:
    """Chinese for marshmallow's and webargs' English messages, in a nested errors map."""
    if isinstance(messages, dict):
        return {key: localize(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [localize(m) for m in messages]
    if not isinstance(messages, str) or re.search(r"[\u4e00-\u9fff]", messages):
        return messages
    for pattern, replacement in _EN_TO_ZH:
        if pattern.match(messages):
            return pattern.sub(replacement, messages)
    return _FALLBACK


def _handle_service_error(exc: ServiceError) -> Response:
    response = jsonify({**envelope(exc.status, exc.reason, exc.message, exc.errors), **(exc.extra or {})})
    response.status_code = exc.status
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status == 304:  # Not Modified: no body, the ETag the client already holds
        return Response(status=304, headers=[(k, v) for k, v in exc.get_headers() if k.lower() == "etag"])
    reason, message = _HTTP_REASONS.get(status, ("http_error", "请求无法处理"))
    errors: dict[str, Any] | None = None
    data = getattr(exc, "data", None)  # flask-smorest / webargs put validation messages here
    if isinstance(data, dict) and "messages" in data:
        # webargs groups messages by location ("json", "query", "files"); clients get one flat
        # {field: [messages]} map, the same shape domain errors use.
        errors = {}
        for messages in data["messages"].values():
            errors.update(messages if isinstance(messages, dict) else {"_schema": messages})
        errors = localize(errors)
        reason = "validation_error" if status == 422 else reason
    response = jsonify(envelope(status, reason, message, errors))
    response.status_code = status
    for name, value in exc.get_headers():
        if name.lower() in ("allow", "retry-after"):  # 405's allowed methods, 429/503's wait
            response.headers[name] = value
    return response


def _handle_unavailable(exc: Exception) -> Response:
    """Redis (codes, captchas, limits, the queue) is away: a 503 the client may retry, not a 500."""
    log.warning("dependency unavailable: %s", type(exc).__name__)
    response = jsonify(envelope(503, "service_unavailable", "服务暂时不可用,请稍后再试"))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


def _handle_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _handle_http_exception(exc)
    log.exception("unhandled error")
    response = jsonify(envelope(500, "internal_error", "系统繁忙,请稍后再试"))
    response.status_code = 500
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(ServiceError, _handle_service_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(RedisConnectionError, _handle_unavailable)
    app.register_error_handler(RedisTimeoutError, _handle_unavailable)
    app.register_error_handler(Exception, _handle_unexpected)
