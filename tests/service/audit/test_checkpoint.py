"""The anchored head: signed checkpoints outside the database let `flask audit verify` see that the
newest events were deleted, which the hash chain alone cannot."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from models.base import db
from service import audit
from service.audit import checkpoint


@pytest.fixture
def anchored(app, tmp_path):
    """Checkpoints in a fresh folder for this test; off again afterwards."""
    app.config["AUDIT_CHECKPOINT_DIR"] = str(tmp_path / "anchors")
    yield tmp_path / "anchors" / checkpoint.FILENAME
    app.config["AUDIT_CHECKPOINT_DIR"] = None


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def delete_events_from(event_id: int) -> None:
    """Delete the newest events the way an attacker with DDL rights would: guard off, delete, on."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        db.session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": event_id})
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
        db.session.execute(text("DELETE FROM audit_events WHERE id >= :id"), {"id": event_id})
        db.session.execute(
            text(
                "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
        )
    db.session.commit()


def test_deleting_the_newest_events_is_detected(app, anchored):
    with app.app_context():
        audit.record("test.kept", actor="cli")
        first_deleted = audit.record("test.deleted", actor="cli").id
        audit.record("test.deleted", actor="cli")
        db.session.commit()
    assert run(app, "audit", "checkpoint").exit_code == 0
    assert run(app, "audit", "verify").exit_code == 0
    with app.app_context():
        delete_events_from(first_deleted)
        assert audit.verify_chain()[1] is None  # the shortened chain is still a valid chain
    result = run(app, "audit", "verify")
    assert result.exit_code == 1
    assert "审计日志末尾的事件被删除" in result.output and f"第 {first_deleted + 1} 条事件" in result.output


def test_a_tail_rewritten_after_a_deletion_is_detected(app, anchored):
    with app.app_context():
        last = audit.record("test.original", actor="cli").id
        db.session.commit()
        assert checkpoint.write_checkpoint().event_id == last
        delete_events_from(last)
        audit.record("test.forged", actor="cli")  # SQLite may give it the deleted id again
        db.session.commit()
        with pytest.raises(checkpoint.CheckpointError) as caught:
            checkpoint.verify_against_checkpoint()
        assert caught.value.reason in ("audit_tail_missing", "audit_checkpoint_mismatch")
        with pytest.raises(checkpoint.CheckpointError):
            checkpoint.write_checkpoint()  # no new anchor over a log that lost its tail


def test_a_checkpoint_is_written_only_when_the_head_moves(app, anchored):
    with app.app_context():
        audit.record("test.event", actor="cli")
        db.session.commit()
        first = checkpoint.write_checkpoint()
        assert checkpoint.write_checkpoint() == first
        audit.record("test.event", actor="cli")
        db.session.commit()
        second = checkpoint.write_checkpoint()
    assert second.event_id > first.event_id
    assert len(anchored.read_text().splitlines()) == 2


def test_a_forged_checkpoint_is_refused(app, anchored):
    with app.app_context():
        audit.record("test.event", actor="cli")
        db.session.commit()
        checkpoint.write_checkpoint()
    line = json.loads(anchored.read_text())
    line["event_id"] -= 1  # pretend the log ended earlier, without the key
    anchored.write_text(json.dumps(line) + "\n")
    result = run(app, "audit", "verify")
    assert result.exit_code == 1 and "签名无效" in result.output


def test_a_checkpoint_under_another_key_is_refused(app, anchored):
    with app.app_context():
        audit.record("test.event", actor="cli")
        db.session.commit()
        checkpoint.write_checkpoint()
    app.config["AUDIT_CHECKPOINT_KEY"] = "another key"
    try:
        assert run(app, "audit", "verify").exit_code == 1
    finally:
        app.config["AUDIT_CHECKPOINT_KEY"] = None


def test_verify_without_checkpoints_says_what_it_cannot_see(app):
    result = run(app, "audit", "verify")
    assert result.exit_code == 0 and "XJY_AUDIT_CHECKPOINT_DIR" in result.stderr
