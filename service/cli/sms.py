"""``flask sms outbox``: the texts the outbox backend kept instead of sending."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from service.auth.sms_senders import outbox_messages

sms_cli = AppGroup("sms", help="短信")


@sms_cli.command("outbox")
@click.option("--phone", required=True)
@click.option("--limit", default=10, show_default=True)
def sms_outbox(phone: str, limit: int) -> None:
    """打印发往某手机号的短信(最新的在前), 仅 outbox 方式有效。"""
    for message in outbox_messages(phone, limit):
        click.echo(f"{message.sent_at:%Y-%m-%d %H:%M:%S}  [{message.purpose}]  {message.text}")
