"""``flask verifications sweep|purge|migrate-images``: for cron, and for operators at a terminal."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from service.cli.progress import Progress
from service.platform import rekey
from service.verification import attempts, queue, storage
from service.verification.imagestore import STORES

verifications_cli = AppGroup("verifications", help="实名实人认证")


@verifications_cli.command("sweep")
@click.option("--after", "after_seconds", type=int, default=None, help="排队超过多少秒仍无任务即重新排队")
def sweep_command(after_seconds: int | None) -> None:
    """把数据库中已排队但队列里已丢失的认证重新排队。"""
    seconds = current_app.config["VERIFY_SWEEP_AFTER_SECONDS"] if after_seconds is None else after_seconds
    expired = attempts.expire_overdue()
    if expired:
        click.echo(f"{expired} 个认证已超过动作挑战期限, 标记为已过期")
    revived = queue.sweep(seconds)
    click.echo(f"重新排队 {len(revived)} 个认证" + (f": {revived}" if revived else ""))


@verifications_cli.command("purge")
@click.option("--days", type=int, default=None, help="保存期限(天), 默认取配置 VERIFY_IMAGE_RETENTION_DAYS")
def purge_command(days: int | None) -> None:
    """删除超过保存期限的认证图片(结果与证据记录保留)。"""
    days = current_app.config["VERIFY_IMAGE_RETENTION_DAYS"] if days is None else days
    purged = storage.purge_images(days)
    click.echo(f"已删除 {purged} 次认证的图片")


@verifications_cli.command("migrate-images")
@click.option("--to", "to", type=click.Choice(STORES), required=True, help="目标存储: db 或 s3")
@click.option("--batch", type=click.IntRange(1, 1000), default=50, show_default=True, help="每批张数")
def migrate_images_command(to: str, batch: int) -> None:
    """把认证图片(仍为加密后的密文)移到另一种存储; 进度输出到 stderr, 可中断后重跑。"""
    moved = rekey.reseal_target(storage.migrate_target(to), batch=batch, progress=Progress())
    click.echo(f"已移动 {moved} 张图片到 {to}")
