"""The audit log: every admin act is recorded, the database refuses edits, and the hash chain
catches an edit made by someone who switched the guard off."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from models.accounts import Role
from models.audit import AuditEvent
from models.base import db
from service import audit
from tests.factories import login, make_account


def test_chain_verifies_and_records_actor_and_address(ctx):
    event = audit.record("test.event", target_type="account", target_id=1, actor="cli", detail={"k": "值"})
    db.session.commit()
    checked, broken = audit.verify_chain()
    assert broken is None and checked >= 1
    stored = db.session.get(AuditEvent, event.id)
    assert (stored.actor, stored.action, stored.detail) == ("cli", "test.event", {"k": "值"})


def test_the_database_refuses_to_edit_the_log(ctx):
    event = audit.record("test.event", actor="cli")
    db.session.commit()
    with pytest.raises(DatabaseError):
        db.session.execute(text("UPDATE audit_events SET action = 'x' WHERE id = :id"), {"id": event.id})
        db.session.commit()
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
        db.session.commit()
    db.session.rollback()


def _without_guard(statement: str, params: dict) -> None:
    """Edit the log the way an attacker with DDL rights would: guard off, edit, guard back on."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change"))
        db.session.execute(text(statement), params)
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text(statement), params)
        db.session.execute(
            text(
                "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
            )
        )
    db.session.commit()


def test_chain_detects_an_edit(ctx):
    first = audit.record("review.approve", target_type="review", target_id=7, actor="cli")
    audit.record("review.reject", target_type="review", target_id=8, actor="cli")
    db.session.commit()
    original = first.target_id
    _without_guard("UPDATE audit_events SET target_id = '9' WHERE id = :id", {"id": first.id})
    try:
        _, broken = audit.verify_chain()
        assert broken == first.id
    finally:
        _without_guard(
            "UPDATE audit_events SET target_id = :v WHERE id = :id", {"v": original, "id": first.id}
        )
    assert audit.verify_chain()[1] is None


def test_admin_decisions_are_audited(app, client):
    with app.app_context():
        make_account(role=Role.PROVINCE_ADMIN, org_code="drc", username="fgw")
        target = make_account(org_code="housing").id
    headers = login(client, "fgw")
    client.post(f"/api/v1/admin/accounts/{target}/cancellation", json={"reason": "人员调离"}, headers=headers)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.cancel").order_by(AuditEvent.id.desc())
        )
        assert (event.actor, event.target_id, event.detail["reason"]) == ("fgw", str(target), "人员调离")
        assert event.address == "127.0.0.1"


def test_cli_verify_reports_the_chain(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "审计日志完好" in result.output
