"""What the OpenAPI document says of every operation beyond its own schemas: who may call it (the
security requirement, so Swagger UI can authorize and a generated client sends the right token) and
every error it can answer, each in the one error envelope.

The errors come from what the code does, read once when the document is built:
- a guarded view (``login_required``, ``client_required``) answers 401 and 403;
- a path with an id answers 404;
- a request body answers 413 (too large), 415 (another content type), 400 (not JSON, or nested too
  deep) and 422 (flask-smorest documents 422 for its arguments);
- the rest, which only the domain knows (conflicts, rate limits, lookups), is listed in ``ANSWERS``.
Schemathesis checks in the test suite that no operation answers a status not documented here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin
from flask import Flask
from werkzeug.routing import Rule

PERSON: list[dict[str, list[str]]] = [{"bearerAuth": []}]

#: Statuses only the domain knows an operation can answer, keyed as ``METHOD /path`` (the document's).
ANSWERS: dict[str, tuple[int, ...]] = {
    "POST /api/v1/sms-codes": (429, 502),
    "POST /api/v1/admin/organisations": (409,),
    "POST /api/v1/registrations": (409,),
    "POST /api/v1/sessions": (401, 409, 429),
    "POST /api/v1/sessions/continue": (409,),
    "GET /api/v1/captchas": (429,),
    "POST /api/v1/certificate-challenges": (403, 429),
    "POST /api/v1/me/confirmation": (409,),
    "POST /api/v1/me/password": (429,),
    "POST /api/v1/me/certificates": (409,),
    "POST /api/v1/account-requests": (409,),
    "POST /api/v1/admin/reviews/{review_id}/decision": (409,),
    "PATCH /api/v1/admin/accounts/{account_id}": (409,),
    "POST /api/v1/admin/accounts/{account_id}/cancellation": (409,),
    "POST /api/v1/admin/accounts/{account_id}/suspension": (409,),
    "POST /api/v1/admin/accounts/{account_id}/reactivation": (409,),
    "POST /api/v1/admin/accounts/{account_id}/certificates": (409,),
    "POST /api/v1/admin/city-admin-applications": (409,),
    "POST /api/v1/admin/city-admin-applications/{application_id}/decision": (409,),
    "POST /api/v1/verifications": (409, 429),
    "GET /api/v1/verifications/current": (404,),
    "PUT /api/v1/verifications/{attempt_id}/card": (409,),
    "POST /api/v1/verifications/{attempt_id}/liveness": (409, 429),
    "POST /api/v1/support/verifications/{attempt_id}/rerun": (409,),
    "POST /api/v1/support/verifications/{attempt_id}/decision": (409,),
    "POST /api/v1/support/verifications/{attempt_id}/overturn": (409,),
    "POST /api/v1/support/verifications/{attempt_id}/reveal": (409,),
    "POST /api/v1/oauth/token": (400, 401),
    "GET /api/v1/events/stream": (401, 403),
}

#: A request example for every operation that takes a body (fictional people, numbers and codes).
_REASON = {"reason": "本人申请, 经核实"}
REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "POST /api/v1/sms-codes": {
        "phone": "13900000000",
        "purpose": "register",
        "captcha_id": "3f2a9c",
        "captcha": "AB12",
    },
    "POST /api/v1/admin/organisations": {
        "name": "长沙市芙蓉区住房和城乡建设局",
        "short_name": "芙蓉区住房城乡建设局",
        "credit_code": "11430102MB1234567X",
        "region_code": "430102",
        "parent_credit_code": "11430100MB7654321Y",
    },
    "PATCH /api/v1/admin/organisations/{organisation_id}": {"name": "长沙市芙蓉区住房和城乡建设局"},
    "POST /api/v1/registrations": {
        "phone": "13900000000",
        "sms_code": "123456",
        "real_name": "张三",
        "id_number": "430102198501011234",
        "credit_code": "11430000006144228F",
        "organisation_id": 1,
        "department": "审批科",
        "position": "科员",
        "username": "zhangsan",
        "password": "correct horse battery",
    },
    "POST /api/v1/sessions": {
        "method": "password",
        "username": "zhangsan",
        "password": "correct horse battery",
        "captcha_id": "3f2a9c",
        "captcha": "AB12",
    },
    "POST /api/v1/certificate-challenges": {"serial": "1A2B3C4D"},
    "POST /api/v1/me/confirmation": {
        "phone": "13900000000",
        "sms_code": "123456",
        "real_name": "张三",
        "id_number": "430102198501011234",
    },
    "POST /api/v1/me/password": {
        "current_password": "Initial-Pass-1",
        "new_password": "correct horse battery",
    },
    "POST /api/v1/me/certificates": {
        "certificate": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"
    },
    "POST /api/v1/permission-requests": {
        "items": [{"matter_code": "430000-001", "acceptor": True, "handler": False}],
        "note": "新任受理人员",
    },
    "POST /api/v1/account-requests": {
        "kind": "change",
        "changes": {"position": "副科长"},
        "note": "岗位调整",
    },
    "POST /api/v1/admin/reviews/{review_id}/decision": {
        "decision": "reject",
        "reason": "单位信息与证明材料不符",
    },
    "PATCH /api/v1/admin/accounts/{account_id}": {"position": "副科长", "reason": "岗位调整"},
    "POST /api/v1/admin/accounts/{account_id}/cancellation": {"reason": "人员调离"},
    "POST /api/v1/admin/accounts/{account_id}/sessions/revocation": _REASON,
    "POST /api/v1/admin/accounts/{account_id}/suspension": _REASON,
    "POST /api/v1/admin/accounts/{account_id}/reactivation": _REASON,
    "POST /api/v1/admin/accounts/{account_id}/certificates": {
        "certificate": "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"
    },
    "POST /api/v1/admin/city-admin-applications": {
        "city_code": "430100",
        "action": "add",
        "department": "长沙市住房和城乡建设局",
        "holder_name": "李四",
        "contact": "13900000001",
        "id_number": "430102198501011234",
        "username": "cs_admin2",
    },
    "POST /api/v1/admin/city-admin-applications/{application_id}/decision": {"decision": "approve"},
    "POST /api/v1/verifications": {"consent": True},
    "POST /api/v1/support/verifications/{attempt_id}/decision": {
        "decision": "pass",
        "reason": "本人到窗口核验, 证件与人像一致",
    },
    "POST /api/v1/support/verifications/{attempt_id}/overturn": {"reason": "复核发现证件照片系翻拍"},
    "POST /api/v1/support/verifications/{attempt_id}/reveal": {"reason": "核对用户来电所述证件信息"},
    "POST /api/v1/oauth/token": {"grant_type": "client_credentials", "scope": "accounts:read"},
    "POST /api/v1/verification-status/batch": {"account_ids": [101, 102, 103]},
    "POST /api/v1/admin/webhooks": {"name": "办事大厅", "url": "https://hall.example.gov.cn/xjy/events"},
    "POST /api/v1/admin/webhooks/{subscription_id}/replay": {"after": 0},
}

_BODY_ERRORS = (400, 413, 415, 422)
_DESCRIPTIONS = {
    400: "请求格式有误 (bad_request; JSON 无法解析或嵌套过深: json_too_deep)",
    401: "未登录或令牌无效 (unauthenticated, session_invalid, session_expired, client_token_invalid …)",
    403: "无权执行 (forbidden, verification_required, account_not_active, scope_missing …)",
    404: "记录不存在或不在调用方的管辖范围内 (not_found)",
    409: "与当前状态冲突 (原因码见 reason)",
    413: "请求内容过大 (payload_too_large, image_too_large_bytes)",
    415: "内容类型不受支持, 须为 application/json 或 multipart/form-data (unsupported_media_type)",
    422: "提交的信息有误 (validation_error 及各业务原因码; errors 按字段列出)",
    429: "操作过于频繁 (rate_limited 等; Retry-After 头给出等待秒数)",
}


_ROLE_NAMES = {
    "approver": "审批人员",
    "city_admin": "市州管理员",
    "province_admin": "省级管理员",
    "support": "运维客服",
}


def guard_of(view: Callable[..., Any] | None) -> tuple[str | None, tuple[str, ...]]:
    """Who a view lets in, as its guard marked it: ("person", ()), ("client", scopes) or (None, ())."""
    caller = getattr(view, "caller", None)
    return caller, tuple(getattr(view, "client_scopes", ()))


def callers_of(view: Callable[..., Any] | None) -> str:
    """Who may call, in the words of the description (from the same marks as the security)."""
    caller, scopes = guard_of(view)
    if caller == "client":
        return f"服务客户端令牌 (OAuth 2.0 客户端凭据), 权限范围: {', '.join(scopes)}"
    if caller != "person":
        return "公开, 无需登录"
    roles = [_ROLE_NAMES[r] for r in getattr(view, "caller_roles", ())]
    words = ["登录令牌 (bearerAuth)", f"角色: {'、'.join(roles)}" if roles else "任何角色"]
    if getattr(view, "caller_active", False):
        words.append("账号须已审核通过")
    if getattr(view, "caller_scope", "full") == "verification":
        words.append("未实名账号的认证临时令牌也可调用")
    return "; ".join(words)


def error_responses(components: Any) -> None:
    """The error responses the operations refer to, each in the envelope with its own description."""
    for status, description in _DESCRIPTIONS.items():
        name = f"ERROR_{status}"
        components.response(
            name,
            {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )


class ErrorResponsesPlugin(BasePlugin):
    """An apispec plugin adding each operation's security and error responses as its path is added."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule: Rule | None = kwargs.get("rule")
        if rule is None or not operations or path is None:
            return
        view_class = getattr(self.app.view_functions.get(rule.endpoint), "view_class", None)
        for method, operation in operations.items():
            view = getattr(view_class, method, None)
            caller, scopes = guard_of(view)
            statuses = set(ANSWERS.get(f"{method.upper()} {path}", ()))
            if caller == "person":
                operation.setdefault("security", PERSON)
            elif caller == "client":
                operation.setdefault("security", [{"oauth2ClientCredentials": list(scopes)}])
            elif "security" not in operation:
                operation["security"] = []
            if caller:
                statuses |= {401, 403}
            if rule.arguments:
                statuses.add(404)
            if "requestBody" in operation or _has_body_parameter(operation.get("parameters", ())):
                statuses |= set(_BODY_ERRORS)
            _add(operation.setdefault("responses", {}), statuses)
            _describe(operation, view)
            _exemplify(operation, REQUEST_EXAMPLES.get(f"{method.upper()} {path}"))


