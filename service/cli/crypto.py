"""``flask crypto reencrypt``: after a key rotation or a switch of algorithm (e.g. to SM4-GCM and
HMAC-SM3), reseal what is stored under the current keys."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.accounts import identity
from service.cli.progress import Progress
from service.hall import webhooks
from service.platform import rekey
from service.platform.crypto import keyring
from service.verification import storage

crypto_cli = AppGroup("crypto", help="数据加密密钥(国密 SM4/SM3 或 AES/SHA-256)")


def reseal_targets() -> list[rekey.Target]:
    """Every sealed column the service keeps, by table."""
    return [*identity.reseal_targets(), *storage.reseal_targets(), *webhooks.reseal_targets()]


@crypto_cli.command("reencrypt")
@click.option("--batch", type=click.IntRange(1, 10_000), default=200, show_default=True, help="每批行数")
def reencrypt_command(batch: int) -> None:
    """用当前密钥版本重新加密已存数据并重算查询哈希(可中断后重跑, 已是当前版本的不再处理)。"""
    ring = keyring()
    data_cipher, lookup_mac = ring.data[ring.data_version][0], ring.lookup[ring.lookup_version][0]
    click.echo(f"当前数据密钥版本 {ring.data_version} ({data_cipher})")
    click.echo(f"当前查询哈希密钥版本 {ring.lookup_version} ({lookup_mac})")
    progress = Progress()
    for target in reseal_targets():
        changed = rekey.reseal_target(target, batch=batch, progress=progress)
        click.echo(f"{target.name}: 重新加密 {changed} 行")
