"""One Redis pub/sub connection per process, shared by everything in it that listens.

Two things in a web process follow Redis channels: the local caches (``service.platform.invalidation``,
which must hear every invalidation or serve nothing) and the event hub (``service.events.hub``, which
a commit's announcement wakes early). A connection each would cost Redis a client per listener per
process, each with its own thread, pings and reconnects; here that machinery exists once, so a
process costs Redis one pub/sub client (named ``xjy-pubsub-<pid>`` in ``CLIENT LIST``) however many
channels it follows.

A listener registers a channel with two callbacks (:func:`subscribe`):

- ``on_message(data)`` for each message on the channel;
- ``on_state(connected)``: ``True`` once Redis has confirmed the subscription (on every new
  connection: whatever was published while there was none was missed), ``False`` when the
  connection is lost or a ping goes unanswered, and when the subscription is taken back.

The connection lives in a daemon thread (a greenlet under gevent, whose monkey-patching makes the
thread green), started on the first subscription and ended with the last. Callbacks run one at a
time under the subscriber's lock (in that thread; in the caller's when a subscription joins a live
channel or is taken back), so they must be quick and must not call back into the subscriber. All
socket work happens in that thread (redis-py's ``PubSub`` is not made for two): a channel registered
while it waits is subscribed within a tick (``_TICK_SECONDS``), and its ``on_state(True)`` says when
it is live.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from redis.client import PubSub
from redis.exceptions import RedisError

from service.platform.extensions import redis_store

log = logging.getLogger(__name__)

_TICK_SECONDS = 1.0  # the longest a read blocks: bounds how late a stop or a new channel is seen
_PING_SECONDS = 5.0
_PING_GRACE = 3 * _PING_SECONDS
_RETRY_SECONDS = 1.0


@dataclass(eq=False)
class Subscription:
    """One listener's interest in one channel (the handle :func:`unsubscribe` takes back)."""

    channel: str
    on_message: Callable[[bytes], None]
    on_state: Callable[[bool], None]


class Subscriber:
    """An app's pub/sub connection and the subscriptions it serves; see :func:`subscriber`."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.RLock()
        self._subscriptions: dict[str, list[Subscription]] = {}
        self._live: set[str] = set()  # channels Redis confirmed on the current connection
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()  # one per thread: a stopped thread's last words are ignored

    @property
    def channels(self) -> set[str]:
        """The channels subscribed and confirmed now."""
        with self._lock:
            return set(self._live)

    def add(self, subscription: Subscription) -> None:
        """Serve ``subscription`` from now on (told at once if its channel is already live)."""
        with self._lock:
            self._subscriptions.setdefault(subscription.channel, []).append(subscription)
            if subscription.channel in self._live:
                subscription.on_state(True)
        self.ensure_started()

    def remove(self, subscription: Subscription) -> None:
        """Stop serving ``subscription`` (told it is disconnected); the last one ends the thread."""
        with self._lock:
            listeners = self._subscriptions.get(subscription.channel, [])
            if subscription not in listeners:
                return
            listeners.remove(subscription)
            if not listeners:
                del self._subscriptions[subscription.channel]
            subscription.on_state(False)
            if not self._subscriptions:
                self._end()

    def ensure_started(self) -> None:
        """Start the connection's thread if there is something to listen to and none runs."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            return  # the common case, asked on every cached read: no lock
        with self._lock:
            if not self._subscriptions or (self._thread is not None and self._thread.is_alive()):
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._stop,), name="redis-pubsub", daemon=True
            )
            self._thread.start()

    def _end(self) -> None:
        self._stop.set()
        self._thread = None
        self._live.clear()

    def _forked(self) -> None:
        """In a forked child: no thread, no connection; the next use starts both again."""
        self._lock = threading.RLock()
        self._thread = None
        self._live.clear()

    # --- the thread -------------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._listen(stop)
            except (RedisError, OSError, RuntimeError, ValueError) as exc:
                log.info("pub/sub connection lost (%s)", type(exc).__name__)
            self._lost(stop)
            stop.wait(_RETRY_SECONDS)

    def _listen(self, stop: threading.Event) -> None:
        with self._app.app_context():
            pubsub = redis_store.client.pubsub()  # type: ignore[no-untyped-call]
        try:
            _name(pubsub)
            last_pong = last_ping = time.monotonic()
            while not stop.is_set():
                if not self._sync(pubsub, stop):
                    return
                now = time.monotonic()
                if now - last_ping >= _PING_SECONDS:
                    pubsub.ping()
                    last_ping = now
                if now - last_pong > _PING_GRACE:
                    raise RedisError("no answer to pings")
                message = pubsub.get_message(timeout=_TICK_SECONDS)
                if message is None:
                    continue
                if message["type"] == "pong":
                    last_pong = time.monotonic()
                else:
                    self._dispatch(message, stop)
        finally:
            pubsub.close()

    def _sync(self, pubsub: PubSub, stop: threading.Event) -> bool:
        """Subscribe to the channels registered since the last tick; False once nothing is left to
        follow (the thread then ends). A channel nobody follows any more stays subscribed until
        then: its messages go to no one, and a listener coming back finds it live at once."""
        with self._lock:
            if stop is not self._stop:
                return False
            wanted = set(self._subscriptions)
            if not wanted:
                self._end()
                return False
        new = wanted - {_text(c) for c in pubsub.channels}
        if new:
            pubsub.subscribe(*sorted(new))  # type: ignore[no-untyped-call]
        return True

    def _dispatch(self, message: dict[str, Any], stop: threading.Event) -> None:
        channel = _text(message["channel"])
        with self._lock:
            if stop is not self._stop:
                return
            listeners = list(self._subscriptions.get(channel, ()))
            if message["type"] == "subscribe":
                self._live.add(channel)
                for each in listeners:
                    each.on_state(True)
            elif message["type"] == "message":
                for each in listeners:
                    _deliver(each, message["data"])

    def _lost(self, stop: threading.Event) -> None:
        with self._lock:
            if stop is not self._stop:
                return
            self._live.clear()
            for listeners in self._subscriptions.values():
                for each in listeners:
                    each.on_state(False)


