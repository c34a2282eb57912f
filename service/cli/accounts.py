"""``flask accounts create|import-legacy``: staff accounts and the bulk import of existing accounts."""

from __future__ import annotations

import csv
import sys
from typing import TextIO

import click
from flask.cli import AppGroup

from models.accounts import AdminPost, Role
from service.accounts.legacy_import import COLUMNS, RowResult, import_accounts
from service.accounts.staff import StaffAccountForm, create_staff_account
from service.cli.csvfiles import read_rows
from service.platform.errors import ServiceError

accounts_cli = AppGroup("accounts", help="账号管理")


@accounts_cli.command("create")
@click.option("--role", required=True, type=click.Choice(["province_admin", "city_admin", "support"]))
@click.option("--region", "region_code", required=True, help="行政区划代码: 省级 430000, 市州如 430100")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--post", type=click.Choice(["fgw", "gongaiban"]), help="省级管理员岗位")
@click.option("--phone", default=None)
@click.option("--real-name", default=None)
@click.option("--id-number", default=None)
def create_account(
    role: str,
    region_code: str,
    username: str,
    password: str,
    post: str | None,
    phone: str | None,
    real_name: str | None,
    id_number: str | None,
) -> None:
    """创建管理员或运维客服账号, 打印新账号的 id。"""
    form = StaffAccountForm(
        role=Role(role),
        region_code=region_code,
        username=username,
        password=password,
        post=AdminPost(post) if post else None,
        phone=phone,
        real_name=real_name,
        id_number=id_number,
    )
    try:
        account = create_staff_account(form)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(account.id)


@accounts_cli.command("import-legacy")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="只检查并报告, 不写入数据库")
@click.option("--batch", default=500, show_default=True, help="每多少行提交一次")
def import_legacy(csv_file: TextIO, dry_run: bool, batch: int) -> None:
    """批量导入原有审批账号(导入后须完善信息并实名实人认证才能使用)。

    \b
    CSV (UTF-8, 首行为列名):
      username       用户名(必填)
      password_hash  原系统的密码哈希: 仅 argon2 哈希可沿用; 其他格式或留空则不导入密码,
                     该账号用手机短信验证码登录后再设置密码
      real_name      姓名
      phone          手机号
      id_number      身份证号(校验位错误或已被其他在用账号使用的行将跳过)
      credit_code    单位统一社会信用代码(必填, 须为已有单位)
      department     科室
      position       职位
      role           approver(默认) 或 city_admin(管理其单位所在市州)

    每行的结果以 CSV 输出到标准输出: line,username,outcome,reason,account_id;
    进度和汇总输出到标准错误。
    """
    rows = read_rows(csv_file, COLUMNS, "username")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "username", "outcome", "reason", "account_id"])
    with click.progressbar(length=len(rows), label="导入原有账号", file=sys.stderr) as bar:

        def report(result: RowResult) -> None:
            writer.writerow(
                [result.line, result.username, result.outcome, result.reason or "", result.account_id or ""]
            )
            bar.update(1)

        results = import_accounts(rows, dry_run=dry_run, batch=batch, on_row=report)
    created = sum(r.outcome == "created" for r in results)
    prefix = "试运行(未写入): " if dry_run else ""
    click.echo(f"{prefix}共 {len(results)} 行, 新建 {created} 个, 跳过 {len(results) - created} 行", err=True)
