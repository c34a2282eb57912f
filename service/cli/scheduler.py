"""``flask scheduler``: the periodic work in one small process (``make run`` and the compose file start
it), so a deployment needs no cron: webhook deliveries as soon as an event commits (woken
through Redis) and every few seconds anyway; then, each on its own interval, expiring overdue
attempts and re-queueing lost ones, the retention purge of verification images, the audit log's
signed checkpoint and the refresh of certificate revocation lists. Each step is idempotent, so
two schedulers (or a restart) do no harm."""

from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import RedisError

from models.base import db
from service.audit import checkpoint
from service.auth import certificate_login
from service.events import log
from service.hall import webhooks
from service.platform.extensions import redis_store
from service.verification import attempts, queue, storage

Step = tuple[str, str, Callable[[], object]]  # name, the config key of its interval (seconds), work


def periodic_steps() -> list[Step]:
    """The periodic work, in the order it runs when several steps are due together."""
    cfg = current_app.config
    return [
        ("expire", "SCHEDULER_SWEEP_SECONDS", attempts.expire_overdue),
        ("sweep", "SCHEDULER_SWEEP_SECONDS", lambda: queue.sweep(cfg["VERIFY_SWEEP_AFTER_SECONDS"])),
        (
            "purge",
            "SCHEDULER_PURGE_SECONDS",
            lambda: storage.purge_images(cfg["VERIFY_IMAGE_RETENTION_DAYS"]),
        ),
        ("audit-checkpoint", "SCHEDULER_AUDIT_CHECKPOINT_SECONDS", checkpoint.write_checkpoint),
        ("crl-refresh", "SCHEDULER_CRL_SECONDS", _refresh_crls),
    ]


def _refresh_crls() -> None:
    for source, outcome in certificate_login.refresh_revocation_lists().items():
        if not outcome.startswith(("updated", "unchanged")):
            click.echo(f"吊销列表 {source}: {outcome}", err=True)


@click.command("scheduler")
@with_appcontext
@click.option("--once", is_flag=True, help="各项任务只执行一次后退出")
def scheduler_command(once: bool) -> None:
    """定时任务: 推送 webhook、标记超时认证、重新排队丢失的认证、清理过期图片、审计检查点等。"""
    cfg = current_app.config
    steps = periodic_steps()
    due = {name: 0.0 for name, _, _ in steps}
    click.echo("定时任务进程已启动: webhook, " + ", ".join(due))
    while True:
        _step("webhooks", webhooks.pump)
        for name, interval, work in steps:
            now = time.monotonic()
            if now >= due[name]:
                _step(name, work)
                due[name] = now + cfg[interval]
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
    except checkpoint.CheckpointError as exc:  # an alarm, not an outage: say what is wrong
        click.echo(f"定时任务 {name} 失败: {exc.message}", err=True)
    except Exception as exc:  # noqa: BLE001 (the scheduler outlives a passing outage)
        click.echo(f"定时任务 {name} 失败: {type(exc).__name__}", err=True)
    finally:
        db.session.remove()
