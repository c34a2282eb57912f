"""Admin console API (人员机构管理): reviews, accounts in scope, city-admin applications."""

from __future__ import annotations

from flask_smorest import Blueprint

blp = Blueprint("admin", __name__, description="管理员审核与账号管理")

# The views register themselves on ``blp``.
from service.api.admin import accounts, city_admins, reviews  # noqa: E402, F401
