"""``flask worker``: an RQ worker that loads the heavy engines once, before it forks per job."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker
from rq.serializers import JSONSerializer

from service.hall.webhooks import WEBHOOK_QUEUE
from service.platform.extensions import redis_store
from service.platform.jobcontext import set_app
from service.verification import queue
from service.verification.queue import VERIFICATION_QUEUE


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def worker_command(burst: bool) -> None:
    """启动后台任务进程(实名实人认证等)。"""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    set_app(app)  # forked jobs inherit this app, its engine and its connection pool settings
    if app.config["WORKER_WARM_UP"]:
        from idverify.pipeline import warm_up

        click.echo("正在加载 OCR 与人脸模型……")
        warm_up()
    _wait_for_redis()
    revived = queue.sweep(0)
    if revived:
        click.echo(f"重新排队 {len(revived)} 个丢失任务的认证: {revived}")
    queues = [VERIFICATION_QUEUE, WEBHOOK_QUEUE]
    # Registries cleaned every minute (rq's default: ten), so a job abandoned by a killed worker is
    # marked failed in Redis soon; nothing waits for that: verification attempts and webhook runs each
    # hold a lease in the database, and the scheduler takes them back once it has run out.
    worker = Worker(
        queues,
        connection=redis_store.client,
        serializer=JSONSerializer,
        maintenance_interval=60,
        worker_ttl=queue.WORKER_TTL_SECONDS,  # an idle worker's heart beats every 45 s: /readyz sees it
    )
    worker.max_connection_wait_time = 5  # back within seconds of Redis's return (rq's default: a minute)
    models_key = queue.MODELS_KEY.format(name=worker.name)
    if app.config["WORKER_WARM_UP"]:
        redis_store.client.set(models_key, "1")  # /readyz: this worker's engines are loaded
    click.echo(f"后台任务进程已启动, 队列: {', '.join(queues)}")
    try:
        # The scheduler runs the retries rq schedules with an interval.
        worker.work(burst=burst, with_scheduler=True)
    finally:
        redis_store.client.delete(models_key)


def _wait_for_redis() -> None:
    """Started (or restarted by the supervisor) while Redis is away: wait for it instead of dying."""
    told = False
    while True:
        try:
            redis_store.client.ping()
            return
        except (RedisConnectionError, RedisTimeoutError):
            if not told:
                click.echo("等待 Redis 恢复……", err=True)
                told = True
            time.sleep(0.5)
