"""``flask clients create|list|rotate|revoke``: service credentials for the web hall and other systems."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.clients import registry
from service.platform.errors import ServiceError

clients_cli = AppGroup("clients", help="服务客户端(办事大厅等系统的接入凭据)")


def _fail(exc: ServiceError) -> click.ClickException:
    return click.ClickException(exc.message)


@clients_cli.command("create")
@click.option("--name", required=True, help="客户端名称, 如 办事大厅")
@click.option("--scopes", required=True, help="逗号分隔: " + ",".join(registry.SCOPES))
@click.option("--regions", default=None, help="逗号分隔的行政区划代码, 默认全省")
def create_command(name: str, scopes: str, regions: str | None) -> None:
    """创建服务客户端, 打印 client_id 和密钥(密钥只显示这一次)。"""
    try:
        issued = registry.create_client(name, scopes.split(","), regions.split(",") if regions else None)
    except ServiceError as exc:
        raise _fail(exc) from None
    click.echo(f"client_id     {issued.client.client_id}")
    click.echo(f"client_secret {issued.secret}")
    click.echo(f"scopes        {' '.join(issued.client.scopes)}")
    click.echo(f"regions       {','.join(issued.client.regions)}")
    click.echo("请妥善保存密钥: 它不会再次显示。", err=True)


@clients_cli.command("list")
def list_command() -> None:
    """列出服务客户端(不含密钥)。"""
    for client in registry.list_clients():
        state = "已吊销" if client.revoked_at else "有效"
        used = f"{client.last_used_at:%Y-%m-%d %H:%M}" if client.last_used_at else "从未使用"
        click.echo(
            f"{client.client_id}  {client.name}  {state}  {' '.join(client.scopes)}  "
            f"{','.join(client.regions)}  最近使用 {used}"
        )


@clients_cli.command("rotate")
@click.argument("client_id")
def rotate_command(client_id: str) -> None:
    """更换密钥(旧密钥和已发的令牌立即失效), 打印新密钥。"""
    try:
        issued = registry.rotate_secret(client_id)
    except ServiceError as exc:
        raise _fail(exc) from None
    click.echo(f"client_secret {issued.secret}")


@clients_cli.command("revoke")
@click.argument("client_id")
def revoke_command(client_id: str) -> None:
    """吊销客户端及其全部令牌。"""
    try:
        registry.revoke_client(client_id)
    except ServiceError as exc:
        raise _fail(exc) from None
    click.echo(f"已吊销 {client_id}")
