"""Process-local read caches that are dropped the moment what they hold changes.

The hall polls an account's version and a client's token every second; answering those from this
process's memory instead of from Redis and the database makes a poll cost little more than a trivial
request. A cache is only as good as its invalidation, so these trust nothing they cannot hear about:

- a transaction that changes cached data says what it changed (``announce``: tags such as an
  account id or a token digest, or everything); once it commits, the tags are dropped in the
  committing process at once and published on the Redis channel ``CHANNEL``;
- every process listens on that channel, on the one pub/sub connection it shares with its other
  listeners (``service.platform.pubsub``: a daemon thread, a greenlet under gevent; one per app,
  which in production is one per process), and drops what a message names;
- nothing is served from a cache while that subscription is not established: the listener empties
  every cache when it is subscribed, and when the connection is lost or misses a ping, so a message
  published while it was away cannot be missed;
- a value read from the source is stored only if no message arrived while it was being read (one
  generation counter per process), so a change committed during the read cannot hide behind it;
- every entry also expires after a few seconds, which bounds how long a change made outside the
  service (a hand-written SQL statement) can go unseen.

A lost message therefore costs at most an entry's lifetime of staleness; a 304 answered from here
is never older than that, and the change itself is never lost (the next read after it sees it).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session

from service.platform import pubsub
from service.platform.extensions import redis_store

log = logging.getLogger(__name__)

CHANNEL = "xjy:cache:invalidate"
#: Everything: the tag a change announces when it cannot say which entries it touched.
EVERYTHING = "*"
_PENDING = "xjy_invalidate"
_AFTER = "xjy_invalidate_after"


@dataclass
class _Entry:
    value: Any
    expires: float
    tag: str


class LocalCache:
    """A keyed cache whose entries each carry one tag (what invalidates them) and a lifetime; made
    by :func:`cache`, one per app and name.

    Args:
        listener: the app's listener, which says whether entries may be served and drops them.
        seconds: how long an entry is served at most.
        max_entries: beyond this the cache is emptied rather than grown (a hall polls a bounded set).
    """

    def __init__(self, listener: _Listener, seconds: float, max_entries: int = 50_000) -> None:
        self._listener = listener
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, _Entry] = {}
        self._by_tag: dict[str, set[Hashable]] = {}

    def generation(self) -> int:
        """Take this before reading a value to cache; give it to :meth:`put`."""
        return self._listener.generation

    def get(self, key: Hashable) -> Any | None:
        """The value stored under ``key``, or None (none, expired, or the listener is not connected)."""
        if not self._listener.connected:
            return None
        entry = self._entries.get(key)
        if entry is None or entry.expires <= time.monotonic():
            return None
        return entry.value

    def put(
        self, key: Hashable, value: Any, *, tag: str, generation: int, seconds: float | None = None
    ) -> None:
        """Store ``value`` if nothing was invalidated since ``generation`` (taken before the read)."""
        listener = self._listener
        with listener.lock:
            if not listener.connected or generation != listener.generation:
                return
            if len(self._entries) >= self.max_entries:
                self.clear()
            life = self.seconds if seconds is None else min(seconds, self.seconds)
            self._entries[key] = _Entry(value, time.monotonic() + life, tag)
            self._by_tag.setdefault(tag, set()).add(key)

    def drop(self, tags: Iterable[str]) -> None:
        for tag in tags:
            for key in self._by_tag.pop(tag, ()):
                self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()
        self._by_tag.clear()


class _Listener:
    """An app's subscription to ``CHANNEL`` (on the process's shared pub/sub connection,
    ``service.platform.pubsub``) and the caches it keeps honest."""

    def __init__(self, app: Flask) -> None:
        self.lock = threading.Lock()
        self.connected = False
        self.generation = 0
        self.caches: dict[str, LocalCache] = {}
        self._app = app
        self._subscription: pubsub.Subscription | None = None

    def ensure_started(self) -> None:
        """Subscribe (once), and make sure the connection runs (again, after a fork)."""
        if self._subscription is None:
            with self.lock:
                if self._subscription is not None:
                    return
                self._subscription = pubsub.Subscription(CHANNEL, self._heard, self._state)
            pubsub.subscriber(self._app).add(self._subscription)
        else:
            pubsub.subscriber(self._app).ensure_started()

    def stop(self) -> None:
        if self._subscription is not None:
            pubsub.unsubscribe(self._app, self._subscription)
            self._subscription = None

    def apply(self, tags: Iterable[str]) -> None:
        """Drop the entries of ``tags`` in every cache (everything for ``EVERYTHING``)."""
        tags = set(tags)
        with self.lock:
            self.generation += 1
            for cache in self.caches.values():
                if EVERYTHING in tags:
                    cache.clear()
                else:
                    cache.drop(tags)

    def reset(self, *, connected: bool) -> None:
        """Connected or not, from now on: empty every cache either way."""
        with self.lock:
            self.connected = connected
            self.generation += 1
            for cache in self.caches.values():
                cache.clear()

    def _heard(self, data: bytes) -> None:
        try:
            tags = json.loads(data)
        except ValueError:
            tags = None
        if not isinstance(tags, list):
            # Not knowing what it drops, drop everything rather than keep what it may have named.
            log.warning("unreadable cache invalidation message: caches emptied")
            tags = [EVERYTHING]
        self.apply(str(t) for t in tags)

    def _state(self, connected: bool) -> None:
        """Subscribed (again): what was published while away is unknown, so start empty. Lost:
        serve nothing until subscribed again."""
        self.reset(connected=connected)


_LISTENERS: weakref.WeakSet[_Listener] = weakref.WeakSet()


def listener(app: Flask | None = None) -> _Listener:
    """The listener of ``app`` (default: the current app), made and started on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found: _Listener | None = app.extensions.get("xjy_invalidation")
    if found is None:
        found = app.extensions.setdefault("xjy_invalidation", _Listener(app))
        _LISTENERS.add(found)
    found.ensure_started()
    return found


