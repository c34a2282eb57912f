"""Online registration (账号基本信息填写) and the creation of accounts by operators and imports.

Plain functions that own their unit of work; views and CLI commands call them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models.accounts import Account, AccountStatus, AdminPost, Role
from models.base import db, utcnow
from models.organisations import Organisation
from models.requests import RequestKind, ReviewRequest
from service import audit
from service.accounts.identity import SealedIdNumber, check_credit_code, check_id_number, id_number_taken
from service.accounts.status import record_review_status
from service.auth.passwords import check_new_password
from service.auth.sms_codes import check_code
from service.events import log
from service.platform.crypto import hash_password
from service.platform.errors import Conflict, InvalidInput


def _ensure_unique(username: str, sealed: SealedIdNumber | None) -> None:
    if db.session.scalar(select(Account.id).where(Account.username == username)):
        raise Conflict("username_taken", "该用户名已被使用", errors={"username": ["该用户名已被使用"]})
    if sealed is not None and id_number_taken(sealed):
        raise Conflict(
            "id_number_registered",
            "该身份证号码已有审批账号,如需变更请提交变更申请",
            errors={"id_number": ["该身份证号码已有审批账号"]},
        )


def organisation_by_id(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidInput(
            "organisation_unknown", "所选单位不存在", errors={"organisation_id": ["所选单位不存在"]}
        )
    return organisation


def build_account(
    *,
    username: str,
    password: str | None,
    phone: str | None,
    real_name: str | None,
    id_number: str | None,
    role: Role = Role.APPROVER,
    status: AccountStatus = AccountStatus.PENDING,
    organisation: Organisation | None = None,
    department: str | None = None,
    position: str | None = None,
    admin_post: AdminPost | None = None,
    admin_region_code: str | None = None,
    legacy: bool = False,
) -> Account:
    """Validate and add a new account to the session (the caller commits)."""
    sealed = SealedIdNumber.of(check_id_number(id_number).number) if id_number else None
    _ensure_unique(username, sealed)
    account = Account(
        **(sealed.columns() if sealed else {}),
        username=username,
        password_hash=hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
        phone=phone,
        real_name=real_name,
        organisation=organisation,
        department=department,
        position=position,
        role=role,
        status=status,
        admin_post=admin_post,
        admin_region_code=admin_region_code,
        legacy=legacy,
    )
    db.session.add(account)
    db.session.flush()  # the id, for the event; a clash with a live account surfaces here
    log.emit("account.status", account, status=status.value, previous=None)
    return account


@dataclass(frozen=True)
class RegistrationForm:
    """The seed's 账号基本信息填写 form, already parsed (formats checked by the API schema)."""

    phone: str
    sms_code: str
    real_name: str
    id_number: str
    credit_code: str
    organisation_id: int
    department: str
    position: str
    username: str
    password: str


def register(form: RegistrationForm) -> tuple[Account, ReviewRequest]:
    """Online registration (the seed's 账号基本信息填写): a pending account and its 'new' request.

    The SMS code is consumed after every other check passed, so a typo elsewhere does not cost
    the user a fresh code.
    """
    check_new_password(form.password, username=form.username)
    credit_code = check_credit_code(form.credit_code)
    organisation = organisation_by_id(form.organisation_id)
    if organisation.credit_code != credit_code:
        message = "统一社会信用代码与所选单位不一致"
        raise InvalidInput("credit_code_mismatch", message, errors={"credit_code": [message]})
    try:
        account = build_account(
            username=form.username,
            password=form.password,
            phone=form.phone,
            real_name=form.real_name,
            id_number=form.id_number,
            organisation=organisation,
            department=form.department,
            position=form.position,
        )
        check_code(form.phone, "register", form.sms_code)
        db.session.flush()
        request = ReviewRequest(kind=RequestKind.NEW, account_id=account.id, submitted_by_id=account.id)
        db.session.add(request)
        db.session.flush()
        record_review_status(request)
        audit.record("account.register", target_type="account", target_id=account.id, actor=account)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("account_exists", "用户名或身份证号码已被注册") from None
    return account, request
