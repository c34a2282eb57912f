"""What each verification reason code tells the person (in Chinese), and what a client may see.

Clients get pass/fail, reason codes and these messages, never scores or distances (GB/T 38671-2020);
support staff read the evidence.
"""

from __future__ import annotations

MESSAGES = {
    # images
    "image_corrupt": "图片已损坏,请重新拍摄",
    "image_empty": "未收到图片,请重新上传",
    "image_format_unsupported": "仅支持 JPEG、PNG、WebP 格式的图片",
    "image_too_large_bytes": "图片文件过大,请压缩后重新上传",
    "image_too_large_pixels": "图片分辨率过高,请重新拍摄",
    "image_too_small": "图片分辨率过低,请靠近后重新拍摄",
    "video_corrupt": "视频已损坏,请重新录制",
    "video_format_unsupported": "仅支持 MP4、WebM 格式的视频",
    # the card
    "card_not_found": "未识别到身份证,请将身份证完整置于取景框内",
    "not_id_card": "上传的不是居民身份证",
    "wrong_side": "身份证正反面上传错误,请按提示上传人像面和国徽面",
    "field_unreadable": "身份证信息无法识别,请在光线充足处重新拍摄",
    "card_expired": "身份证已过有效期",
    "validity_invalid": "身份证有效期限无法识别或不合理",
    "name_mismatch": "身份证姓名与填写的真实姓名不一致",
    "id_number_mismatch": "身份证号码与填写的号码不一致",
    "birth_date_mismatch": "身份证出生日期与号码不一致",
    "sex_mismatch": "身份证性别与号码不一致",
    "id_number_format": "身份证号码格式不正确",
    "id_number_checksum": "身份证号码校验位错误",
    "id_number_birth_date": "身份证号码中的出生日期无效",
    "id_number_division": "身份证号码中的地区代码不存在",
    "card_face_not_found": "未识别到身份证上的人像,请重新拍摄人像面",
    # identity fields read without certainty: support looks (neither pass nor fail)
    "name_unreadable": "身份证姓名未能清晰识别,已转人工审核",
    "name_uncertain": "身份证姓名识别存疑,已转人工审核",
    "sex_unreadable": "身份证性别未能清晰识别,已转人工审核",
    "sex_uncertain": "身份证性别识别存疑,已转人工审核",
    "birth_date_unreadable": "身份证出生日期未能清晰识别,已转人工审核",
    "birth_date_uncertain": "身份证出生日期识别存疑,已转人工审核",
    "id_number_unreadable": "身份证号码未能清晰识别,已转人工审核",
    "id_number_uncertain": "身份证号码识别存疑,已转人工审核",
    "validity_unreadable": "身份证有效期限未能清晰识别,已转人工审核",
    "validity_uncertain": "身份证有效期限识别存疑,已转人工审核",
    # fields that prove nothing about identity: hints only
    "nation_unreadable": "民族未能识别(不影响认证)",
    "nation_uncertain": "民族识别存疑(不影响认证)",
    "address_unreadable": "住址未能识别(不影响认证)",
    "address_uncertain": "住址识别存疑(不影响认证)",
    "authority_unreadable": "签发机关未能识别(不影响认证)",
    "authority_uncertain": "签发机关识别存疑(不影响认证)",
    "side_unconfirmed": "未能确认证件正反面,将在识别时再核对",
    # quality (warnings, shown as hints)
    "quality_blur": "照片模糊,请对焦后重新拍摄",
    "quality_dark": "光线过暗,请在光线充足处拍摄",
    "quality_overexposed": "照片过曝,请避免强光直射",
    "quality_glare": "证件有反光,请调整角度",
    "quality_cut_off": "证件不完整,请将四角都置于取景框内",
    "quality_monochrome": "请拍摄身份证原件,不要使用黑白复印件",
    "quality_screen": "请拍摄身份证原件,不要翻拍屏幕",
    "quality_glare_fields": "证件文字处有反光,请调整角度后重新拍摄",
    "quality_too_small": "证件在照片中太小,请靠近拍摄,使证件占满取景框",
    # face and liveness
    "face_not_found": "未检测到人脸,请正对镜头",
    "multiple_faces": "检测到多张人脸,请确保只有本人在镜头前",
    "face_mismatch": "人脸与身份证照片不一致",
    # the authority check (公安人像比对)
    "authority_identity_mismatch": "姓名与身份证号码经权威核验不一致",
    "authority_face_mismatch": "人脸与公安登记照片不一致",
    "authority_not_found": "权威数据源中未查到该身份信息,已转人工审核",
    "authority_no_photo": "权威数据源中无登记照片,已转人工审核",
    "authority_unknown_code": "权威核验结果待确认,已转人工审核",
    "liveness_challenge_failed": "未按提示完成动作,请重新进行活体检测",
    "liveness_challenge_invalid": "活体检测动作无效,请重新开始认证",
    "liveness_frame_count": "活体检测画面数量不符合要求,请重新录制",
    "liveness_identity_changed": "活体检测过程中人员发生变化",
    "liveness_static": "未检测到真人动作,请勿使用照片或视频翻拍",
    # the service itself
    "challenge_expired": "认证已超时,请重新开始",
    "engine_error": "系统繁忙,认证未能完成,客服将为您重新处理",
    "manual_rejected": "人工审核未通过",
    "card_read_failed": "身份证识别未通过,请按提示重新拍摄",
}
FALLBACK = "认证未通过,请按提示重新拍摄"
SIDE_NAMES = {"front": "人像面", "back": "国徽面"}


def describe(reasons: list[str] | None) -> list[dict[str, str]]:
    """[{reason, message}] for a client, in the engine's order."""
    return [{"reason": r, "message": MESSAGES.get(r, FALLBACK)} for r in reasons or []]


def message_for(code: str, side: str | None = None) -> str:
    """The Chinese message for ``code``, naming the card side when there is one (人像面: ...)."""
    message = MESSAGES.get(code, FALLBACK)
    return f"{SIDE_NAMES[side]}: {message}" if side in SIDE_NAMES else message


def describe_problems(problems: list[dict[str, str | None]] | None) -> list[dict[str, str | None]]:
    """[{reason, severity, side, field, message}]: what is wrong, where, and what to do."""
    return [
        {"reason": p["code"], "severity": p.get("severity"), "side": p.get("side"), "field": p.get("field"),
         "message": message_for(str(p["code"]), p.get("side"))}
        for p in problems or []
    ]  # fmt: skip
