"""``flask worker``: an RQ worker that loads the heavy engines once, before it forks per job."""

from __future__ import annotations

import click
from flask import current_app
from rq import Worker
from rq.serializers import JSONSerializer

from service.extensions import redis_store

QUEUES = ("verification",)


@click.command("worker")
@click.option("--burst", is_flag=True, help="处理完队列中的任务后退出")
def worker_command(burst: bool) -> None:
    """启动后台任务进程(实名实人认证等)。"""
    connection = redis_store.client
    worker = Worker(list(QUEUES), connection=connection, serializer=JSONSerializer)
    click.echo(f"后台任务进程已启动, 队列: {', '.join(QUEUES)}, Redis: {current_app.config['REDIS_URL']}")
    worker.work(burst=burst, with_scheduler=False)
