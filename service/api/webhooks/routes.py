"""Webhook subscriptions, managed by a province admin: create (the signing secret shown once), list,
deactivate, replay from an event id, ping, and the record of delivery tries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from models.accounts import Role
from models.webhooks import WebhookDelivery, WebhookSubscription
from service.api.base import BaseSchema, UtcDateTime
from service.auth.guard import login_required
from service.hall import webhooks

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/admin", description="省级管理员: 事件推送订阅")
province_admin_required = login_required(Role.PROVINCE_ADMIN, active=True)


class SubscriptionInSchema(BaseSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    url = fields.String(required=True, validate=validate.Length(min=8, max=500))
    regions = fields.List(fields.String(validate=validate.Regexp(r"^\d{6}$")), load_default=None)
    from_beginning = fields.Boolean(load_default=False)


class SubscriptionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    regions = fields.List(fields.String())
    active = fields.Boolean()
    cursor = fields.Integer(metadata={"description": "已推送到的事件 id"})
    failing_since = UtcDateTime(allow_none=True)
    next_try_at = UtcDateTime(allow_none=True)
    created_at = UtcDateTime()


class IssuedSchema(Schema):
    subscription = fields.Nested(SubscriptionSchema)
    secret = fields.String(metadata={"description": "签名密钥, 仅此一次显示"})


class ReplaySchema(BaseSchema):
    after = fields.Integer(required=True, validate=validate.Range(min=0, max=2**63 - 1))


class DeliverySchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    at = UtcDateTime()
    outcome = fields.String(metadata={"enum": ["delivered", "failed", "given_up"]})
    status_code = fields.Integer(allow_none=True)
    duration_ms = fields.Integer()
    error = fields.String(allow_none=True)


@blp.route("/webhooks")
class Subscriptions(MethodView):
    @province_admin_required
    @blp.arguments(SubscriptionInSchema)
    @blp.response(201, IssuedSchema)
    def post(self, args: dict[str, Any]) -> webhooks.IssuedSubscription:
        """Subscribe a receiver URL to the event log (the signing secret is shown once)"""
        start = "beginning" if args["from_beginning"] else "now"
        return webhooks.create(args["name"], args["url"], args["regions"], actor=g.account, start=start)

    @province_admin_required
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self) -> Sequence[WebhookSubscription]:
        """Every subscription with its progress"""
        return webhooks.list_subscriptions()


@blp.route("/webhooks/<int:subscription_id>")
class Subscription(MethodView):
    @province_admin_required
    @blp.response(200, SubscriptionSchema)
    def delete(self, subscription_id: int) -> WebhookSubscription:
        """Deactivate a subscription"""
        return webhooks.deactivate(subscription_id, actor=g.account)


@blp.route("/webhooks/<int:subscription_id>/replay")
class Replay(MethodView):
    @province_admin_required
    @blp.arguments(ReplaySchema)
    @blp.response(200, SubscriptionSchema)
    def post(self, args: dict[str, Any], subscription_id: int) -> WebhookSubscription:
        """Deliver again every event after an event id"""
        return webhooks.replay(subscription_id, args["after"], actor=g.account)


@blp.route("/webhooks/<int:subscription_id>/ping")
class Ping(MethodView):
    @province_admin_required
    @blp.response(200, DeliverySchema)
    def post(self, subscription_id: int) -> WebhookDelivery:
        """Send a test delivery now and show the receiver's answer"""
        return webhooks.ping(subscription_id)


@blp.route("/webhooks/<int:subscription_id>/deliveries")
class Deliveries(MethodView):
    @province_admin_required
    @blp.response(200, DeliverySchema(many=True))
    def get(self, subscription_id: int) -> Sequence[WebhookDelivery]:
        """The latest delivery tries, newest first"""
        webhooks.get(subscription_id)
        return webhooks.recent_deliveries(subscription_id)
