"""The lease a running attempt holds: the database, not Redis, says whether its job is alive.

A job that claims an attempt takes a lease of ``VERIFY_LEASE_SECONDS`` and renews it from a
heartbeat thread every third of that while the engine works. A job killed with its worker (SIGKILL,
out of memory, the machine gone) stops renewing, and once the lease has run out the sweeper takes
the attempt back whatever Redis says about the job. The claim's run number (``runs``) fences the
outcome: a job that lost its lease (stopped, then woke up after the attempt was revived) finds
another run holding the attempt and writes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator

from flask import Flask, current_app
from sqlalchemy import update

from models.base import as_utc, db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt

log = logging.getLogger(__name__)
#: Rows claimed before leases existed: the job's timeout and this grace period stand in for one.
LEGACY_GRACE_SECONDS = 30


def seconds() -> float:
    return float(current_app.config["VERIFY_LEASE_SECONDS"])


def grant(attempt: VerificationAttempt) -> None:
    """Give a just-claimed attempt a fresh lease (the caller commits)."""
    attempt.lease_expires_at = utcnow() + dt.timedelta(seconds=seconds())


def expired(attempt: VerificationAttempt, now: dt.datetime) -> bool:
    """Whether a running attempt's job has stopped renewing its lease."""
    if attempt.lease_expires_at is not None:
        return as_utc(attempt.lease_expires_at) <= now
    if attempt.started_at is None:
        return True
    legacy = current_app.config["VERIFY_JOB_TIMEOUT"] + LEGACY_GRACE_SECONDS
    return as_utc(attempt.started_at) + dt.timedelta(seconds=legacy) <= now


def renew(attempt_id: int, run: int, *, for_seconds: float | None = None) -> bool:
    """Push the lease of ``run`` forward (by ``for_seconds``, default the lease's length; 0 gives it up
    now); False when the attempt is no longer that run's."""
    length = seconds() if for_seconds is None else for_seconds
    result = db.session.execute(
        update(VerificationAttempt)
        .where(
            VerificationAttempt.id == attempt_id,
            VerificationAttempt.runs == run,
            VerificationAttempt.status == AttemptStatus.RUNNING,
        )
        .values(lease_expires_at=utcnow() + dt.timedelta(seconds=length))
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


@contextlib.contextmanager
def heartbeat(app: Flask, attempt_id: int, run: int) -> Iterator[None]:
    """Renew the lease of ``run`` every third of its length until the block ends."""
    stop = threading.Event()
    interval = float(app.config["VERIFY_LEASE_SECONDS"]) / 3

    def beat() -> None:
        with app.app_context():
            while not stop.wait(interval):
                try:
                    if not renew(attempt_id, run):
                        return  # revived by the sweeper or finished: nothing left to hold
                except Exception:  # noqa: BLE001 (a database blip: the next beat tries again)
                    log.warning("lease of verification %s not renewed", attempt_id, exc_info=True)
                    db.session.rollback()
                finally:
                    db.session.remove()

    thread = threading.Thread(target=beat, name=f"lease-{attempt_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)
