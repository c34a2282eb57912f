"""Organisations outside the demo: the CSV import (per-row report, dry run, re-runs) and a province
admin's add and rename, every change audited."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from models.accounts import AdminPost, Role
from models.audit import AuditEvent
from models.base import db
from models.organisations import Organisation
from models.reference_data import make_credit_code
from tests.factories import login, make_account

CITY = make_credit_code(9001, "430100")  # 长沙市 (fictional, checksum-valid)
COUNTY = make_credit_code(9002, "430102")  # 芙蓉区, under CITY
OTHER = make_credit_code(9003, "430200")


def bad_check(code: str) -> str:
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


def write_csv(tmp_path, rows, name="orgs.csv") -> str:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "short_name", "credit_code", "region_code", "parent_credit_code"])
        writer.writerows(rows)
    return str(path)


def run_import(app, path, *extra):
    result = app.test_cli_runner().invoke(args=["orgs", "import", path, *extra])
    report = list(csv.DictReader(io.StringIO(result.stdout)))
    return result, {int(row["line"]): row for row in report}


GOOD = [
    ["长沙市测试局", "市测试局", CITY, "430100", ""],
    ["长沙市芙蓉区测试局", "芙蓉区测试局", COUNTY, "430102", CITY],
]


def test_import_creates_with_parents_and_reports_each_row(app, tmp_path):
    rows = [
        *GOOD,
        ["校验位错", "", bad_check(OTHER), "430200", ""],
        ["外省单位", "", OTHER, "440100", ""],
        ["撤销区划", "", OTHER, "430120", ""],
        ["上级不明", "", OTHER, "430200", make_credit_code(9999, "430200")],
        ["上级不含本区划", "", OTHER, "430200", CITY],
        ["", "", OTHER, "430200", ""],
    ]
    result, report = run_import(app, write_csv(tmp_path, rows))
    assert result.exit_code == 0, result.output
    assert [(report[n]["outcome"], report[n]["reason"]) for n in range(2, 10)] == [
        ("created", ""),
        ("created", ""),
        ("skipped", "credit_code_checksum"),
        ("skipped", "region_outside_province"),
        ("skipped", "region_unknown"),
        ("skipped", "parent_unknown"),
        ("skipped", "parent_outside_region"),
        ("skipped", "name_missing"),
    ]
    assert "新建 2 个" in result.stderr and "跳过 6 行" in result.stderr
    with app.app_context():
        county = db.session.scalar(select(Organisation).where(Organisation.credit_code == COUNTY))
        city = db.session.scalar(select(Organisation).where(Organisation.credit_code == CITY))
        assert (county.parent_id, county.region_code, county.short_name) == (
            city.id,
            "430102",
            "芙蓉区测试局",
        )
        assert db.session.scalar(select(Organisation.id).where(Organisation.credit_code == OTHER)) is None


def test_a_rerun_changes_nothing_and_an_edit_updates(app, tmp_path):
    path = write_csv(tmp_path, GOOD)
    run_import(app, path)
    events = last_event_id(app)
    result, report = run_import(app, path)
    assert [r["outcome"] for r in report.values()] == ["unchanged", "unchanged"]
    assert last_event_id(app) == events
    renamed = [["长沙市测试管理局", "市测试局", CITY, "430100", ""], GOOD[1]]
    result, report = run_import(app, write_csv(tmp_path, renamed, "v2.csv"))
    assert (report[2]["outcome"], report[2]["reason"]) == ("updated", "name")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event.action == "organisation.update"
        assert event.detail["changes"] == {"name": ["长沙市测试局", "长沙市测试管理局"]}


def test_a_dry_run_reports_but_writes_nothing(app, tmp_path):
    result, report = run_import(app, write_csv(tmp_path, GOOD), "--dry-run")
    assert [r["outcome"] for r in report.values()] == ["created", "created"]  # the parent row counts
    assert "试运行(未写入)" in result.stderr
    with app.app_context():
        assert db.session.scalar(select(Organisation.id).where(Organisation.credit_code == CITY)) is None


def test_unknown_columns_are_refused(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("name,credit_code,email\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["orgs", "import", str(path)])
    assert result.exit_code != 0 and "email" in result.output


def test_a_region_change_is_refused_once_accounts_sit_in_it(app, tmp_path):
    run_import(app, write_csv(tmp_path, GOOD[:1]))
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.credit_code == CITY))
        org.code = "test-city-bureau"  # the factory finds organisations by code
        db.session.commit()
        make_account(org_code="test-city-bureau")
        org.code = None
        db.session.commit()
    moved = [["长沙市测试局", "市测试局", CITY, "430102", ""]]
    _, report = run_import(app, write_csv(tmp_path, moved, "moved.csv"))
    assert (report[2]["outcome"], report[2]["reason"]) == ("skipped", "region_change_has_accounts")


# --- the province admin's API ---------------------------------------------------------------------


@pytest.fixture
def province_admin(app, client):
    with app.app_context():
        make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.FGW, org_code="drc", username="fgw")
    return login(client, "fgw")


def last_event_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


def test_a_province_admin_adds_and_renames_one_organisation(app, client, province_admin):
    before = last_event_id(app)
    body = {
        "name": "长沙市测试局",
        "short_name": "市测试局",
        "credit_code": CITY.lower(),
        "region_code": "430100",
    }
    created = client.post("/api/v1/admin/organisations", json=body, headers=province_admin)
    assert created.status_code == 201, created.get_json()
    org = created.get_json()
    assert (org["credit_code"], org["region_name"], org["parent_id"]) == (CITY, "长沙市", None)
    again = client.post("/api/v1/admin/organisations", json=body, headers=province_admin)
    assert (again.status_code, again.get_json()["reason"]) == (409, "organisation_exists")
    renamed = client.patch(
        f"/api/v1/admin/organisations/{org['id']}", json={"name": "长沙市测试管理局"}, headers=province_admin
    )
    assert renamed.status_code == 200 and renamed.get_json()["short_name"] == "市测试局"
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor)
            .where(AuditEvent.id > before, AuditEvent.target_type == "organisation")
            .order_by(AuditEvent.id)
        ).all()
        assert actions == [("organisation.create", "fgw"), ("organisation.update", "fgw")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"credit_code": bad_check(CITY)}, "credit_code_checksum"),
        ({"credit_code": "*" + CITY[1:]}, "credit_code_invalid"),
        ({"region_code": "440100"}, "region_outside_province"),
        ({"region_code": "430199"}, "region_unknown"),
    ],
)
def test_the_api_refuses_what_the_import_refuses(client, province_admin, body, reason):
    form = {"name": "长沙市测试局", "credit_code": CITY, "region_code": "430100", **body}
    response = client.post("/api/v1/admin/organisations", json=form, headers=province_admin)
    assert (response.status_code, response.get_json()["reason"]) == (422, reason)


def test_a_city_admin_cannot_add_organisations(app, client):
    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="cs1")
    headers = login(client, "cs1")
    form = {"name": "长沙市测试局", "credit_code": CITY, "region_code": "430100"}
    assert client.post("/api/v1/admin/organisations", json=form, headers=headers).status_code == 403
