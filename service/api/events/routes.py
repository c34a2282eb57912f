"""The event log as a change feed for service clients: ordered, resumable, limited to the client's
regions. Follow it with ``after`` = the last id seen; ``next`` says where to continue."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from service.api.base import BaseSchema, UtcDateTime
from service.clients.guard import bearer_token, client_required
from service.events import log
from service.hall import stream

blp = Blueprint("events", __name__, url_prefix="/api/v1", description="事件: 认证与账号状态变更流")

FEED_MAX = 500


class FeedArgsSchema(BaseSchema):
    after = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=2**63 - 1, error="游标须为非负整数"),
        metadata={"description": "上次读到的最后一个事件 id (0 从头开始)"},
    )
    limit = fields.Integer(
        load_default=100, validate=validate.Range(min=1, max=FEED_MAX, error=f"须在1到{FEED_MAX}之间")
    )


class StreamArgsSchema(BaseSchema):
    after = fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=2**63 - 1, error="游标须为非负整数"),
        metadata={"description": "从此事件 id 之后开始 (或用 Last-Event-ID 头); 省略则只推送新事件"},
    )


class EventSchema(Schema):
    id = fields.Integer()
    type = fields.String(metadata={"enum": list(log.TYPES)})
    at = UtcDateTime()
    account_id = fields.Integer()
    attempt_id = fields.Integer(allow_none=True)
    data = fields.Dict(metadata={"description": "状态及变更前状态; 不含个人信息"})


class FeedSchema(Schema):
    items = fields.List(fields.Nested(EventSchema))
    next = fields.Integer(metadata={"description": "下次请求的 after"})


@blp.route("/events/stream")
class EventStream(MethodView):
    @blp.doc(security=[{"bearerAuth": []}, {"oauth2ClientCredentials": ["events:read"]}])
    @blp.arguments(StreamArgsSchema, location="query")
    @blp.response(200, description="text/event-stream: id, event (type), data (JSON); keep-alive comments")
    def get(self, args: dict[str, Any]) -> Response:
        """Follow events live (Server-Sent Events); resume with Last-Event-ID. A client token sees its
        regions, a person's own token sees their own account"""
        accept = stream.subscriber_filter(bearer_token())
        cursor = stream.start_cursor(request.headers.get("Last-Event-ID"), args["after"])
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        body = stream_with_context(stream.sse_lines(app, accept, cursor))
        return Response(body, mimetype="text/event-stream", headers={"X-Accel-Buffering": "no"})


@blp.route("/events")
class Events(MethodView):
    @client_required("events:read")
    @blp.arguments(FeedArgsSchema, location="query")
    @blp.response(200, FeedSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Events after a cursor, oldest first, within the client's regions"""
        items = log.after(args["after"], where=log.region_predicate(g.client.regions), limit=args["limit"])
        return {"items": items, "next": items[-1].id if items else args["after"]}
