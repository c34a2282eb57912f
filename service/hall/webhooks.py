"""Webhooks: the event log pushed to a receiver's URL, signed, in order, at least once.

Each subscription has a cursor. ``deliver`` (an RQ job, one run at a time per subscription) posts
the events after the cursor one by one and moves the cursor past each one the receiver accepted (2xx).
The database, not Redis, says whether a run is alive: ``pump`` gives each run a number and a lease of
``WEBHOOK_LEASE_SECONDS`` (renewed after every event), and starts a new run only when no lease is
held; a run whose worker was killed is replaced once its lease runs out, and a replaced run that
wakes up finds another number on the subscription and stops before posting anything more.
A failure stops the run (later events wait, so order holds) and backs off exponentially; after 24
hours of failing on one event it is recorded as given up and delivery moves on. Every try and its
response is recorded. ``pump`` (run by ``flask scheduler``) enqueues the subscriptions with events
waiting. Replays move the cursor back.

Signature (README): ``X-XJY-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from rq import Queue
from rq.serializers import JSONSerializer
from sqlalchemy import func, select, update

from models.base import as_utc, db, utcnow
from models.events import Event
from models.webhooks import WebhookDelivery, WebhookSubscription
from service import audit
from service.events import log
from service.platform.crypto import reseal, seal, unseal
from service.platform.errors import InvalidInput, NotFound
from service.platform.extensions import redis_store
from service.platform.jobcontext import after_fork, get_app
from service.platform.rekey import Target

WEBHOOK_QUEUE = "webhooks"
_PURPOSE = b"webhook-secret"
GIVE_UP_AFTER = dt.timedelta(hours=24)
BATCH = 100


@dataclass(frozen=True)
class IssuedSubscription:
    subscription: WebhookSubscription
    secret: str  # shown once


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header value a receiver checks: ``t=...,v1=<hex HMAC-SHA256 over "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def create(
    name: str, url: str, regions: Sequence[str] | None = None, *, actor: object = "cli", start: str = "now"
) -> IssuedSubscription:
    """Subscribe ``url`` to the events of ``regions`` (default the province), from now or the start."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput("webhook_url_invalid", "接收地址须为 http(s) URL")
    secret = secrets.token_urlsafe(32)
    sub = WebhookSubscription(
        name=name,
        url=url,
        secret_sealed=seal(secret.encode(), _PURPOSE),
        regions=list(regions or [current_app.config["PROVINCE_CODE"]]),
        active=True,
        cursor=0 if start == "beginning" else log.latest_id(),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(sub)
    db.session.flush()
    audit.record(
        "webhook.create",
        target_type="webhook",
        target_id=sub.id,
        actor=actor,
        detail={"name": name, "url": url, "regions": sub.regions},
    )
    db.session.commit()
    return IssuedSubscription(sub, secret)


def get(subscription_id: int) -> WebhookSubscription:
    sub = db.session.get(WebhookSubscription, subscription_id)
    if sub is None:
        raise NotFound()
    return sub


def list_subscriptions() -> Sequence[WebhookSubscription]:
    return db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)).all()


def deactivate(subscription_id: int, *, actor: object = "cli") -> WebhookSubscription:
    sub = get(subscription_id)
    sub.active = False
    audit.record("webhook.deactivate", target_type="webhook", target_id=sub.id, actor=actor)
    db.session.commit()
    return sub


def replay(subscription_id: int, after_event_id: int, *, actor: object = "cli") -> WebhookSubscription:
    """Deliver again every event after ``after_event_id`` (the cursor moves back)."""
    sub = get(subscription_id)
    sub.cursor, sub.failing_since, sub.next_try_at = after_event_id, None, None
    audit.record(
        "webhook.replay",
        target_type="webhook",
        target_id=sub.id,
        actor=actor,
        detail={"after": after_event_id},
    )
    db.session.commit()
    return sub


def ping(subscription_id: int) -> WebhookDelivery:
    """Post a test body now and record the answer."""
    sub = get(subscription_id)
    delivery = _post(sub, {"type": "ping", "id": None, "at": utcnow().isoformat()}, event_id=None)
    db.session.commit()
    return delivery


def recent_deliveries(subscription_id: int, limit: int = 50) -> Sequence[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    return db.session.scalars(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()


# --- delivery -----------------------------------------------------------------------------------


def webhook_queue() -> Queue:
    return Queue(WEBHOOK_QUEUE, connection=redis_store.client, serializer=JSONSerializer)


def pump() -> list[int]:
    """Start a delivery run for every active subscription with events waiting, no back-off and no
    live run (a lease not yet run out)."""
    now = utcnow()
    started = []
    subs = db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))).all()
    for sub in subs:
        if sub.next_try_at is not None and as_utc(sub.next_try_at) > now:
            continue
        if sub.lease_expires_at is not None and as_utc(sub.lease_expires_at) > now:
            continue
        waiting = select(func.max(Event.id)).where(Event.id > sub.cursor, log.region_predicate(sub.regions))
        if db.session.scalar(waiting) is None:
            continue
        sub.runs += 1
        sub.lease_expires_at = now + dt.timedelta(seconds=_lease_seconds())
        run = sub.runs
        db.session.commit()  # the run's number is in the database before its job can start
        try:
            webhook_queue().enqueue_call(
                "service.hall.webhooks.deliver",
                args=(sub.id, run),
                job_id=f"webhook-{sub.id}-{run}",
                timeout=300,
                result_ttl=600,
                failure_ttl=86400,
            )
        except Exception:
            sub.lease_expires_at = None  # not queued: the next tick tries again
            db.session.commit()
            raise
        started.append(sub.id)
    return started


