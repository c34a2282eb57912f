"""Reference data (regions, matter catalogue, provincial departments) and the demo province.

Both loaders are idempotent: they insert what is missing and leave existing rows alone, so they
run safely on every start.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from idverify.divisions import children, load_divisions
from idverify.idnumber import check_digit
from models import reference_data as ref
from models.accounts import Account, AccountStatus, AdminPost, Role, VerificationStatus
from models.base import db
from models.matters import Matter, ProjectType, Stage
from models.organisations import Organisation
from models.regions import Region


def seed_regions(province_code: str = "430000") -> int:
    """The province, its cities and their current counties, from GB/T 2260."""
    table = load_divisions()
    rows = [Region(code=province_code, name=table[province_code].name, level="province", parent_code=None)]
    for city in children(province_code):
        rows.append(Region(code=city.code, name=city.name, level="city", parent_code=province_code))
        for county in children(city.code):
            rows.append(Region(code=county.code, name=county.name, level="county", parent_code=city.code))
    existing = set(db.session.scalars(select(Region.code)))
    added = [row for row in rows if row.code not in existing]
    db.session.add_all(added)
    db.session.flush()
    return len(added)


def seed_catalogue() -> int:
    """Project types, stages and matters (models.reference_data)."""
    added = 0
    types = {t.code: t for t in db.session.scalars(select(ProjectType))}
    for code, name in ref.PROJECT_TYPES:
        if code not in types:
            types[code] = ProjectType(code=code, name=name)
            db.session.add(types[code])
            added += 1
    stages = set(db.session.scalars(select(Stage.code)))
    for code, name, order in ref.STAGES:
        if code not in stages:
            db.session.add(Stage(code=code, name=name, position=order))
            added += 1
    db.session.flush()
    matters = set(db.session.scalars(select(Matter.code)))
    for m in ref.MATTERS:
        if m.code not in matters:
            department = ref.PROVINCIAL_DEPARTMENTS_BY_CODE.get(m.department)
            db.session.add(
                Matter(
                    code=m.code,
                    name=m.name,
                    stage_code=m.stage,
                    department=department["short_name"] if department else m.department,
                    project_types=[types[t] for t in m.project_types],
                )
            )
            added += 1
    db.session.flush()
    return added


def _add_departments(departments: list[ref.Department]) -> int:
    existing = set(db.session.scalars(select(Organisation.credit_code)))
    added = 0
    for d in departments:
        if d["credit_code"] not in existing:
            db.session.add(
                Organisation(
                    code=d["code"],
                    credit_code=d["credit_code"],
                    name=d["name"],
                    short_name=d["short_name"],
                    region_code=d["region_code"],
                )
            )
            added += 1
    db.session.flush()
    return added


def seed_reference() -> dict[str, int]:
    """Everything a production install needs before its first registration. Caller commits."""
    return {
        "regions": seed_regions(),
        "catalogue": seed_catalogue(),
        "provincial_departments": _add_departments(list(ref.PROVINCIAL_DEPARTMENTS)),
    }


def seed_demo_organisations() -> int:
    """Fictional departments (fictional credit codes) for every city and county: demo and tests only."""
    added = 0
    for city in db.session.scalars(select(Region).where(Region.level == "city").order_by(Region.code)):
        added += _add_departments(ref.city_departments(city.code, city.name))
        counties = db.session.scalars(
            select(Region).where(Region.parent_code == city.code).order_by(Region.code)
        )
        for county in counties:
            added += _add_departments(ref.county_departments(county.code, county.name, city.name))
    return added


def fictional_id_number(seq: int, birth: dt.date = dt.date(1985, 6, 15), male: bool = True) -> str:
    """A checksum-valid ID number that cannot belong to anyone: its division code 430120
    (长沙市市区) was abolished in 1983, before any 18-digit number was issued."""
    order = (seq % 500) * 2 + (1 if male else 0)
    first17 = f"430120{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


@dataclass(frozen=True)
class DemoCredential:
    username: str
    password: str
    role: str
    scope: str


def seed_demo_admins(cities: tuple[str, ...] = ("430100", "430200")) -> list[DemoCredential]:
    """Both province admins, two city admins for each of ``cities`` and one support account (all
    fictional and marked verified: demo only); returns the new credentials."""
    from service.accounts.registration import build_account
    from service.verification.lifecycle import set_account_verification

    # (username, role, post, admin region code, scope)
    wanted: list[tuple[str, Role, AdminPost | None, str | None, str]] = [
        ("gaiban_admin", Role.PROVINCE_ADMIN, AdminPost.GONGAIBAN, None, "省工改办"),
        ("fgw_admin", Role.PROVINCE_ADMIN, AdminPost.FGW, None, "省发展改革委"),
    ]
    for city in cities:
        region = db.session.get(Region, city)
        if region is None:
            raise LookupError(f"region {city} is not in the reference data (run seed_reference first)")
        name = region.name
        wanted += [
            (f"admin{city}a", Role.CITY_ADMIN, None, city, name),
            (f"admin{city}b", Role.CITY_ADMIN, None, city, name),
        ]
    # The demo's 运维客服 account, so every console page can be tried (demo only, like the admins).
    wanted.append(("support_demo", Role.SUPPORT, None, None, "运维客服(演示)"))
    made: list[DemoCredential] = []
    for i, (username, role, post, region_code, scope) in enumerate(wanted):
        if db.session.scalar(select(Account.id).where(Account.username == username)):
            continue
        password = secrets.token_urlsafe(9)
        organisation = None
        if post is not None:
            organisation = db.session.scalar(
                select(Organisation).where(Organisation.code == post.organisation_code)
            )
        account = build_account(
            username=username,
            password=password,
            phone=f"1990000{i:04d}",
            real_name="演示客服" if role is Role.SUPPORT else "演示管理员",
            id_number=fictional_id_number(900 + i),
            role=role,
            status=AccountStatus.ACTIVE,
            organisation=organisation,
            admin_post=post,
            admin_region_code=region_code,
        )
        # A demo only: these fictional admins are marked real-person verified so that they pass the
        # login gate at once (real admins, created by `flask accounts create`, verify in the app).
        set_account_verification(account, VerificationStatus.REAL_PERSON)
        made.append(DemoCredential(username, password, role.value, scope))
    db.session.flush()
    return made
