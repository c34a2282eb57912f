"""Uploads of an attempt: checked by content, sealed (service.platform.crypto, bound to their
purpose) on the way in and kept in the image store (the database or an object store), unsealed for
the job, resealed after a key change, moved between stores, and deleted after the retention period."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import undefer

from idverify.images import image_size, sniff_format, sniff_video
from models.base import db, utcnow
from models.verifications import VerificationAttempt, VerificationImage
from service import audit
from service.platform.crypto import key_version, keyring, reseal, seal, unseal
from service.platform.errors import InvalidInput
from service.platform.rekey import Target
from service.verification.imagestore import current_store, get_store, s3_store, store_of

IMAGE_PURPOSE = b"verification-image"
CARD_READ_PURPOSE = b"card-read"


@dataclass(frozen=True)
class Upload:
    """One uploaded file, already read (views turn FileStorage into this)."""

    data: bytes
    filename: str | None = None


def image_type(field: str, upload: Upload, *, max_pixels: int | None = None) -> str:
    """Sniff by content, not name: only JPEG, PNG and WebP pass, within the byte limit and, read from
    the header before anything is decoded, within ``max_pixels`` (a small PNG can declare a huge
    image: 4.9 KB of 1-bit PNG made a job take 1.76 GB)."""
    if len(upload.data) > current_app.config["VERIFY_MAX_IMAGE_BYTES"]:
        raise InvalidInput(
            "image_too_large_bytes", "图片文件过大,请压缩后重新上传", errors={field: ["图片文件过大"]}
        )
    fmt = sniff_format(upload.data)
    if fmt is None:
        message = "仅支持 JPEG、PNG、WebP 格式的图片"
        raise InvalidInput("image_format_unsupported", message, errors={field: [message]})
    size = image_size(upload.data)
    if size is None:
        message = "图片已损坏,请重新拍摄"
        raise InvalidInput("image_corrupt", message, errors={field: [message]})
    if max_pixels is not None and size[0] * size[1] > max_pixels:
        message = "图片分辨率过高,请重新拍摄"
        raise InvalidInput("image_too_large_pixels", message, errors={field: [message]})
    return f"image/{fmt}"


def video_type(upload: Upload) -> str:
    """Sniff a liveness clip: MP4 or WebM within the byte limit."""
    fmt = sniff_video(upload.data)
    if len(upload.data) > current_app.config["VERIFY_MAX_VIDEO_BYTES"] or fmt is None:
        raise InvalidInput("video_format_unsupported", "仅支持 MP4、WebM 格式且不超过大小限制的视频")
    return f"video/{fmt}"


def sealed_image(kind: str, position: int, upload: Upload, content_type: str) -> VerificationImage:
    """A new image row holding the upload encrypted."""
    sealed = seal(upload.data, IMAGE_PURPOSE)
    image = VerificationImage(
        kind=kind,
        position=position,
        content_type=content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        key_version=key_version(sealed),
        created_at=utcnow(),
    )
    current_store().put(image, sealed)
    return image


def copies(images: Iterable[VerificationImage]) -> list[VerificationImage]:
    """New rows holding the same sealed bytes, each its own copy (a re-run keeps the original's
    uploads intact, and purging the original leaves the re-run's)."""
    now = utcnow()
    rows = []
    for i in images:
        row = VerificationImage(
            kind=i.kind,
            position=i.position,
            content_type=i.content_type,
            size=i.size,
            sha256=i.sha256,
            key_version=i.key_version,
            created_at=now,
        )
        store_of(i).copy(i, row)
        rows.append(row)
    return rows


def load_uploads(attempt_id: int) -> dict[str, list[bytes]]:
    """kind -> decrypted uploads in position order, read in one query (bytes are deferred on the
    model, so status polls never load them)."""
    query = (
        select(VerificationImage)
        .where(VerificationImage.attempt_id == attempt_id)
        .order_by(VerificationImage.position)
        .options(undefer(VerificationImage.sealed))
    )
    images: dict[str, list[bytes]] = {}
    for image in db.session.scalars(query):
        images.setdefault(image.kind, []).append(open_image(image))
    return images


def open_image(image: VerificationImage) -> bytes:
    """One upload, fetched from its store and decrypted."""
    return unseal(store_of(image).get(image), IMAGE_PURPOSE)


def seal_card_read(result: Mapping[str, Any]) -> bytes:
    """The early card read, sealed: it holds the card's fields and the portrait's face encoding."""
    return seal(json.dumps(result, ensure_ascii=False).encode(), CARD_READ_PURPOSE)


def unseal_card_read(blob: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(unseal(blob, CARD_READ_PURPOSE))
    return data


def card_uploads(images: Iterable[VerificationImage]) -> str | None:
    """The fingerprint of an attempt's card photos (front and back SHA-256s), None until both are there."""
    sides = {i.kind: i.sha256 for i in images if i.kind in ("front", "back")}
    return f"{sides['front']}:{sides['back']}" if len(sides) == 2 else None


def purge_images(older_than_days: int) -> int:
    """Delete the uploads of attempts finished before the retention cut-off; returns attempts purged."""
    cutoff = utcnow() - dt.timedelta(days=older_than_days)
    query = select(VerificationAttempt).where(
        VerificationAttempt.finished_at < cutoff, VerificationAttempt.images_purged_at.is_(None)
    )
    purged = 0
    for attempt in db.session.scalars(query):
        _delete_objects(attempt.images)
        attempt.images = []
        attempt.card_sealed = None  # the fields read off the card go with the photos
        attempt.images_purged_at = utcnow()
        purged += 1
    if purged:
        audit.record(
            "verification.purge", actor="system", detail={"attempts": purged, "cutoff": cutoff.isoformat()}
        )
    db.session.commit()
    return purged


def _delete_objects(images: Iterable[VerificationImage]) -> None:
    """Objects first, rows after: a store that is away stops the purge (the next run retries) rather
    than leave images past their retention with no row pointing at them."""
    keys = [i.object_key for i in images if i.object_key]
    if keys:
        s3_store().delete(keys)
        for image in images:
            image.object_key = None  # deleted: nothing left for the after-commit clean-up


def reseal_image(image: VerificationImage) -> bool:
    """The upload sealed under the current data key, where it is (``flask crypto reencrypt``)."""
    store = store_of(image)
    current = store.get(image)
    blob = reseal(current, IMAGE_PURPOSE)
    if blob is not None:
        store.put(image, blob)
    image.key_version = key_version(blob or current)
    return blob is not None


def reseal_card_read(attempt: VerificationAttempt) -> bool:
    blob = reseal(attempt.card_sealed, CARD_READ_PURPOSE) if attempt.card_sealed else None
    if blob is not None:
        attempt.card_sealed = blob
    return blob is not None


def reseal_targets() -> list[Target]:
    """Uploads (found by their key version column, so no image is read twice) and early card reads."""
    return [
        Target(
            "verification_images",
            VerificationImage,
            reseal_image,
            criteria=lambda: (VerificationImage.key_version != keyring().data_version,),
            options=(undefer(VerificationImage.sealed),),
        ),
        Target(
            "verification_attempts.card_read",
            VerificationAttempt,
            reseal_card_read,
            criteria=lambda: (VerificationAttempt.card_sealed.is_not(None),),
            options=(undefer(VerificationAttempt.card_sealed),),
        ),
    ]


def migrate_target(to: str) -> Target:
    """Images not yet in store ``to`` and how to move one there (``flask verifications
    migrate-images``): bytes are copied as they are, still sealed; objects left behind in the
    object store are deleted once the rows no longer point at them."""
    target, moved = get_store(to), []

    def move(image: VerificationImage) -> bool:
        source = store_of(image)
        if image.object_key:
            moved.append(image.object_key)
        target.put(image, source.get(image))
        return True

    def delete_moved() -> None:
        if moved:
            s3_store().delete(moved)
            moved.clear()

    in_db = VerificationImage.object_key.is_(None)
    return Target(
        f"verification_images -> {to}",
        VerificationImage,
        move,
        criteria=lambda: (in_db if to == "s3" else ~in_db,),
        options=(undefer(VerificationImage.sealed),),
        after_batch=delete_moved,
    )