def _describe(operation: dict[str, Any], view: Callable[..., Any] | None) -> None:
    """The view's own description (its docstring after the summary), then who may call and the
    errors it answers, so every operation says both."""
    codes = sorted(str(code) for code in operation["responses"] if str(code)[0] in "45")
    errors = ", ".join(codes) or "无"
    callers = callers_of(view)
    if not guard_of(view)[0] and operation.get("security"):  # the view checks its token itself
        callers = "登录令牌或服务客户端令牌 (见 security)"
    facts = f"**调用方**: {callers}\n\n**错误响应** (统一错误信封, 含 reason): {errors}"
    own = operation.get("description", "").strip()
    operation["description"] = f"{own}\n\n{facts}" if own else facts


def _exemplify(operation: dict[str, Any], example: dict[str, Any] | None) -> None:
    """Put the request example on the body's (first) content type, unless the view gave its own."""
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        if example is not None and "example" not in media and "examples" not in media:
            media["example"] = example
        break


def _has_body_parameter(parameters: Iterable[Any]) -> bool:
    return any(isinstance(p, dict) and p.get("in") in ("body", "files", "form", "json") for p in parameters)


def _add(responses: dict[Any, Any], statuses: Iterable[int]) -> None:
    present = {str(code) for code in responses}
    for status in sorted(statuses):
        if str(status) not in present:
            responses[str(status)] = f"ERROR_{status}" if status in _DESCRIPTIONS else HTTPStatus(status).name
