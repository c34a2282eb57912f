"""``flask orgs import``: the province's organisations from a CSV file, re-runnable."""

from __future__ import annotations

import csv
import sys
from typing import TextIO

import click
from flask.cli import AppGroup

from service.cli.csvfiles import read_rows
from service.reference.organisations import COLUMNS, RowResult, import_rows

orgs_cli = AppGroup("orgs", help="单位(审批部门)管理")


@orgs_cli.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--dry-run", is_flag=True, help="只检查并报告, 不写入数据库")
@click.option("--batch", default=500, show_default=True, help="每多少行提交一次")
def import_command(csv_file: TextIO, dry_run: bool, batch: int) -> None:
    """导入或更新单位; 以统一社会信用代码识别单位, 重复导入同一文件不会产生变化。

    \b
    CSV (UTF-8, 首行为列名):
      name                单位全称(必填)
      short_name          简称
      credit_code         统一社会信用代码(必填, 校验位须正确)
      region_code         所在行政区划代码(必填, 须为本省现行的 GB/T 2260 代码)
      parent_credit_code  上级单位的统一社会信用代码(可空; 上级须已存在或在文件中位于其前,
                          且其行政区划包含本单位的行政区划)

    每行的结果以 CSV 输出到标准输出: line,credit_code,outcome,reason,organisation_id
    (outcome: created / updated / unchanged / skipped; updated 的 reason 为改动的字段);
    进度和汇总输出到标准错误。
    """
    rows = read_rows(csv_file, COLUMNS, "credit_code")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["line", "credit_code", "outcome", "reason", "organisation_id"])
    with click.progressbar(length=len(rows), label="导入单位", file=sys.stderr) as bar:

        def report(result: RowResult) -> None:
            writer.writerow(
                [
                    result.line,
                    result.credit_code,
                    result.outcome,
                    result.reason or "",
                    result.organisation_id or "",
                ]
            )
            bar.update(1)

        results = import_rows(rows, dry_run=dry_run, batch=batch, on_row=report)
    counts = {o: sum(r.outcome == o for r in results) for o in ("created", "updated", "unchanged", "skipped")}
    prefix = "试运行(未写入): " if dry_run else ""
    click.echo(
        f"{prefix}共 {len(results)} 行, 新建 {counts['created']} 个, 更新 {counts['updated']} 个, "
        f"无变化 {counts['unchanged']} 个, 跳过 {counts['skipped']} 行",
        err=True,
    )
