"""CPU-bound work in the API process, off gevent's loop.

gunicorn's gevent workers serve every connection of a process on one thread: a greenlet that
computes for half a second (the upload pre-check reads the card's print when its pictures do not
tell the side, and loads the OCR models the first time) would stall every other connection of that
process for as long: event streams, health checks, other people's requests. Under gevent such work
runs on a native thread of the process's own pool instead; OpenCV, onnxruntime and numpy release
the GIL while they compute, so the loop keeps serving. One thread per process: the work is
CPU-bound (more threads would not finish it sooner on the cores the workers share) and the OCR
engine is then never entered by two threads at once.

Without gevent's patched sockets (the test client, the CLI, a plain thread) the work simply runs
where it is called.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_pools: dict[int, Any] = {}  # pid -> gevent ThreadPool (a forked worker makes its own)


def gevent_sockets() -> bool:
    """Whether this process runs under gevent's monkey-patching (a gunicorn gevent worker)."""
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover (a dependency; kept so the app imports without it)
        return False
    return bool(monkey.is_module_patched("socket"))


def off_the_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, on the process's native worker thread when under gevent; its exceptions propagate."""
    if not gevent_sockets():
        return fn(*args)
    pool = _pools.get(os.getpid())
    if pool is None:
        from gevent.threadpool import ThreadPool

        pool = _pools[os.getpid()] = ThreadPool(1)
    result: T = pool.apply(fn, args)
    return result
