"""Server-Sent Events from the event log: a service client follows the events of its regions, a
person (with their own token, from the app or the H5 page) the events of their own account.

A stream resumes after ``Last-Event-ID`` (or ``after``), sends a keep-alive comment while nothing
happens, and ends after ``EVENTS_STREAM_SECONDS`` so that connections turn over; the browser's
EventSource reconnects by itself with the last id it saw, so nothing is missed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from flask import Flask

from models.base import db
from service.auth.sessions import resolve as resolve_session
from service.clients.guard import resolve as resolve_client
from service.events import log
from service.events.hub import LiveEvent, for_account, for_regions, get_hub
from service.platform.errors import Forbidden, Unauthorized

Filter = Callable[[LiveEvent], bool]


def subscriber_filter(token: str | None) -> Filter:
    """Whose events this bearer token may follow: a client's regions (scope ``events:read``), or the
    holder's own account. Raises Unauthorized/Forbidden otherwise."""
    if not token:
        raise Unauthorized()
    client = resolve_client(token)
    if client is not None:
        if "events:read" not in client.scopes:
            raise Forbidden("scope_missing", "令牌缺少权限范围: events:read")
        return for_regions(list(client.regions))
    session = resolve_session(token)  # a person's own token, full or verification-scoped
    return for_account(session.account_id)


def start_cursor(last_event_id: str | None, after: int | None) -> int:
    """Resume after the last id the client saw; a new subscriber starts with what happens next."""
    for candidate in (last_event_id, after):
        if candidate is not None and str(candidate).isdigit() and len(str(candidate)) <= 19:
            return int(candidate)
    return log.latest_id()


def sse_lines(app: Flask, accept: Filter, cursor: int) -> Iterator[str]:
    """The stream's text: events as they come, keep-alive comments between, then the end."""
    db.session.remove()  # a stream holds no database connection while it waits
    hub = get_hub(app)
    config = app.config
    deadline = time.monotonic() + config["EVENTS_STREAM_SECONDS"]
    keepalive = config["EVENTS_KEEPALIVE_SECONDS"]
    yield "retry: 3000\n\n"
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        wait = max(0.05, min(keepalive, deadline - time.monotonic()))
        events, cursor = hub.wait_after(cursor, accept, timeout=wait)
        for event in events:
            data = json.dumps(event.public(), ensure_ascii=False)
            yield f"id: {event.id}\nevent: {event.type}\ndata: {data}\n\n"
            quiet_since = time.monotonic()
        if time.monotonic() - quiet_since >= keepalive:
            yield ": keep-alive\n\n"
            quiet_since = time.monotonic()
