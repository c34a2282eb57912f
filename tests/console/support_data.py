"""A finished verification attempt with evidence and sealed uploads, as the job leaves one."""

from __future__ import annotations

import io

from PIL import Image

from models.accounts import Account
from models.base import db, utcnow
from models.verifications import AttemptStatus, VerificationAttempt
from service.verification.storage import Upload, sealed_image
from tests.factories import make_attempt

CARD_NUMBER = "430102198506150011"
CARD_ADDRESS = "湖南省长沙市芙蓉区五一大道100号"


def jpeg(shade: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (96, 64), (shade, 90, 160)).save(buf, format="JPEG")
    return buf.getvalue()


def evidence() -> dict:
    def field(name: str, text: str) -> dict:
        return {"name": name, "text": text, "confidence": 0.97}

    return {
        "ok": False,
        "reasons": ["face_mismatch"],
        "front": {"fields": {"name": field("name", "测试用户"), "id_number": field("id_number", CARD_NUMBER),
                             "address": field("address", CARD_ADDRESS)}, "warnings": []},
        "back": {"fields": {"authority": field("authority", "长沙市公安局芙蓉分局")}, "warnings": []},
        "face": {"ok": False, "distance": 0.71, "threshold": 0.5, "live_faces": 1},
        "liveness": {"ok": True, "detected": [["blink", 3]]},
    }  # fmt: skip


def failed_attempt(account: Account) -> VerificationAttempt:
    """A failed attempt (face_mismatch) of ``account`` with front, back and two frames. Commits."""
    now = utcnow()
    attempt = make_attempt(
        account, AttemptStatus.FAILED, challenge=["blink", "turn_left"], reasons=["face_mismatch"],
        evidence=evidence(), finished_at=now, runs=1,
    )  # fmt: skip
    uploads = [
        ("front", 0, jpeg(10)),
        ("back", 0, jpeg(60)),
        ("frame", 0, jpeg(120)),
        ("frame", 1, jpeg(130)),
    ]
    attempt.images = [sealed_image(kind, pos, Upload(data), "image/jpeg") for kind, pos, data in uploads]
    db.session.add(attempt)
    db.session.commit()
    return attempt
