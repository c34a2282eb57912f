"""The city-admin account application (附件2): submitted and processed by a province admin.

An approved "add" creates the city admin's account with a one-time initial password that the
province office hands over; the holder must change it at first login. An approved "delete"
cancels the matching city admin. Each city has at most CITY_ADMIN_QUOTA live city admins.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from models.accounts import LIVE_STATUSES, Account, AccountStatus, Role
from models.base import db, utcnow
from models.city_admins import CityAdminApplication
from models.regions import Region
from service import audit
from service.accounts import management, registration
from service.accounts.identity import SealedIdNumber, check_id_number
from service.platform.crypto import decrypt_id_number
from service.platform.errors import Conflict, InvalidInput, NotFound


def _city(code: str) -> Region:
    region = db.session.get(Region, code)
    if region is None or region.level != "city":
        raise InvalidInput("city_unknown", "所选市州不存在", errors={"city_code": ["所选市州不存在"]})
    return region


def live_city_admins(city_code: str) -> int:
    query = select(func.count(Account.id)).where(
        Account.role == Role.CITY_ADMIN,
        Account.admin_region_code == city_code,
        Account.status.in_(LIVE_STATUSES),
    )
    return db.session.scalar(query) or 0


def check_city_quota(city: Region) -> None:
    """Refuse one more city admin where the city already has CITY_ADMIN_QUOTA live ones."""
    quota = current_app.config["CITY_ADMIN_QUOTA"]
    if live_city_admins(city.code) >= quota:
        raise Conflict(
            "city_admin_quota", f"{city.name}的市州管理员账号已达上限({quota}个),请先删除原有管理员"
        )


@dataclass(frozen=True)
class CityAdminApplicationForm:
    """The seed's 附件2 form.

    市州, 单位, 经办处室, 账号使用人, 联系方式, 分管事项, 身份证号, 备注, and 新增 (add) or 删除 (delete).
    """

    city_code: str
    action: str  # "add" | "delete"
    department: str
    holder_name: str
    contact: str
    id_number: str
    office: str | None = None
    matters_in_charge: str | None = None
    username: str | None = None
    remark: str | None = None


def submit(admin: Account, form: CityAdminApplicationForm) -> CityAdminApplication:
    """Record an application (the province office decides it later)."""
    _city(form.city_code)
    number = check_id_number(form.id_number).number
    if form.action == "add" and not form.username:
        raise InvalidInput(
            "username_required", "新增管理员须填写用户名", errors={"username": ["新增管理员须填写用户名"]}
        )
    application = CityAdminApplication(
        city_code=form.city_code,
        action=form.action,
        department=form.department,
        office=form.office,
        holder_name=form.holder_name,
        contact=form.contact,
        matters_in_charge=form.matters_in_charge,
        **SealedIdNumber.of(number).columns(),
        username=form.username,
        remark=form.remark,
        submitted_by_id=admin.id,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("city_admin.apply", target_type="city_admin_application", target_id=application.id,
                 detail={"city": application.city_code, "action": application.action})  # fmt: skip
    db.session.commit()
    return application


def list_applications() -> Sequence[CityAdminApplication]:
    """Every application, newest first."""
    return db.session.scalars(select(CityAdminApplication).order_by(CityAdminApplication.id.desc())).all()


def get(application_id: int) -> CityAdminApplication:
    application = db.session.get(CityAdminApplication, application_id)
    if application is None:
        raise NotFound()
    return application


def decide(
    admin: Account, application_id: int, decision: str, reason: str | None
) -> tuple[CityAdminApplication, str | None]:
    """Returns the application and, for an approved add, the initial password (shown once)."""
    application = get(application_id)
    if application.status != "pending":
        raise Conflict("review_already_decided", "该申请已审核,不能重复审核")
    if decision == "reject" and not (reason and reason.strip()):
        raise InvalidInput("reason_required", "驳回时须填写理由", errors={"reason": ["驳回时须填写理由"]})
    password = None
    if decision == "approve":
        if application.action == "add":
            account, password = _add(application)
        else:
            account = _delete(application)
        application.account_id = account.id
    application.status = "approved" if decision == "approve" else "rejected"
    application.reviewer_id = admin.id
    application.decision_reason = reason
    application.decided_at = utcnow()
    audit.record(f"city_admin.{decision}", target_type="city_admin_application", target_id=application.id,
                 detail={"city": application.city_code, "action": application.action, "reason": reason,
                         "account_id": application.account_id})  # fmt: skip
    db.session.commit()
    return application, password


def _add(application: CityAdminApplication) -> tuple[Account, str]:
    check_city_quota(_city(application.city_code))
    password = secrets.token_urlsafe(12)
    account = registration.build_account(
        username=application.username or "",
        password=password,
        phone=application.contact,
        real_name=application.holder_name,
        id_number=decrypt_id_number(application.id_number_enc),
        role=Role.CITY_ADMIN,
        status=AccountStatus.ACTIVE,
        department=application.department,
        position=application.office,
        admin_region_code=application.city_code,
    )
    account.must_change_password = True
    db.session.flush()
    return account, password


def _delete(application: CityAdminApplication) -> Account:
    query = select(Account).where(
        Account.role == Role.CITY_ADMIN,
        Account.admin_region_code == application.city_code,
        Account.id_number_hash == application.id_number_hash,
        Account.status.in_(LIVE_STATUSES),
    )
    account = db.session.scalar(query)
    if account is None:
        raise Conflict("city_admin_not_found", "未找到该市州的对应管理员账号")
    management.cancel(account)
    return account
