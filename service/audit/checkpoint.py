"""Anchors for the audit chain's head: signed checkpoints outside the database.

The hash chain shows an edit or a deletion in the middle of the log, but a log cut short is still a
valid chain. So the scheduler writes the head (the last event's id and hash) every few minutes to
``AUDIT_CHECKPOINT_DIR/audit-checkpoints.jsonl``, one line per checkpoint, appended and fsynced, each
line signed with HMAC-SHA256 under ``AUDIT_CHECKPOINT_KEY``. ``flask audit verify`` then requires the
event of the last checkpoint to be in the database with the same hash: deleting the newest events
(or rewriting the log from some point on) is detected as long as the file is out of reach of whoever
can change the database (another host's mount, an append-only or WORM volume, a log shipper).

A checkpoint is only written over a chain that links to the previous checkpoint, so each line
vouches for everything before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from models.audit import AuditEvent
from models.base import db, utcnow
from service.audit.chain import event_hash

FILENAME = "audit-checkpoints.jsonl"


class CheckpointError(Exception):
    """The log does not match its anchor (or the anchor is forged); ``message`` is for operators."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class Checkpoint:
    event_id: int
    hash: str
    at: str  # ISO 8601, UTC: when it was written


def checkpoint_path() -> Path | None:
    """The checkpoint file, or None when anchoring is not configured."""
    folder = current_app.config.get("AUDIT_CHECKPOINT_DIR")
    return Path(folder) / FILENAME if folder else None


def _key() -> bytes:
    """The configured key; without one, a key derived from SECRET_KEY (the embedded default).

    A separate key is better: whoever holds SECRET_KEY could otherwise sign a forged checkpoint.
    """
    configured = current_app.config.get("AUDIT_CHECKPOINT_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"xjy-audit-checkpoint-v1", hashlib.sha256).digest()


def _mac(checkpoint: Checkpoint) -> str:
    body = json.dumps(asdict(checkpoint), sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), body.encode(), hashlib.sha256).hexdigest()


def read_last(path: Path) -> Checkpoint | None:
    """The newest checkpoint of the file, every line's signature checked.

    Raises:
        CheckpointError: ``checkpoint_forged`` for a line that is not ours.
    """
    if not path.exists():
        return None
    last: Checkpoint | None = None
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                fields = json.loads(line)
                mac = fields.pop("mac")
                checkpoint = Checkpoint(int(fields["event_id"]), str(fields["hash"]), str(fields["at"]))
            except (ValueError, KeyError, TypeError):
                raise CheckpointError("checkpoint_forged", f"检查点文件第 {number} 行格式错误") from None
            if not hmac.compare_digest(str(mac), _mac(checkpoint)):
                raise CheckpointError(
                    "checkpoint_forged", f"检查点文件第 {number} 行签名无效(被改动或密钥不符)"
                )
            last = checkpoint
    return last


def _head() -> AuditEvent | None:
    return db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))


def _check_anchor(checkpoint: Checkpoint) -> None:
    """The checkpoint's event is still there with the same hash."""
    event = db.session.get(AuditEvent, checkpoint.event_id)
    head = _head()
    if event is None:
        last = f"第 {head.id} 条" if head else "无任何事件"
        raise CheckpointError(
            "audit_tail_missing",
            f"审计日志末尾的事件被删除: {checkpoint.at} 的检查点记录到第 {checkpoint.event_id} 条事件, "
            f"而数据库中现存最后一条为{last}",
        )
    if event.hash != checkpoint.hash:
        raise CheckpointError(
            "audit_checkpoint_mismatch",
            f"审计日志与检查点不符: 第 {checkpoint.event_id} 条事件的哈希与 {checkpoint.at} 的检查点不同"
            "(该事件或其之前的事件被改写)",
        )


def _check_links(after: Checkpoint | None, head: AuditEvent, batch: int = 1000) -> None:
    """The events after the previous checkpoint up to ``head`` extend it, each hash correct."""
    last_id, prev = (after.event_id, after.hash) if after else (0, None)
    while last_id < head.id:
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.id > last_id, AuditEvent.id <= head.id)
            .order_by(AuditEvent.id)
            .limit(batch)
        ).all()
        for event in rows:
            if (prev is not None and event.prev_hash != prev) or event_hash(event) != event.hash:
                raise CheckpointError(
                    "audit_chain_broken", f"审计日志在第 {event.id} 条事件处断裂, 不写入检查点"
                )
            prev, last_id = event.hash, event.id


def write_checkpoint() -> Checkpoint | None:
    """Append the current head to the checkpoint file when it moved; None when not configured.

    Raises:
        CheckpointError: the log no longer matches the last checkpoint, or the new events do not
            link to it (nothing is written then: an anchor never vouches for a broken chain).
    """
    path = checkpoint_path()
    head = _head()
    if path is None or head is None:
        return None
    last = read_last(path)
    if last is not None:
        _check_anchor(last)
        if last.event_id == head.id:
            return last
    _check_links(last, head)
    checkpoint = Checkpoint(head.id, head.hash, utcnow().isoformat(timespec="seconds"))
    line = json.dumps({**asdict(checkpoint), "mac": _mac(checkpoint)}, sort_keys=True) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return checkpoint


def verify_against_checkpoint() -> Checkpoint | None:
    """Compare the log with the last checkpoint; None when not configured or none written yet.

    Raises:
        CheckpointError: ``audit_tail_missing``, ``audit_checkpoint_mismatch`` or ``checkpoint_forged``.
    """
    path = checkpoint_path()
    if path is None:
        return None
    last = read_last(path)
    if last is not None:
        _check_anchor(last)
    return last
