"""Admin and support accounts made by operators (``flask accounts create``): the province posts are
one account each, a city has at most CITY_ADMIN_QUOTA live city admins, support sits at the province."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models.accounts import LIVE_STATUSES, Account, AccountStatus, AdminPost, Role
from models.base import db
from models.organisations import Organisation
from models.regions import Region
from service import audit
from service.accounts.city_admins import check_city_quota
from service.accounts.registration import build_account
from service.auth.passwords import check_new_password
from service.platform.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class StaffAccountForm:
    """What an operator gives for a new admin or support account."""

    role: Role
    region_code: str
    username: str
    password: str
    post: AdminPost | None = None
    phone: str | None = None
    real_name: str | None = None
    id_number: str | None = None


def create_staff_account(form: StaffAccountForm, *, actor: str = "cli") -> Account:
    """Check the post or quota, create the active account, audit it; commits."""
    region = db.session.get(Region, form.region_code)
    if region is None:
        raise InvalidInput("region_unknown", f"行政区划 {form.region_code} 不存在(请先执行 flask seed)")
    check_admin_slot(form.role, region, form.post)
    check_new_password(form.password, username=form.username)
    account = build_account(
        username=form.username,
        password=form.password,
        phone=form.phone,
        real_name=form.real_name,
        id_number=form.id_number,
        role=form.role,
        status=AccountStatus.ACTIVE,
        organisation=_post_organisation(form.post) if form.post else None,
        admin_post=form.post,
        admin_region_code=region.code if form.role is Role.CITY_ADMIN else None,
    )
    db.session.flush()
    audit.record(
        "account.create",
        target_type="account",
        target_id=account.id,
        actor=actor,
        detail={"role": form.role.value, "region": region.code},
    )
    db.session.commit()
    return account


def check_admin_slot(role: Role, region: Region, post: AdminPost | None) -> None:
    """A province post holds one live admin; a city holds at most the quota of city admins."""
    if role is Role.PROVINCE_ADMIN:
        if post is None:
            raise InvalidInput("admin_post_required", "省级管理员须用 --post fgw|gongaiban 指定岗位")
        taken = select(Account.id).where(
            Account.role == role, Account.admin_post == post, Account.status.in_(LIVE_STATUSES)
        )
        if db.session.scalar(taken.limit(1)):
            raise Conflict("admin_post_taken", f"岗位 {post.value} 已有省级管理员")
    if role is Role.CITY_ADMIN:
        if region.level != "city":
            raise InvalidInput("city_required", "市州管理员的 --region 须为市州代码, 如 430100")
        check_city_quota(region)


def _post_organisation(post: AdminPost) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == post.organisation_code))
