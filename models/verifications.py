"""Real-name / real-person verification attempts (实名实人认证) and their uploaded images.

An attempt is the unit the web hall polls and support staff re-run. Images are stored sealed
(service.platform.crypto, the data key of the ID numbers) and purged after the retention period; the
evidence JSON that support staff read holds measures and reason codes, never an image.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.accounts import Account
from models.base import Model, TimestampMixin, string_enum


class AttemptStatus(enum.StrEnum):
    CREATED = "created"  # challenge issued, waiting for uploads
    QUEUED = "queued"  # everything uploaded, a job is (or should be) on the queue
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"  # the person did not pass (reason codes say why)
    NEEDS_REVIEW = "needs_review"  # nothing failed, but an identity field is in doubt: support decides
    ERROR = "error"  # the system could not finish after its retries; support re-runs it
    EXPIRED = "expired"  # the challenge ran out before the uploads were complete

    @property
    def terminal(self) -> bool:
        return self in (
            AttemptStatus.PASSED,
            AttemptStatus.FAILED,
            AttemptStatus.NEEDS_REVIEW,
            AttemptStatus.ERROR,
            AttemptStatus.EXPIRED,
        )


class VerificationAttempt(TimestampMixin, Model):
    __tablename__ = "verification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[AttemptStatus] = mapped_column(
        string_enum(AttemptStatus, "attempt_status"), default=AttemptStatus.CREATED
    )
    challenge: Mapped[list[str]] = mapped_column(JSON)
    challenge_expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    consent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    consent_version: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(16))  # progress while running
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # support staff only
    queued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # While running: until when the claiming job holds the attempt (its heartbeat renews this; the
    # sweeper takes back an attempt whose lease ran out). ``runs`` numbers the claims.
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    runs: Mapped[int] = mapped_column(Integer, default=0)
    rerun_of_id: Mapped[int | None] = mapped_column(ForeignKey("verification_attempts.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # A support decision overrides the engine's outcome, always with a written reason.
    manual_decision: Mapped[str | None] = mapped_column(String(8))
    manual_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    images_purged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # What the person is told to fix: codes with severity, card side and field (no personal data),
    # from the early card read and then from the outcome.
    problems: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # The early card read (a job of its own right after the card upload): its state and the whole
    # result sealed (it holds the fields read off the card and the portrait's face encoding).
    # ``card_uploads`` names the uploads it read (their SHA-256s): a read of replaced photos is
    # never applied.
    card_status: Mapped[str | None] = mapped_column(String(16))  # reading | read | review | failed
    card_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    card_uploads: Mapped[str | None] = mapped_column(String(129))
    card_read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    account: Mapped[Account] = relationship(foreign_keys=[account_id], lazy="joined")
    images: Mapped[list[VerificationImage]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="VerificationImage.position"
    )

    __table_args__ = (Index("ix_verification_attempts_status_queued", "status", "queued_at"),)


class VerificationImage(Model):
    __tablename__ = "verification_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("verification_attempts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))  # front | back | frame | video
    position: Mapped[int] = mapped_column(Integer, default=0)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # The upload sealed (service.platform.crypto): here, or when ``object_key`` is set, in the object
    # store under that key (sealed before it left the process). Deferred: status polls list the images
    # without their bytes. ``key_version`` repeats the sealed bytes' first byte, so finding what is
    # left to re-encrypt after a key change reads no image.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    object_key: Mapped[str | None] = mapped_column(String(255))
    key_version: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    attempt: Mapped[VerificationAttempt] = relationship(back_populates="images")
