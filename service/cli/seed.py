"""``flask seed``: reference data, and the demo province for the embedded product."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models.base import db
from service.reference import seed


@click.command("seed")
@with_appcontext
@click.option("--demo", is_flag=True, help="同时生成演示用的市县单位和管理员账号")
def seed_command(demo: bool) -> None:
    """载入行政区划、事项目录和省直部门(可重复执行)。"""
    counts = seed.seed_reference()
    click.echo(f"基础数据: 新增行政区划 {counts['regions']} 条, 事项目录 {counts['catalogue']} 条, "
               f"省直部门 {counts['provincial_departments']} 个")  # fmt: skip
    if demo:
        click.echo(f"演示单位: 新增 {seed.seed_demo_organisations()} 个")
        for cred in seed.seed_demo_admins():
            click.echo(
                f"演示管理员 用户名 {cred.username:<16} 密码 {cred.password:<14} {cred.role} ({cred.scope})"
            )
    db.session.commit()
