"""How a text reaches a phone. Production posts to the operator's HTTP SMS gateway; the embedded
default writes to an outbox table that ``flask sms outbox --phone P`` prints."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import select

from models.base import db, utcnow
from models.sms import SmsOutboxMessage
from service.platform.errors import ServiceError

log = logging.getLogger(__name__)


class SmsDeliveryError(ServiceError):
    status = 502
    reason = "sms_gateway_unavailable"
    message = "短信发送失败,请稍后再试"


class SmsSender(Protocol):
    def send(self, phone: str, text: str, purpose: str) -> None:
        """Deliver ``text`` or raise SmsDeliveryError."""


class OutboxSender:
    """Stores the message in ``sms_outbox`` (same transaction as the caller)."""

    def send(self, phone: str, text: str, purpose: str) -> None:
        db.session.add(SmsOutboxMessage(phone=phone, text=text, purpose=purpose, sent_at=utcnow()))


def outbox_messages(phone: str, limit: int = 10) -> Sequence[SmsOutboxMessage]:
    """The texts the outbox kept for ``phone``, newest first."""
    query = (
        select(SmsOutboxMessage)
        .where(SmsOutboxMessage.phone == phone)
        .order_by(SmsOutboxMessage.id.desc())
        .limit(limit)
    )
    return db.session.scalars(query).all()


class HttpGatewaySender:
    """POSTs ``{"phone", "text", "purpose"}`` as JSON with a bearer token; any 2xx is delivered.

    Timeouts are short on purpose: the user is waiting, and a retry is one tap away.
    """

    def __init__(self, url: str, token: str | None, timeout: float = 5.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("SMS_GATEWAY_URL must be an http(s) URL")
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, phone: str, text: str, purpose: str) -> None:
        body = json.dumps({"phone": phone, "text": text, "purpose": purpose}, ensure_ascii=False).encode()
        req = urllib.request.Request(self.url, data=body, method="POST")  # noqa: S310 (scheme checked)
        req.add_header("Content-Type", "application/json; charset=utf-8")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                if not 200 <= resp.status < 300:
                    raise SmsDeliveryError()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            log.warning("sms gateway failed: %s", type(exc).__name__)
            raise SmsDeliveryError() from None


def get_sender() -> SmsSender:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    sender = app.extensions.get("xjy_sms_sender")
    if sender is None:
        backend = app.config["SMS_BACKEND"]
        if backend == "outbox":
            sender = OutboxSender()
        elif backend == "http":
            sender = HttpGatewaySender(app.config["SMS_GATEWAY_URL"], app.config.get("SMS_GATEWAY_TOKEN"))
        else:
            raise RuntimeError(f"unknown SMS_BACKEND {backend!r}")
        app.extensions["xjy_sms_sender"] = sender
    return sender
