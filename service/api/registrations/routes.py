from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, post_load, validate

from service.accounts.registration import RegistrationForm, register
from service.api.base import PHONE, BaseSchema, record_id
from service.api.schemas import AccountSchema

blp = Blueprint("registrations", __name__, url_prefix="/api/v1", description="审批账号在线注册")


class RegistrationSchema(BaseSchema):
    """The seed's 账号基本信息填写 form. Role, status and verification are not writable."""

    phone = fields.String(required=True, validate=PHONE)
    sms_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="验证码为6位数字"))
    real_name = fields.String(
        required=True, validate=validate.Regexp(r"^[\u4e00-\u9fff·]{2,30}$", error="请填写身份证上的中文姓名")
    )
    id_number = fields.String(
        required=True, validate=validate.Length(min=15, max=20, error="身份证号码应为18位")
    )
    credit_code = fields.String(
        required=True, validate=validate.Length(equal=18, error="统一社会信用代码应为18位")
    )
    organisation_id = record_id(required=True)
    department = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="科室名称为1到64个字")
    )
    position = fields.String(
        required=True, validate=validate.Length(min=1, max=64, error="职位名称为1到64个字")
    )
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[A-Za-z][A-Za-z0-9_]{3,31}$", error="用户名为4到32位字母、数字或下划线,以字母开头"
        ),
    )
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=8, max=128, error="密码长度为8到128位")
    )

    @post_load
    def _form(self, data: dict[str, Any], **kwargs: Any) -> RegistrationForm:
        return RegistrationForm(**data)


class RegistrationResultSchema(Schema):
    account = fields.Nested(AccountSchema)
    request_id = fields.Integer()
    next_step = fields.String()


@blp.route("/registrations")
class Registrations(MethodView):
    @blp.arguments(RegistrationSchema)
    @blp.response(201, RegistrationResultSchema)
    def post(self, form: RegistrationForm) -> dict[str, Any]:
        """Register a new approval account (pending review)"""
        account, request = register(form)
        return {"account": account, "request_id": request.id, "next_step": "verify_identity"}