def _deliver(subscription: Subscription, data: bytes) -> None:
    """One listener's bad message must not cost the others theirs, nor the connection."""
    try:
        subscription.on_message(data)
    except Exception:  # noqa: BLE001
        log.exception("pub/sub handler for %s failed", subscription.channel)


def _name(pubsub: PubSub) -> None:
    """Name the connection after the process, so ``CLIENT LIST`` says whose it is (before any
    SUBSCRIBE: a subscribed connection takes no CLIENT command)."""
    pubsub.execute_command("CLIENT", "SETNAME", f"xjy-pubsub-{os.getpid()}")  # type: ignore[no-untyped-call]
    if pubsub.parse_response(block=False, timeout=5.0) is None:  # type: ignore[no-untyped-call]
        raise RedisError("no answer to CLIENT SETNAME")


def _text(channel: str | bytes) -> str:
    return channel.decode() if isinstance(channel, bytes) else channel


_SUBSCRIBERS: weakref.WeakSet[Subscriber] = weakref.WeakSet()


def subscriber(app: Flask) -> Subscriber:
    """The pub/sub connection of ``app`` (one per app, which in production is one per process)."""
    found: Subscriber | None = app.extensions.get("xjy_pubsub")
    if found is None:
        found = app.extensions.setdefault("xjy_pubsub", Subscriber(app))
        _SUBSCRIBERS.add(found)
    return found


def subscribe(
    app: Flask, channel: str, on_message: Callable[[bytes], None], on_state: Callable[[bool], None]
) -> Subscription:
    """Follow ``channel`` on ``app``'s shared connection (started if need be).

    Args:
        app: the app whose connection (and Redis) to use.
        channel: the Redis channel.
        on_message: called with each message's payload.
        on_state: called with True when the subscription is live (again), False when it is not.

    Returns:
        The handle to give :func:`unsubscribe`.
    """
    subscription = Subscription(channel, on_message, on_state)
    subscriber(app).add(subscription)
    return subscription


def unsubscribe(app: Flask, subscription: Subscription) -> None:
    """Stop following what ``subscription`` follows; the connection closes with the last one."""
    found: Subscriber | None = app.extensions.get("xjy_pubsub")
    if found is not None:
        found.remove(subscription)


def _after_fork() -> None:
    for each in list(_SUBSCRIBERS):
        each._forked()


os.register_at_fork(after_in_child=_after_fork)
