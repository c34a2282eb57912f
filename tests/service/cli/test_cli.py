"""Operator commands: seed, accounts create, sms outbox, verifications sweep/purge."""

from __future__ import annotations

from sqlalchemy import select

from models.accounts import Account, AdminPost, Role
from models.base import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_seed_is_idempotent(app):
    result = run(app, "seed")
    assert result.exit_code == 0
    assert "新增行政区划 0 条, 事项目录 0 条" in result.output


def test_create_province_admin_prints_its_id(app):
    result = run(app, "accounts", "create", "--role", "province_admin", "--post", "fgw", "--region", "430000",
                 "--username", "fgw1", "--password", "a long enough password")  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        account = db.session.get(Account, int(result.output.strip()))
        assert (account.role, account.admin_post, account.organisation.code) == (
            Role.PROVINCE_ADMIN,
            AdminPost.FGW,
            "drc",
        )


def test_one_province_admin_per_post(app):
    args = ["accounts", "create", "--role", "province_admin", "--post", "gongaiban", "--region", "430000"]
    assert run(app, *args, "--username", "g1", "--password", "a long enough password").exit_code == 0
    second = run(app, *args, "--username", "g2", "--password", "a long enough password")
    assert second.exit_code != 0 and "已有省级管理员" in second.output


def test_city_admin_quota_from_the_command_line(app):
    args = [
        "accounts",
        "create",
        "--role",
        "city_admin",
        "--region",
        "430300",
        "--password",
        "a long enough password",
    ]
    assert run(app, *args, "--username", "xt1").exit_code == 0
    assert run(app, *args, "--username", "xt2").exit_code == 0
    third = run(app, *args, "--username", "xt3")
    assert third.exit_code != 0 and "已达上限" in third.output
    county = run(app, "accounts", "create", "--role", "city_admin", "--region", "430102", "--username", "x",
                 "--password", "a long enough password")  # fmt: skip
    assert county.exit_code != 0


def test_sms_outbox_prints_newest_first(app):
    from service.auth import sms_codes as codes

    with app.app_context():
        codes.send_code("13800001111", "register", None)
        db.session.commit()
        from service.platform.extensions import redis_store

        redis_store.client.flushdb()  # lift the 1/minute limit for the second code
        codes.send_code("13800001111", "login", None)
        db.session.commit()
    lines = run(app, "sms", "outbox", "--phone", "13800001111").output.splitlines()
    assert len(lines) == 2 and "[login]" in lines[0] and "[register]" in lines[1]


def test_created_accounts_keep_no_clear_password(app):
    run(app, "accounts", "create", "--role", "support", "--region", "430000", "--username", "kf",
        "--password", "a long enough password")  # fmt: skip
    with app.app_context():
        stored = db.session.scalar(select(Account.password_hash).where(Account.username == "kf"))
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_verification_commands_run(app):
    assert "重新排队 0 个认证" in run(app, "verifications", "sweep").output
    assert "已删除 0 次认证的图片" in run(app, "verifications", "purge").output
