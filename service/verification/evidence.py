"""What support staff see of an attempt's evidence: the card's ID number and address masked until a
reveal, and the uploaded images only one at a time. Both reveals are audited acts, because the
evidence holds the most sensitive data the service keeps (GB/T 35273: least exposure by default)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from models.accounts import Account
from models.base import db
from models.verifications import VerificationImage
from service import audit
from service.platform.errors import Conflict, NotFound
from service.verification.storage import open_image
from service.verification.support import get_attempt

#: Fields read off the card that stay masked until support reveals them.
SENSITIVE_FIELDS = ("id_number", "address")


def mask_id_number(number: str) -> str:
    """430302****3456: the region and the last four, as the seed's lists show."""
    return number[:6] + "****" + number[-4:] if len(number) > 10 else "****"


def mask_address(address: str) -> str:
    """The first six characters (province and city), the rest hidden."""
    return address[:6] + "****" if address else ""


def _mask(name: str, text: str) -> str:
    return mask_id_number(text) if name == "id_number" else mask_address(text)


def masked(evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy of the evidence with the card's ID number and address masked (everything else as is)."""
    if not evidence:
        return evidence
    out = copy.deepcopy(evidence)
    card_fields = (out.get("front") or {}).get("fields") or {}
    for name in SENSITIVE_FIELDS:
        value = card_fields.get(name)
        if isinstance(value, dict) and value.get("text"):
            value["text"] = _mask(name, str(value["text"]))
    return out


def reveal_card_fields(staff: Account, attempt_id: int, reason: str) -> dict[str, str]:
    """The card's ID number and address in full, for this one request; audited with the reason."""
    attempt = get_attempt(attempt_id)
    card_fields = ((attempt.evidence or {}).get("front") or {}).get("fields") or {}
    revealed = {
        name: str(card_fields[name].get("text", ""))
        for name in SENSITIVE_FIELDS
        if isinstance(card_fields.get(name), dict)
    }
    audit.record(
        "verification.reveal",
        target_type="verification",
        target_id=attempt.id,
        actor=staff,
        detail={"account_id": attempt.account_id, "fields": sorted(revealed), "reason": reason},
    )
    db.session.commit()
    return revealed


def view_image(staff: Account, attempt_id: int, image_id: int) -> tuple[bytes, str]:
    """One uploaded image of an attempt, decrypted (bytes, content type); every view is audited."""
    attempt = get_attempt(attempt_id)
    if attempt.images_purged_at is not None:
        raise Conflict("verification_images_purged", "该次认证的图片已按保存期限删除")
    query = (
        select(VerificationImage)
        .where(VerificationImage.id == image_id, VerificationImage.attempt_id == attempt.id)
        .options(undefer(VerificationImage.sealed))
    )
    image = db.session.scalar(query)
    if image is None:
        raise NotFound()
    audit.record(
        "verification.image_view",
        target_type="verification",
        target_id=attempt.id,
        actor=staff,
        detail={"account_id": attempt.account_id, "image_id": image.id, "kind": image.kind},
    )
    db.session.commit()
    return open_image(image), image.content_type
