"""Live delivery of the event log inside one server process: one thread reads the log and every
stream waits on a shared condition, so 1,000 subscribers cost one query per change, not 1,000.

The thread reads as soon as a commit with events is announced on Redis (``log.COMMIT_CHANNEL``, a
pub/sub message each commit publishes, heard on the process's shared pub/sub connection), and every
``EVENTS_POLL_SECONDS`` besides: the announcement makes a change reach the streams within
milliseconds, the poll makes sure nothing waits longer than that when Redis is away or a message
was lost.

A stream asks for "events after my cursor that I may see"; the hub answers from a ring of recent
events, or from the database when the cursor is older than the ring. Under gunicorn's gevent worker
the thread and the condition are green (monkey-patched), so a waiting stream holds no OS thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from models.base import as_utc, db
from models.events import Event
from models.regions import code_prefix
from service.events import log
from service.platform import pubsub

RING_SIZE = 10_000


@dataclass(frozen=True)
class LiveEvent:
    """An event detached from the database session (safe to share between streams)."""

    id: int
    type: str
    at: str
    account_id: int
    attempt_id: int | None
    region_code: str | None
    data: dict[str, Any]

    @classmethod
    def of(cls, row: Event) -> LiveEvent:
        return cls(
            row.id,
            row.type,
            as_utc(row.at).isoformat(),
            row.account_id,
            row.attempt_id,
            row.region_code,
            dict(row.data),
        )

    def public(self) -> dict[str, Any]:
        """What a subscriber receives: ids and states, no region."""
        return {"id": self.id, "type": self.type, "at": self.at, "account_id": self.account_id,
                "attempt_id": self.attempt_id, "data": self.data}  # fmt: skip


def for_regions(regions: list[str]) -> Callable[[LiveEvent], bool]:
    """A service client's view: events of accounts inside its regions."""
    prefixes = tuple(code_prefix(code) for code in regions)
    return lambda e: bool(e.region_code) and e.region_code.startswith(prefixes)  # type: ignore[union-attr]


def for_account(account_id: int) -> Callable[[LiveEvent], bool]:
    """A person's own view: their account's events only."""
    return lambda e: e.account_id == account_id


class EventHub:
    """One per process: a poller thread and a condition the streams wait on."""

    def __init__(self, app: Flask, poll_seconds: float) -> None:
        self._app = app
        self._poll = poll_seconds
        self._ring: deque[LiveEvent] = deque(maxlen=RING_SIZE)
        self._changed = threading.Condition()
        self._last_id = -1  # unknown until the first poll
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._waker: CommitWaker | None = None

    def _ensure_started(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="event-hub", daemon=True)
                self._thread.start()

    def stop(self, wait: float = 0.0) -> None:
        """End the poller (tests, and a process shutting down); waiting streams time out as usual.
        With ``wait``, wait up to that many seconds for it to end (before its engine is disposed)."""
        self._stop.set()
        if self._waker is not None:
            self._waker.wake()
        thread = self._thread
        if wait > 0 and thread is not None and thread is not threading.current_thread():
            thread.join(wait)

    def _run(self) -> None:
        self._waker = waker = CommitWaker(self._app)
        try:
            while not self._stop.is_set():
                waker.wait(self._poll, self._stop)
                self._read_log()
        finally:
            waker.close()

    def _read_log(self) -> None:
        if not self._stop.is_set():
            try:
                self._fetch()
            except Exception:  # noqa: BLE001 (a database hiccup must not end live delivery)
                with self._app.app_context():
                    db.session.remove()

    def _fetch(self) -> None:
        with self._app.app_context():
            try:
                after = max(self._last_id, self._ring[-1].id if self._ring else 0)
                if self._last_id < 0:
                    newest = db.session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) or 0
                    self._publish([], newest)
                    return
                rows = db.session.scalars(
                    select(Event).where(Event.id > after).order_by(Event.id).limit(1000)
                ).all()
                if rows:
                    self._publish([LiveEvent.of(r) for r in rows], rows[-1].id)
            finally:
                db.session.remove()

    def _publish(self, events: list[LiveEvent], last_id: int) -> None:
        with self._changed:
            self._ring.extend(events)
            self._last_id = max(self._last_id, last_id)
            self._changed.notify_all()

    def wait_after(
        self, cursor: int, accept: Callable[[LiveEvent], bool], timeout: float
    ) -> tuple[list[LiveEvent], int]:
        """Events after ``cursor`` that ``accept`` lets through, and the cursor to continue from
        (past events the subscriber may not see, too). Waits up to ``timeout`` for new ones."""
        self._ensure_started()
        with self._changed:
            if self._last_id <= cursor:
                self._changed.wait(timeout)
            if self._last_id < 0:
                return [], cursor
            ring_start = self._ring[0].id if self._ring else self._last_id + 1
            if cursor + 1 >= ring_start:
                return [e for e in self._ring if e.id > cursor and accept(e)], max(cursor, self._last_id)
        return self._from_database(cursor, accept)

    def _from_database(self, cursor: int, accept: Callable[[LiveEvent], bool]) -> tuple[list[LiveEvent], int]:
        """A cursor older than the ring: read the gap (one page) from the log itself."""
        with self._app.app_context():
            try:
                rows = db.session.scalars(
                    select(Event).where(Event.id > cursor).order_by(Event.id).limit(500)
                ).all()
                events = [LiveEvent.of(r) for r in rows]
            finally:
                db.session.remove()
        return [e for e in events if accept(e)], events[-1].id if events else cursor


class CommitWaker:
    """Wakes the hub when a commit is announced on ``log.COMMIT_CHANNEL``.

    A handler on the process's one pub/sub connection (``service.platform.pubsub``), not a
    connection of its own: an announcement sets an event the hub waits on. While Redis is away the
    wait simply runs out (the hub's poll carries on alone); when the subscription is live again the
    hub is woken once, since whatever was announced in between was missed.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._woken = threading.Event()
        self._subscription = pubsub.subscribe(app, log.COMMIT_CHANNEL, self._announced, self._state)

    def _announced(self, data: bytes) -> None:
        self._woken.set()

    def _state(self, connected: bool) -> None:
        if connected:
            self._woken.set()

    def wake(self) -> None:
        """End the current wait now (a stop, say)."""
        self._woken.set()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Block until an announcement, ``seconds``, or ``stop`` (seen within a second); True if
        woken. Every announcement up to the return is consumed: one read of the log serves them all.
        """
        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self._woken.wait(min(left, 1.0)):
                break
        woken = self._woken.is_set()
        self._woken.clear()  # before the read: an announcement from now on wakes the next wait
        return woken

    def close(self) -> None:
        """Leave the channel (the shared connection stays for its other listeners)."""
        pubsub.unsubscribe(self._app, self._subscription)


def drop_hub(app: Flask) -> None:
    """Stop and forget this process's hub (tests reset the log between cases)."""
    hub: EventHub | None = app.extensions.pop("xjy_event_hub", None)
    if hub is not None:
        hub.stop()


def get_hub(app: Flask) -> EventHub:
    """This process's hub (made on first use: the factory starts no thread)."""
    hub: EventHub | None = app.extensions.get("xjy_event_hub")
    if hub is None:
        hub = EventHub(app, app.config["EVENTS_POLL_SECONDS"])
        app.extensions["xjy_event_hub"] = hub
    return hub
