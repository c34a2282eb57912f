"""What people read for each stored code, in Chinese (display only; no rule lives here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.accounts import AccountStatus, Role, VerificationStatus
from models.requests import RequestKind, RequestStatus
from models.verifications import AttemptStatus

ACCOUNT_STATUS = {
    AccountStatus.PENDING: "待审核",
    AccountStatus.ACTIVE: "审核通过",
    AccountStatus.REJECTED: "审核未通过",
    AccountStatus.SUSPENDED: "已停用",
    AccountStatus.CANCELLED: "已注销",
}
VERIFICATION = {
    VerificationStatus.NONE: "未认证",
    VerificationStatus.REAL_NAME: "已实名,未实人",
    VerificationStatus.REAL_PERSON: "已认证",
}
REQUEST_KIND = {
    RequestKind.NEW: "新增账号",
    RequestKind.CHANGE: "账号变更",
    RequestKind.CANCEL: "账号注销",
    RequestKind.PERMISSION: "权限申请",
}
REQUEST_STATUS = {
    RequestStatus.PENDING: "待审核",
    RequestStatus.APPROVED: "审核通过",
    RequestStatus.REJECTED: "已驳回",
    RequestStatus.WITHDRAWN: "已撤回",
}
ATTEMPT_STATUS = {
    AttemptStatus.CREATED: "待上传",
    AttemptStatus.QUEUED: "排队中",
    AttemptStatus.RUNNING: "处理中",
    AttemptStatus.PASSED: "通过",
    AttemptStatus.FAILED: "未通过",
    AttemptStatus.NEEDS_REVIEW: "待人工审核",
    AttemptStatus.ERROR: "系统异常",
    AttemptStatus.EXPIRED: "已超时",
}
ROLE = {
    Role.APPROVER: "审批人员",
    Role.CITY_ADMIN: "市州管理员",
    Role.PROVINCE_ADMIN: "省级管理员",
    Role.SUPPORT: "运维客服",
}
IMAGE_KIND = {"front": "身份证人像面", "back": "身份证国徽面", "frame": "活体画面", "video": "活体视频"}
GRANT_ROLE = {"acceptor": "受理人员", "handler": "办理人员"}
CHALLENGE = {
    "blink": "眨眼",
    "turn_left": "向左转头",
    "turn_right": "向右转头",
    "open_mouth": "张嘴",
    "nod": "点头",
}
SESSION_METHOD = {"password": "用户名密码", "sms": "短信验证码", "certificate": "数字证书"}


def all_labels() -> dict[str, dict[str, str]]:
    """Every table, keyed by name, for the templates (``label('account_status', value)``)."""
    tables: dict[str, Mapping[Any, str]] = {
        "account_status": ACCOUNT_STATUS, "verification": VERIFICATION, "request_kind": REQUEST_KIND,
        "request_status": REQUEST_STATUS, "attempt_status": ATTEMPT_STATUS, "role": ROLE,
        "image_kind": IMAGE_KIND, "grant_role": GRANT_ROLE, "challenge": CHALLENGE,
        "session_method": SESSION_METHOD,
    }  # fmt: skip
    return {name: {str(k): v for k, v in table.items()} for name, table in tables.items()}
