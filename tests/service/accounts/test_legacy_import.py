"""``flask accounts import-legacy``: existing accounts in bulk, a per-row report, a dry run; the
imported accounts meet the login gate."""

from __future__ import annotations

import csv
import io

from argon2 import PasswordHasher
from sqlalchemy import func, select

from models.accounts import Account, Role
from models.base import db
from service.reference.seed import fictional_id_number
from tests.factories import PASSWORD, make_account, org, password_login

HEADER = "username,password_hash,real_name,phone,id_number,credit_code,department,position,role\n"


def write(tmp_path, lines, app):
    with app.app_context():
        housing = org("430102-housing").credit_code
    path = tmp_path / "legacy.csv"
    path.write_text(HEADER + "".join(line.format(housing=housing) + "\n" for line in lines), encoding="utf-8")
    return path


def run(app, path, *extra):
    return app.test_cli_runner().invoke(args=["accounts", "import-legacy", str(path), *extra])


def report(result):
    return {row["username"]: row for row in csv.DictReader(io.StringIO(result.stdout))}


def rows(app, tmp_path):
    argon = PasswordHasher().hash(PASSWORD)
    with app.app_context():
        make_account(username="taken")
    return write(tmp_path, [
        f"szjt,\"{argon}\",张三,13911112222,{fictional_id_number(401)},{{housing}},行政审批科,科员,",
        "md5user,5f4dcc3b5aa765d61d8327deb882cf99,李四,13911113333,,{housing},审批科,科长,approver",
        "nopass,,王五,,,{housing},,,",
        f"admin1,\"{argon}\",赵六,13911114444,,{{housing}},,,city_admin",
        "taken,,重复,,,{housing},,,",
        "noorg,,无单位,,,91430000000000000X,,,",
        "badid,,错号,,430120198506150011,{housing},,,",
        ",,无名,,,{housing},,,",
        "boss,,省管,,,{housing},,,province_admin",
    ], app)  # fmt: skip


def test_import_reports_each_row(app, tmp_path):
    result = run(app, rows(app, tmp_path))
    assert result.exit_code == 0, result.output
    got = {name: (row["outcome"], row["reason"]) for name, row in report(result).items()}
    assert got == {
        "szjt": ("created", ""),
        "md5user": ("created", "password_not_imported"),
        "nopass": ("created", "no_password"),
        "admin1": ("created", ""),
        "taken": ("skipped", "username_taken"),
        "noorg": ("skipped", "organisation_unknown"),
        "badid": ("skipped", "id_number_checksum"),
        "": ("skipped", "username_missing"),
        "boss": ("skipped", "role_unsupported"),
    }
    assert "新建 4 个, 跳过 5 行" in result.stderr
    with app.app_context():
        szjt = db.session.scalar(select(Account).where(Account.username == "szjt"))
        admin = db.session.scalar(select(Account).where(Account.username == "admin1"))
        assert szjt.legacy and szjt.organisation.code == "430102-housing" and szjt.id_number_masked
        assert (admin.role, admin.admin_region_code) == (Role.CITY_ADMIN, "430100")


def test_imported_account_keeps_its_password_and_meets_the_gate(app, client, tmp_path):
    run(app, rows(app, tmp_path))
    response = password_login(client, "szjt")
    assert (response.status_code, response.get_json()["reason"]) == (403, "verification_required")


def test_dry_run_writes_nothing(app, tmp_path):
    path = rows(app, tmp_path)
    with app.app_context():
        before = db.session.scalar(select(func.count(Account.id)))
    result = run(app, path, "--dry-run")
    assert result.exit_code == 0 and "试运行" in result.stderr
    assert report(result)["szjt"]["outcome"] == "created"
    with app.app_context():
        assert db.session.scalar(select(func.count(Account.id))) == before


def test_duplicates_within_the_file_and_reruns_are_skipped(app, tmp_path):
    path = write(tmp_path, ["dup,,甲,,,{housing},,,", "dup,,乙,,,{housing},,,"], app)
    assert [r["outcome"] for r in csv.DictReader(io.StringIO(run(app, path).stdout))] == [
        "created",
        "skipped",
    ]
    assert report(run(app, path))["dup"]["reason"] == "username_taken"


def test_unknown_columns_are_refused(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("username,password\nli,secret\n", encoding="utf-8")
    result = run(app, path)
    assert result.exit_code != 0 and "password" in result.stderr


def test_accounts_create_applies_the_password_rule(app):
    args = ["accounts", "create", "--role", "support", "--region", "430000", "--username", "kf"]
    refused = app.test_cli_runner().invoke(args=[*args, "--password", "password123"])
    assert refused.exit_code != 0 and "过于常见" in refused.output
