"""``flask scheduler``: the periodic work in one small process (``make run`` and the compose file start
it): webhook deliveries as soon as an event commits (woken through Redis) and every few seconds
anyway; expiring overdue attempts and re-queueing lost ones every minute. Each step is idempotent, so
two schedulers (or a restart) do no harm."""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from models.base import db
from service.events import log
from service.hall import webhooks
from service.platform.extensions import redis_store
from service.verification import attempts, queue


@click.command("scheduler")
@with_appcontext
@click.option("--once", is_flag=True, help="各项任务只执行一次后退出")
def scheduler_command(once: bool) -> None:
    """定时任务: 推送 webhook、标记超时认证、重新排队丢失的认证。"""
    cfg = current_app.config
    next_sweep = 0.0
    click.echo("定时任务进程已启动")
    while True:
        now = time.monotonic()
        _step("webhooks", webhooks.pump)
        if now >= next_sweep:
            _step("expire", attempts.expire_overdue)
            _step("sweep", lambda: queue.sweep(cfg["VERIFY_SWEEP_AFTER_SECONDS"]))
            next_sweep = now + cfg["SCHEDULER_SWEEP_SECONDS"]
        if once:
            return
        wait_for_events(cfg["SCHEDULER_WEBHOOK_SECONDS"])


def wait_for_events(seconds: float) -> None:
    """Wait until the next tick, or less: until a transaction with events commits (``log.NUDGE_KEY``)."""
    try:
        client = redis_store.client
        # Within the client's 5 s socket timeout: a longer tick is cut short (a pump more does no harm).
        if client.blpop([log.NUDGE_KEY], timeout=min(seconds, 4)):
            client.delete(log.NUDGE_KEY)  # the pump that follows sees every commit nudged before this
    except RedisError:
        time.sleep(seconds)


def _step(name: str, work: Callable[[], object]) -> None:
    """Run one step; a failure (database or Redis away) is reported and retried on the next tick."""
    try:
        work()
    except Exception as exc:  # noqa: BLE001 (the scheduler outlives a passing outage)
        click.echo(f"定时任务 {name} 失败: {type(exc).__name__}", err=True)
    finally:
        db.session.remove()
