"""Operator commands: ``flask seed``, ``flask accounts create`` / ``import-legacy``, ``flask sms outbox``,
``flask audit verify`` and ``flask worker``. Output for people is in Chinese."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from models.accounts import LIVE_STATUSES, Account, AccountStatus, AdminPost, Role
from models.base import db
from models.organisations import Organisation
from models.regions import Region
from models.sms import SmsOutboxMessage
from service import audit
from service.accounts.city_admins import live_city_admins
from service.platform.errors import ServiceError
from service.reference import seed

accounts_cli = AppGroup("accounts", help="账号管理")
sms_cli = AppGroup("sms", help="短信")
audit_cli = AppGroup("audit", help="审计日志")


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


def _province_admin_org(post: AdminPost) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == post.organisation_code))


def _check_admin_slot(role: Role, region: Region, post: AdminPost | None) -> None:
    if role is Role.PROVINCE_ADMIN:
        if post is None:
            raise click.UsageError("省级管理员须用 --post fgw|gongaiban 指定岗位")
        taken = select(Account.id).where(
            Account.role == role, Account.admin_post == post, Account.status.in_(LIVE_STATUSES)
        )
        if db.session.scalar(taken.limit(1)):
            raise click.ClickException(f"岗位 {post.value} 已有省级管理员")
    if role is Role.CITY_ADMIN:
        if region.level != "city":
            raise click.UsageError("市州管理员的 --region 须为市州代码, 如 430100")
        quota = current_app.config["CITY_ADMIN_QUOTA"]
        if live_city_admins(region.code) >= quota:
            raise click.ClickException(f"{region.name} 的市州管理员已达上限 {quota} 个")


@accounts_cli.command("create")
@click.option("--role", required=True, type=click.Choice(["province_admin", "city_admin", "support"]))
@click.option("--region", "region_code", required=True, help="行政区划代码: 省级 430000, 市州如 430100")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--post", type=click.Choice(["fgw", "gongaiban"]), help="省级管理员岗位")
@click.option("--phone", default=None)
@click.option("--real-name", default=None)
@click.option("--id-number", default=None)
def create_account(role, region_code, username, password, post, phone, real_name, id_number) -> None:
    """创建管理员或运维客服账号, 打印新账号的 id。"""
    from service.accounts.registration import build_account
    from service.auth.passwords import check_new_password

    region = db.session.get(Region, region_code)
    if region is None:
        raise click.UsageError(f"行政区划 {region_code} 不存在(请先执行 flask seed)")
    role_enum, post_enum = Role(role), AdminPost(post) if post else None
    _check_admin_slot(role_enum, region, post_enum)
    try:
        check_new_password(password, username=username)
        account = build_account(
            username=username,
            password=password,
            phone=phone,
            real_name=real_name,
            id_number=id_number,
            role=role_enum,
            status=AccountStatus.ACTIVE,
            organisation=_province_admin_org(post_enum) if post_enum else None,
            admin_post=post_enum,
            admin_region_code=region.code if role_enum is Role.CITY_ADMIN else None,
        )
        db.session.flush()
        audit.record("account.create", target_type="account", target_id=account.id, actor="cli",
                     detail={"role": role, "region": region.code})  # fmt: skip
        db.session.commit()
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(account.id)


@accounts_cli.command("import-legacy")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="只检查并报告, 不写入数据库")
@click.option("--batch", default=500, show_default=True, help="每多少行提交一次")
def import_legacy(csv_file, dry_run: bool, batch: int) -> None:
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
    import csv
    import sys

    from service.accounts.legacy_import import COLUMNS, import_accounts

    reader = csv.DictReader(csv_file)
    unknown = sorted(set(reader.fieldnames or ()) - set(COLUMNS))
    if not reader.fieldnames or "username" not in reader.fieldnames or unknown:
        raise click.UsageError(
            f"CSV 列名须为 {','.join(COLUMNS)} 中的列" + (f", 未知列: {unknown}" if unknown else "")
        )
    rows = list(reader)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "username", "outcome", "reason", "account_id"])
    with click.progressbar(length=len(rows), label="导入原有账号", file=sys.stderr) as bar:

        def report(result) -> None:
            writer.writerow(
                [result.line, result.username, result.outcome, result.reason or "", result.account_id or ""]
            )
            bar.update(1)

        results = import_accounts(rows, dry_run=dry_run, batch=batch, on_row=report)
    created = sum(r.outcome == "created" for r in results)
    prefix = "试运行(未写入): " if dry_run else ""
    click.echo(f"{prefix}共 {len(results)} 行, 新建 {created} 个, 跳过 {len(results) - created} 行", err=True)


@sms_cli.command("outbox")
@click.option("--phone", required=True)
@click.option("--limit", default=10, show_default=True)
def sms_outbox(phone: str, limit: int) -> None:
    """打印发往某手机号的短信(最新的在前), 仅 outbox 方式有效。"""
    query = (
        select(SmsOutboxMessage)
        .where(SmsOutboxMessage.phone == phone)
        .order_by(SmsOutboxMessage.id.desc())
        .limit(limit)
    )
    for message in db.session.scalars(query):
        click.echo(f"{message.sent_at:%Y-%m-%d %H:%M:%S}  [{message.purpose}]  {message.text}")


@audit_cli.command("verify")
def audit_verify() -> None:
    """校验审计日志的哈希链; 链条断裂时以非零状态退出。"""
    checked, broken = audit.verify_chain()
    if broken is not None:
        raise click.ClickException(f"审计日志在第 {broken} 条事件处被篡改或缺失(此前 {checked} 条完好)")
    click.echo(f"审计日志完好: 共 {checked} 条事件")


def init_app(app: Flask) -> None:
    from service.cli.verifications import verifications_cli
    from service.cli.worker import worker_command

    app.cli.add_command(seed_command)
    app.cli.add_command(accounts_cli)
    app.cli.add_command(sms_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(verifications_cli)
