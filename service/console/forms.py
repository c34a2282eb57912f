"""The console's forms (flask-wtf: each carries its CSRF token). Validation messages in Chinese."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

REQUIRED = "此项为必填项"
REASON = [DataRequired(REQUIRED), Length(min=2, max=500, message="请填写2到500字的理由")]


class PasswordLoginForm(FlaskForm):
    username = StringField("用户名", [DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", [DataRequired(REQUIRED), Length(max=128)])
    captcha_id = HiddenField()
    captcha = StringField("验证码", [DataRequired(REQUIRED), Length(max=8)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("当前密码", [DataRequired(REQUIRED), Length(max=128)])
    new_password = PasswordField("新密码", [DataRequired(REQUIRED), Length(max=1024)])
    confirm = PasswordField("再次输入新密码", [EqualTo("new_password", message="两次输入的新密码不一致")])


def _phone_field() -> StringField:
    return StringField(
        "使用人手机号", [DataRequired(REQUIRED), Regexp(r"^1[3-9]\d{9}$", message="手机号码格式不正确")]
    )


class SmsSendForm(FlaskForm):
    """A text is sent only after its own image captcha is solved (as the API asks)."""

    phone = _phone_field()
    sms_captcha_id = HiddenField()
    sms_captcha = StringField("验证码", [DataRequired(REQUIRED), Length(max=8)])


class SmsLoginForm(FlaskForm):
    phone = _phone_field()
    code = StringField(
        "短信验证码", [DataRequired(REQUIRED), Regexp(r"^\d{6}$", message="请输入6位数字验证码")]
    )


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""


class ReasonForm(FlaskForm):
    reason = TextAreaField("理由", REASON)


class ReviewDecisionForm(FlaskForm):
    decision = SelectField("审核结果", choices={"approve": "审核通过", "reject": "驳回"})
    reason = TextAreaField("审核意见", [Length(max=500, message="审核意见不能超过500字")])


class AccountChangeForm(FlaskForm):
    department = StringField("科室名称", [DataRequired(REQUIRED), Length(max=64)])
    position = StringField("职位名称", [DataRequired(REQUIRED), Length(max=64)])
    reason = TextAreaField("变更理由", REASON)


class ManualDecisionForm(FlaskForm):
    decision = SelectField("人工审核结果", choices={"pass": "通过", "fail": "不通过"})
    reason = TextAreaField("理由", REASON)


class CounterForm(FlaskForm):
    username = StringField("用户账号", [DataRequired(REQUIRED), Length(max=64)])
    real_name = StringField("证件姓名", [DataRequired(REQUIRED), Length(max=64)])
    id_number = StringField(
        "证件号码", [DataRequired(REQUIRED), Regexp(r"^\d{17}[\dXx]$", message="身份证号码应为18位")]
    )
    office = StringField("核验窗口", [DataRequired(REQUIRED), Length(max=64)])
    document = SelectField(
        "核验证件", choices={"居民身份证原件": "居民身份证原件", "临时居民身份证": "临时居民身份证"}
    )
    note = TextAreaField("核验说明", REASON)


class CityAdminApplicationForm(FlaskForm):
    """The seed's 附件2 (市州管理员账号申请表), one row."""

    city_code = SelectField("市州", choices={})
    action = SelectField("备注(新增/删除)", choices={"add": "新增", "delete": "删除"})
    department = StringField("部门", [DataRequired(REQUIRED), Length(max=128)])
    office = StringField("经办处(科、股)室", [Length(max=64)])
    holder_name = StringField("账号管理人姓名", [DataRequired(REQUIRED), Length(max=64)])
    contact = StringField(
        "联系方式", [DataRequired(REQUIRED), Regexp(r"^1[3-9]\d{9}$", message="手机号码格式不正确")]
    )
    matters_in_charge = StringField("分管事项", [Length(max=500)])
    id_number = StringField(
        "身份证号码", [DataRequired(REQUIRED), Regexp(r"^\d{17}[\dXx]$", message="身份证号码应为18位")]
    )
    username = StringField("用户名(新增时必填)", [Length(max=64)])
    remark = StringField("备注说明", [Length(max=500)])
