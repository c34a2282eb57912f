"""``flask audit verify|checkpoint``: check the audit log's hash chain and its anchored head."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service import audit
from service.audit import checkpoint

audit_cli = AppGroup("audit", help="审计日志")


@audit_cli.command("verify")
def audit_verify() -> None:
    """校验审计日志的哈希链, 并与最近的检查点比对(发现末尾被删除); 不符时以非零状态退出。"""
    checked, broken = audit.verify_chain()
    if broken is not None:
        raise click.ClickException(f"审计日志在第 {broken} 条事件处被篡改或缺失(此前 {checked} 条完好)")
    try:
        last = checkpoint.verify_against_checkpoint()
    except checkpoint.CheckpointError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"审计日志完好: 共 {checked} 条事件")
    if checkpoint.checkpoint_path() is None:
        click.echo("未配置检查点目录(XJY_AUDIT_CHECKPOINT_DIR): 无法发现末尾事件被删除", err=True)
    elif last is None:
        click.echo("检查点目录中尚无检查点", err=True)
    else:
        click.echo(f"与检查点一致: {last.at} 记录到第 {last.event_id} 条事件")


@audit_cli.command("checkpoint")
def audit_checkpoint() -> None:
    """立即把审计日志的最新哈希写入检查点文件(定时任务每隔几分钟自动执行)。"""
    try:
        written = checkpoint.write_checkpoint()
    except checkpoint.CheckpointError as exc:
        raise click.ClickException(exc.message) from None
    if written is None:
        raise click.ClickException("未配置检查点目录(XJY_AUDIT_CHECKPOINT_DIR)或审计日志为空")
    click.echo(f"检查点: 第 {written.event_id} 条事件 {written.hash}")
