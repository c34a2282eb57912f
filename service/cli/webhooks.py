"""``flask webhooks create|list|deactivate|replay|ping``: push subscriptions of the event log."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.hall import webhooks
from service.platform.errors import ServiceError

webhooks_cli = AppGroup("webhooks", help="事件推送(webhook)订阅")


@webhooks_cli.command("create")
@click.option("--name", required=True)
@click.option("--url", required=True, help="接收地址 http(s)://...")
@click.option("--regions", default=None, help="逗号分隔的行政区划代码, 默认全省")
@click.option("--from-beginning", is_flag=True, help="从事件日志开头推送(默认只推送新事件)")
def create_command(name: str, url: str, regions: str | None, from_beginning: bool) -> None:
    """创建订阅, 打印订阅 id 和签名密钥(只显示这一次)。"""
    try:
        issued = webhooks.create(name, url, regions.split(",") if regions else None,
                                 start="beginning" if from_beginning else "now")  # fmt: skip
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"subscription_id {issued.subscription.id}")
    click.echo(f"signing_secret  {issued.secret}")


@webhooks_cli.command("list")
def list_command() -> None:
    """列出订阅及其推送进度。"""
    for sub in webhooks.list_subscriptions():
        state = "启用" if sub.active else "停用"
        failing = f" 失败自 {sub.failing_since:%Y-%m-%d %H:%M}" if sub.failing_since else ""
        click.echo(f"{sub.id}  {sub.name}  {sub.url}  {state}  已推送至事件 {sub.cursor}{failing}")


@webhooks_cli.command("deactivate")
@click.argument("subscription_id", type=int)
def deactivate_command(subscription_id: int) -> None:
    """停用订阅。"""
    webhooks.deactivate(subscription_id)
    click.echo(f"已停用 {subscription_id}")


@webhooks_cli.command("replay")
@click.argument("subscription_id", type=int)
@click.option("--after", "after_event_id", type=int, required=True, help="从此事件 id 之后重新推送")
def replay_command(subscription_id: int, after_event_id: int) -> None:
    """重新推送某个事件 id 之后的全部事件。"""
    webhooks.replay(subscription_id, after_event_id)
    click.echo(f"订阅 {subscription_id} 将从事件 {after_event_id} 之后重新推送")


@webhooks_cli.command("ping")
@click.argument("subscription_id", type=int)
def ping_command(subscription_id: int) -> None:
    """向接收地址发送一次测试推送并显示结果。"""
    delivery = webhooks.ping(subscription_id)
    click.echo(
        f"{delivery.outcome} {delivery.status_code or ''} {delivery.error or ''} {delivery.duration_ms}ms"
    )
