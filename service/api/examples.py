"""Examples for every documented answer, made from the answer's own schema when the document is
served: a client generator or a person reading Swagger UI sees what a body looks like, and a schema
change can never leave a stale hand-written example behind. Values are fictional (no person, number
or code here is real); an error answer's example carries the stable ``reason`` its status usually
has and that reason's Chinese message from the catalogue."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from service.platform.reason_codes import ERROR_REASONS

# The reason an error status most often carries (an operation may answer others: see /api/v1/reasons).
_STATUS_REASONS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    502: "service_unavailable",
    503: "service_unavailable",
}
_STRINGS = {
    "date-time": "2026-11-29T10:00:00+08:00",
    "date": "2026-11-29",
    "email": "someone@example.gov.cn",
    "uri": "https://hall.example.gov.cn/hooks/xjy",
    "url": "https://hall.example.gov.cn/hooks/xjy",
    "uuid": "3f2a9c4e-8b1d-4f6a-9c2e-7d5b1a0e4c3f",
}
_MAX_DEPTH = 24  # schemas that refer to themselves stop here


def install(spec: Any) -> None:
    """Make ``spec.to_dict()`` (what /api/v1/openapi.json serves) carry the examples."""
    to_dict = spec.to_dict

    def document() -> dict[str, Any]:
        doc: dict[str, Any] = to_dict()
        add_examples(doc)
        return doc

    spec.to_dict = document


def add_examples(doc: dict[str, Any]) -> None:
    """An example on every JSON answer that has none: success answers from their schema, the shared
    error answers (``components.responses.ERROR_<status>``) as the envelope with that status."""
    schemas = doc.get("components", {}).get("schemas", {})
    for name, response in doc.get("components", {}).get("responses", {}).items():
        status = int(name.rpartition("_")[2]) if name.rpartition("_")[2].isdigit() else 400
        for media in response.get("content", {}).values():
            media.setdefault("example", error_example(status))
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                for media_type, media in (response.get("content") or {}).items():
                    given = {"example", "examples"} & set(media)
                    if "json" in media_type and "schema" in media and not given:
                        media["example"] = sample(media["schema"], schemas)


def error_example(status: int) -> dict[str, Any]:
    reason = _STATUS_REASONS.get(status, "http_error")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:  # a status http.HTTPStatus does not name
        phrase = "Error"
    return {"code": status, "status": phrase, "reason": reason, "message": ERROR_REASONS[reason]}


def sample(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """A value the schema accepts: its own example, default or first enum member where it has one,
    else one made by type (every property of an object, one item of an array)."""
    if "$ref" in schema:
        target = schemas.get(schema["$ref"].rpartition("/")[2], {})
        return sample(target, schemas, depth + 1) if depth < _MAX_DEPTH else {}
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            parts = [sample(part, schemas, depth + 1) for part in schema[key]]
            if key == "allOf" and all(isinstance(part, dict) for part in parts):
                return {k: v for part in parts for k, v in part.items()}
            return parts[0]
    if "example" in schema:
        return schema["example"]
    if schema.get("default") is not None:
        return schema["default"]
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value is not None), None)
    return _by_type(schema, schemas, depth)


def _by_type(schema: dict[str, Any], schemas: dict[str, Any], depth: int) -> Any:
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        if depth >= _MAX_DEPTH:
            return {}
        properties = schema.get("properties", {})
        return {name: sample(prop, schemas, depth + 1) for name, prop in properties.items()}
    if kind == "array":
        if depth >= _MAX_DEPTH:
            return []
        return [sample(schema.get("items", {}), schemas, depth + 1)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "string":
        text = _STRINGS.get(schema.get("format", ""), "示例")
        return text.ljust(int(schema.get("minLength", 0)), "例")[: schema.get("maxLength", len(text)) or 1]
    return "示例"  # no type: any value is accepted (e.g. a read-only computed field)
