"""The decorator that puts the signed-in account on ``g`` and enforces role and scope."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import g, request

from models.accounts import Account, AccountStatus, Role
from service.auth.sessions import resolve
from service.platform.errors import Forbidden, Unauthorized

ADMIN_ROLES = (Role.PROVINCE_ADMIN, Role.CITY_ADMIN)


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    return token.strip()


def login_required(
    *roles: Role, scope: str = "full", active: bool = False, initial_password_ok: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require a session of ``scope``; with ``roles``, one of them; with ``active``, an approved account.

    A verification-scoped token only opens views declared with ``scope="verification"``. An account
    still holding the initial password it was handed (``must_change_password``) reaches only those
    views and the ones declared ``initial_password_ok`` (changing the password).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            session = resolve(_bearer_token())
            if session.scope != "full" and session.scope != scope:
                raise Forbidden("verification_required", "账号未实名,请完善信息后进行认证")
            account: Account = session.account
            if roles and account.role not in roles:
                raise Forbidden()
            if active and account.status is not AccountStatus.ACTIVE:
                raise Forbidden("account_not_active", "账号尚未审核通过")
            if account.must_change_password and scope == "full" and not initial_password_ok:
                raise Forbidden("password_change_required", "请先修改初始密码")
            g.session = session
            g.account = account
            return view(*args, **kwargs)

        # Read by the OpenAPI document (who may call each operation).
        wrapper.caller = "person"  # type: ignore[attr-defined]
        wrapper.caller_roles = tuple(role.value for role in roles)  # type: ignore[attr-defined]
        wrapper.caller_scope = scope  # type: ignore[attr-defined]
        wrapper.caller_active = active  # type: ignore[attr-defined]
        return wrapper

    return decorator


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """An approved province or city admin."""
    return login_required(*ADMIN_ROLES, active=True)(view)
