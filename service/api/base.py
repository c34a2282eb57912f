"""What every resource's schemas share: Chinese validation messages, paging, masking."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import math
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, after_this_request, current_app
from marshmallow import RAISE, Schema, fields, validate
from sqlalchemy import Select, func, select

from models.base import MAX_ID, as_utc, db

# marshmallow's messages are English; people read these, so each field gets Chinese defaults.
_CN_MESSAGES = {
    "required": "此项为必填项",
    "null": "此项不能为空",
    "invalid": "格式不正确",
    "type": "格式不正确",
    "validator_failed": "取值不符合要求",
    "too_large": "取值过大",
    "too_small": "取值过小",
}


class BaseSchema(Schema):
    """Unknown fields are refused: a client can only ever write the fields a schema allow-lists."""

    class Meta:
        unknown = RAISE

    error_messages = {"unknown": "不允许提交该字段", "type": "请求格式不正确"}

    def on_bind_field(self, field_name: str, field_obj: fields.Field[Any]) -> None:
        for key, message in _CN_MESSAGES.items():
            if key in field_obj.error_messages or key in ("required", "null", "validator_failed"):
                field_obj.error_messages[key] = message


#: Pages beyond this are refused (422): far past any real list, and the offset stays in range.
MAX_PAGE = 100_000


def record_id(**kwargs: Any) -> fields.Integer:
    """An id field of an input schema, bounded to the database's id range (422 beyond it)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID, error="编号超出范围"), **kwargs)


class PageArgsSchema(BaseSchema):
    page = fields.Integer(
        load_default=1, validate=validate.Range(min=1, max=MAX_PAGE, error=f"页码须在1到{MAX_PAGE}之间")
    )
    page_size = fields.Integer(
        load_default=None, validate=validate.Range(min=1, max=100, error="每页条数须在1到100之间")
    )


class PageSchema(Schema):
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()


def paginate(query: Select[Any], page: int, page_size: int | None) -> dict[str, Any]:
    """Run ``query`` for one page; returns ``{"items", "page", "page_size", "total", "pages"}``."""
    size = min(page_size or current_app.config["PAGE_SIZE_DEFAULT"], current_app.config["PAGE_SIZE_MAX"])
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = db.session.scalars(query.limit(size).offset((page - 1) * size)).unique().all()
    return {"items": items, "page": page, "page_size": size, "total": total, "pages": math.ceil(total / size)}


class StrictBoolean(fields.Boolean):
    """JSON ``true`` or ``false`` only: no "yes", "true" or 1 (consent must be given unambiguously)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class UtcDateTime(fields.DateTime):
    """ISO 8601 with its offset, always: SQLite hands back naive datetimes (stored as UTC)."""

    def _serialize(
        self, value: dt.datetime | None, attr: str | None, obj: Any, **kwargs: Any
    ) -> str | float | None:
        return super()._serialize(as_utc(value) if value is not None else None, attr, obj, **kwargs)


def revalidate(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let clients keep the answer but revalidate it every time (with its ETag): the reads the web
    hall polls. Everything else stays ``no-store``."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        @after_this_request
        def _cache(response: Response) -> Response:
            response.headers["Cache-Control"] = "private, no-cache"
            return response

        return view(*args, **kwargs)

    return wrapped


def enum_value(attribute: str, values: type[enum.Enum] | Iterable[str], **kwargs: Any) -> fields.Function:
    """An enum attribute (dotted: ``account.status``) dumped as its value and documented as a string
    with every value it can take, so a generated client gets an enum, not ``Any``."""
    names = [v.value for v in values] if isinstance(values, type) else list(values)

    def value(obj: Any) -> Any:
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return obj.value if isinstance(obj, enum.Enum) else obj

    nullable = {"nullable": True} if kwargs.get("allow_none") else {}
    return fields.Function(value, metadata={"type": "string", "enum": names, **nullable}, **kwargs)


def typed(serialize: Callable[[Any], Any], schema: dict[str, Any], **kwargs: Any) -> fields.Function:
    """A computed field documented with its JSON schema (apispec cannot see through a function)."""
    return fields.Function(serialize, metadata=schema, **kwargs)


#: The documented shape of ``[{reason, message}]`` (see service.verification.reasons.describe).
REASON_LIST = {
    "type": "array",
    "description": "原因码与中文说明 (见 GET /api/v1/reasons)",
    "items": {
        "type": "object",
        "required": ["reason", "message"],
        "properties": {"reason": {"type": "string"}, "message": {"type": "string"}},
    },
}

PHONE = validate.Regexp(r"^1[3-9]\d{9}$", error="手机号码格式不正确")