def cache(name: str, seconds: float) -> LocalCache:
    """The current app's cache called ``name`` (made on first use, entries living ``seconds``)."""
    owner = listener()
    found = owner.caches.get(name)
    if found is None:
        with owner.lock:
            found = owner.caches.setdefault(name, LocalCache(owner, seconds))
    return found


def listening(app: Flask) -> bool:
    """Whether ``app`` hears invalidations now (its caches serve nothing otherwise)."""
    return listener(app).connected


def drop_listener(app: Flask) -> None:
    """Stop and forget ``app``'s listener (an app that is thrown away, as tests do)."""
    found: _Listener | None = app.extensions.pop("xjy_invalidation", None)
    if found is not None:
        found.stop()
        found.reset(connected=False)


def _forked() -> None:
    """A forked child has no connection (``pubsub`` starts one on next use): it must not serve
    what its parent held."""
    for each in list(_LISTENERS):
        each.lock = threading.Lock()
        each.reset(connected=False)


os.register_at_fork(after_in_child=_forked)


def announce(session: Session, tags: Iterable[str], *, then: Callable[[], object] | None = None) -> None:
    """Drop ``tags`` everywhere once ``session``'s transaction commits (nothing if it rolls back);
    ``then`` runs after the commit too, before the tags are published (say, to delete a shared
    cache's copy that a reader may have written again from the not yet committed database)."""
    pending: set[str] = session.info.setdefault(_PENDING, set())
    pending.update(str(t) for t in tags)
    if then is not None:
        session.info.setdefault(_AFTER, []).append(then)
    kind = type(session)
    if not event.contains(kind, "after_commit", _published):
        event.listen(kind, "after_commit", _published)
        event.listen(kind, "after_rollback", _discarded)


def _published(session: Session) -> None:
    tags = session.info.pop(_PENDING, None)
    for then in session.info.pop(_AFTER, []):
        try:
            then()
        except (RedisError, RuntimeError) as exc:
            log.warning("after-commit invalidation failed (%s)", type(exc).__name__)
    if not tags:
        return
    found: _Listener | None = current_app.extensions.get("xjy_invalidation")
    if found is not None:
        found.apply(tags)  # this process at once: its next read must not see the old value
    try:
        redis_store.client.publish(CHANNEL, json.dumps(sorted(tags)))
    except (RedisError, RuntimeError) as exc:
        # Other processes drop the entries when their lifetime ends (a few seconds); a process that
        # cannot reach Redis either holds nothing. Not a warning: `make run` seeds before its Redis.
        log.info("cache invalidation not published (%s)", type(exc).__name__)


def _discarded(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_AFTER, None)
