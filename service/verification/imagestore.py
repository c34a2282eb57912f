"""Where the sealed bytes of uploads live: in the database row (the default, the embedded product) or
in an S3-compatible object store (MinIO, a cloud's OSS/COS/OBS, AWS S3) under ``object_key``.

Either way the bytes are sealed by ``service.platform.crypto`` before they leave the process: the
object store only ever holds ciphertext, under a random key that names no person. ``XJY_IMAGE_STORE``
chooses where new uploads go; an image is always read from where its row says it is, so a store
can be switched at any time and ``flask verifications migrate-images`` moves the rest.

Objects of image rows deleted through the ORM (replaced card photos, a purge) are deleted from the
store after the commit; the purge deletes them itself first, so a store that is away stops it rather
than leaving images past their retention.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import uuid
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from models.base import utcnow
from models.verifications import VerificationImage
from service.platform.errors import ServiceError

log = logging.getLogger(__name__)
STORES = ("db", "s3")
_ORPHANS = "orphan_image_objects"


class ImageStoreUnavailable(ServiceError):
    status = 503
    reason = "image_store_unavailable"
    message = "图片存储暂时不可用,请稍后再试"


class ImageStore(Protocol):
    """Puts, gets and copies an image row's sealed bytes; deletes objects by key."""

    name: str

    def put(self, image: VerificationImage, blob: bytes) -> None: ...

    def get(self, image: VerificationImage) -> bytes: ...

    def copy(self, source: VerificationImage, target: VerificationImage) -> None: ...

    def delete(self, keys: Sequence[str]) -> None: ...


class DatabaseStore:
    """The bytes in the row itself (``verification_images.sealed``)."""

    name = "db"

    def put(self, image: VerificationImage, blob: bytes) -> None:
        image.sealed, image.object_key = blob, None

    def get(self, image: VerificationImage) -> bytes:
        if image.sealed is None:
            raise LookupError(f"image {image.id} has no bytes in the database")
        return image.sealed

    def copy(self, source: VerificationImage, target: VerificationImage) -> None:
        target.sealed, target.object_key = self.get(source), None

    def delete(self, keys: Sequence[str]) -> None:
        """Rows take their bytes with them."""


class S3Store:
    """Objects in one bucket under ``prefix``; each image its own random key."""

    name = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def _new_key(self) -> str:
        return f"{self.prefix}{utcnow():%Y/%m/%d}/{uuid.uuid4().hex}"

    def put(self, image: VerificationImage, blob: bytes) -> None:
        """Write the blob (a reseal overwrites the image's own object) and point the row at it."""
        key = image.object_key or self._new_key()
        with _unavailable_as_503():
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=blob, ContentType="application/octet-stream"
            )
        image.object_key, image.sealed = key, None

    def get(self, image: VerificationImage) -> bytes:
        with _unavailable_as_503():
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=image.object_key)["Body"].read()
        return body

    def copy(self, source: VerificationImage, target: VerificationImage) -> None:
        """A copy made in the store (a re-run's own object: purging the original keeps it intact)."""
        key = self._new_key()
        with _unavailable_as_503():
            self.client.copy_object(
                Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": source.object_key}
            )
        target.object_key, target.sealed = key, None

    def delete(self, keys: Sequence[str]) -> None:
        """Delete in batches of 1,000 (the API's limit); raises if any object could not be deleted."""
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            with _unavailable_as_503():
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            if answer.get("Errors"):
                raise ImageStoreUnavailable(extra={"failed_keys": len(answer["Errors"])})


@contextlib.contextmanager
def _unavailable_as_503() -> Iterator[None]:
    """The store's network and service errors as one 503 the client may retry (a job retries too)."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        log.warning("image store unavailable: %s", type(exc).__name__)
        raise ImageStoreUnavailable() from exc


@functools.lru_cache(maxsize=4)
def _client(
    pid: int,
    endpoint: str | None,
    region: str,
    key_id: str | None,
    secret: str | None,
    timeout: float,
    addressing: str,
) -> Any:
    """One client per process and settings (boto3 clients are thread-safe; a forked worker makes
    its own rather than share the parent's connections)."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": addressing},
        ),
    )


def s3_store() -> S3Store:
    cfg = current_app.config
    if not cfg.get("S3_BUCKET"):
        raise RuntimeError("S3_BUCKET is not configured: images in the object store cannot be reached")
    client = _client(
        os.getpid(),
        cfg.get("S3_ENDPOINT_URL"),
        cfg["S3_REGION"],
        cfg.get("S3_ACCESS_KEY_ID"),
        cfg.get("S3_SECRET_ACCESS_KEY"),
        float(cfg["S3_TIMEOUT_SECONDS"]),
        cfg["S3_ADDRESSING_STYLE"],
    )
    return S3Store(client, cfg["S3_BUCKET"], cfg["S3_PREFIX"])


def get_store(name: str) -> ImageStore:
    if name not in STORES:
        raise RuntimeError(f"IMAGE_STORE must be one of {', '.join(STORES)}, not {name!r}")
    return s3_store() if name == "s3" else DatabaseStore()


def current_store() -> ImageStore:
    """Where new uploads go (``XJY_IMAGE_STORE``)."""
    return get_store(current_app.config["IMAGE_STORE"])


def store_of(image: VerificationImage) -> ImageStore:
    """Where this image's bytes are."""
    return s3_store() if image.object_key else DatabaseStore()


@event.listens_for(VerificationImage, "after_delete")
def _collect_orphan(_mapper: Any, _connection: Any, image: VerificationImage) -> None:
    """Each deleted row's object, deleted once the deletion is committed (rows removed from a
    collection are deleted by the flush itself, so a session-level list would miss them)."""
    session = object_session(image)
    if image.object_key and session is not None:
        session.info.setdefault(_ORPHANS, []).append(image.object_key)


@event.listens_for(Session, "after_commit")
def _delete_orphans(session: Session) -> None:
    keys = session.info.pop(_ORPHANS, None)
    if not keys:
        return
    try:
        s3_store().delete(keys)
    except Exception:  # the rows are gone already; their objects hold ciphertext only
        log.warning("could not delete %d image objects of deleted rows", len(keys), exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_orphans(session: Session) -> None:
    session.info.pop(_ORPHANS, None)
