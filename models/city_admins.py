"""The city-admin account application of the seed's 附件2 (市州管理员账号申请表)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, TimestampMixin


class CityAdminApplication(TimestampMixin, Model):
    __tablename__ = "city_admin_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    action: Mapped[str] = mapped_column(String(8))  # add | delete (the form's 备注: 新增 / 删除)
    department: Mapped[str] = mapped_column(String(128))  # 单位
    office: Mapped[str | None] = mapped_column(String(64))  # 经办处室
    holder_name: Mapped[str] = mapped_column(String(64))  # 账号使用人
    contact: Mapped[str] = mapped_column(String(11))  # 联系方式 (mobile)
    matters_in_charge: Mapped[str | None] = mapped_column(Text)  # 分管事项
    id_number_enc: Mapped[str] = mapped_column(String(255))
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(18))
    username: Mapped[str | None] = mapped_column(String(64))
    remark: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