def _lease_seconds() -> float:
    return float(current_app.config["WEBHOOK_LEASE_SECONDS"])


def deliver(subscription_id: int, run: int | None = None) -> int:
    """The RQ job: post the waiting events in order; returns how many were delivered.

    ``run`` is the number ``pump`` gave this run (None: called directly, as support and tests do).
    """
    with get_app().app_context():
        after_fork()
        try:
            return _deliver(subscription_id, run)
        finally:
            db.session.remove()


def _deliver(subscription_id: int, run: int | None) -> int:
    try:
        sub = db.session.get(WebhookSubscription, subscription_id)
        if sub is None:
            return 0
        delivered = 0
        for event in log.after(sub.cursor, where=log.region_predicate(sub.regions), limit=BATCH):
            if not _holds(sub, run):  # read again after each commit
                return delivered  # replaced (or deactivated) meanwhile: the newer run goes on
            outcome = _post(sub, _body(event), event_id=event.id)
            if outcome.outcome == "delivered":
                sub.cursor, sub.failing_since, sub.next_try_at = event.id, None, None
                delivered += 1
            elif not _give_up(sub, event, outcome):
                db.session.commit()
                return delivered
            if run is not None:
                sub.lease_expires_at = utcnow() + dt.timedelta(seconds=_lease_seconds())
            db.session.commit()
        return delivered
    finally:
        _release(subscription_id, run)


def _holds(sub: WebhookSubscription, run: int | None) -> bool:
    """Whether this run may post: the subscription is active and (for a pumped run) still its own."""
    return sub.active and (run is None or sub.runs == run)


def _release(subscription_id: int, run: int | None) -> None:
    """Give a finished run's lease up and wake the pump: an event that committed while this run was
    ending found its lease held, and must not wait for the scheduler's next tick."""
    if run is None:
        return
    db.session.rollback()
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id, WebhookSubscription.runs == run)
        .values(lease_expires_at=None)
    )
    db.session.commit()
    log.wake_deliveries()


def _give_up(sub: WebhookSubscription, event: Event, failed: WebhookDelivery) -> bool:
    """After a failure: back off (False), or after 24 h on this event give it up and go on (True)."""
    now = utcnow()
    sub.failing_since = sub.failing_since or now
    if now - as_utc(sub.failing_since) >= GIVE_UP_AFTER:
        failed.outcome = "given_up"
        sub.cursor, sub.failing_since, sub.next_try_at = event.id, None, None
        return True
    tries = (
        db.session.scalar(
            select(func.count(WebhookDelivery.id)).where(
                WebhookDelivery.subscription_id == sub.id, WebhookDelivery.event_id == event.id
            )
        )
        or 1
    )
    sub.next_try_at = now + dt.timedelta(seconds=min(5 * 2 ** (tries - 1), 3600))
    return False


def _body(event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "type": event.type,
        "at": as_utc(event.at).isoformat(),
        "account_id": event.account_id,
        "attempt_id": event.attempt_id,
        "data": event.data,
    }


def _post(sub: WebhookSubscription, body: dict[str, object], *, event_id: int | None) -> WebhookDelivery:
    """POST one signed body; record and return the try (never raises for the receiver's faults)."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    secret = unseal(sub.secret_sealed, _PURPOSE).decode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "xjy-webhooks/1",
        "X-XJY-Event-Id": str(event_id or ""),
        "X-XJY-Event-Type": str(body["type"]),
        "X-XJY-Signature": signature(secret, int(time.time()), payload),
    }
    request = urllib.request.Request(sub.url, data=payload, headers=headers, method="POST")  # noqa: S310 (http(s) only)
    start = time.perf_counter()
    code: int | None = None
    error: str | None = None
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["WEBHOOK_TIMEOUT_SECONDS"]) as answer:  # noqa: S310
            code = answer.status
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        error = type(exc).__name__ + ": " + str(getattr(exc, "reason", exc))[:200]
    ok = code is not None and 200 <= code < 300
    delivery = WebhookDelivery(
        subscription_id=sub.id,
        event_id=event_id,
        at=utcnow(),
        outcome="delivered" if ok else "failed",
        status_code=code,
        duration_ms=int((time.perf_counter() - start) * 1000),
        error=error,
    )
    db.session.add(delivery)
    return delivery


def reseal_secret(sub: WebhookSubscription) -> bool:
    """The subscription's secret sealed under the current data key (``flask crypto reencrypt``)."""
    blob = reseal(sub.secret_sealed, _PURPOSE)
    if blob is not None:
        sub.secret_sealed = blob
    return blob is not None


def reseal_targets() -> list[Target]:
    return [Target("webhook_subscriptions.secret", WebhookSubscription, reseal_secret)]
