"""Operator commands (``flask ...``), thin over the same service functions the API calls. Output for
people is in Chinese."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from service.cli.accounts import accounts_cli
    from service.cli.audit import audit_cli
    from service.cli.clients import clients_cli
    from service.cli.crypto import crypto_cli
    from service.cli.orgs import orgs_cli
    from service.cli.scheduler import scheduler_command
    from service.cli.seed import seed_command
    from service.cli.sms import sms_cli
    from service.cli.verifications import verifications_cli
    from service.cli.webhooks import webhooks_cli
    from service.cli.worker import worker_command

    for command in (
        seed_command,
        accounts_cli,
        clients_cli,
        sms_cli,
        audit_cli,
        worker_command,
        scheduler_command,
        webhooks_cli,
        verifications_cli,
        orgs_cli,
        crypto_cli,
    ):
        app.cli.add_command(command)
