"""``flask scheduler``: one process runs all the periodic work, and one failing step stops no other."""

from __future__ import annotations

from models.base import db
from service import audit
from service.audit import checkpoint
from service.cli import scheduler


def test_one_tick_runs_every_periodic_step(app, tmp_path, monkeypatch):
    ran: list[str] = []
    real = scheduler.periodic_steps

    def counted() -> list[scheduler.Step]:
        return [
            (name, interval, lambda w=work, n=name: ran.append(n) or w()) for name, interval, work in real()
        ]

    monkeypatch.setattr(scheduler, "periodic_steps", counted)
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_DIR", str(tmp_path))
    with app.app_context():
        audit.record("test.event", actor="cli")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert ran == ["expire", "sweep", "purge", "audit-checkpoint", "crl-refresh"]
    assert (tmp_path / checkpoint.FILENAME).exists()  # the audit head is anchored without cron


def test_a_failing_step_is_reported_and_the_rest_still_run(app, monkeypatch):
    ran: list[str] = []

    def broken() -> None:
        raise ConnectionError("database away")

    steps = [
        ("first", "SCHEDULER_SWEEP_SECONDS", broken),
        ("second", "SCHEDULER_SWEEP_SECONDS", lambda: ran.append("x")),
    ]
    monkeypatch.setattr(scheduler, "periodic_steps", lambda: steps)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0 and ran == ["x"]
    assert "定时任务 first 失败: ConnectionError" in result.stderr


def test_an_audit_alarm_is_printed_with_its_reason(app, monkeypatch):
    def tampered() -> None:
        raise checkpoint.CheckpointError("audit_tail_missing", "审计日志末尾的事件被删除")

    monkeypatch.setattr(
        scheduler, "periodic_steps", lambda: [("audit-checkpoint", "SCHEDULER_SWEEP_SECONDS", tampered)]
    )
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert "定时任务 audit-checkpoint 失败: 审计日志末尾的事件被删除" in result.stderr
