"""The production image's contents run as compose.yaml runs them, on a machine with no Docker daemon.

No image can be built where there is no Docker daemon and no registry for the base image. What the
image holds can still be run: this installs the project's locked runtime dependencies without the
dev group into a venv of its own (the Dockerfile's ``uv sync --frozen --no-dev --no-install-project``),
copies only the folders the Dockerfile's COPY lines name, and starts from there the commands of
compose.yaml's services - migrate, api, N workers and the scheduler - with the settings compose
gives them (JSON logs, an audit-checkpoint folder, a metrics folder per process; secrets made up for
the run), a throwaway PostgreSQL database on ``--postgres`` and a redis-server of its own. It waits for
``/readyz`` to report every worker live, then runs ``--attempts`` verifications through the API (a
generated card carrying a real public test photo, synthetic liveness frames of the same person) and
prints how each ended. It catches what the image would lack: a dev-only dependency imported at run
time, a file outside the copied folders, a compose command that does not start.

    scripts/run python -m scripts.image_smoke [--postgres postgresql://postgres@127.0.0.1:5432/test]
        [--workers 2] [--attempts 3]

What it does not check: the base image's own system libraries, the container user and volumes.
PyYAML (to read compose.yaml) is not a direct dependency: it comes in with rapidocr.
Bounded in time; prints what it saw and exits non-zero when something did not come up or end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import yaml

from scripts.bench_api import ROOT, _env, scratch_postgres
from scripts.bench_workers import Inputs, _redis, outcomes, prepare

FINAL = {"passed", "failed", "needs_review", "error", "expired"}


def _uv() -> str:
    found = shutil.which("uv") or str(ROOT / ".tools" / "uv" / "bin" / "uv")
    if not Path(found).exists():
        raise SystemExit("uv not found: run `make sync` first")
    return found


def build(tmp: Path) -> Path:
    """The image's /app and /opt/venv, made as the Dockerfile makes them; returns the app folder."""
    app = tmp / "app"
    app.mkdir()
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                target = app / source
                copy = shutil.copytree if (ROOT / source).is_dir() else shutil.copy
                copy(ROOT / source, target)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(tmp / "venv")}
    sync = [_uv(), "sync", "--frozen", "--no-dev", "--no-install-project", "--quiet"]
    subprocess.run(sync, cwd=app, env=env, check=True)  # noqa: S603 (our own uv, fixed arguments)
    return app


def compose_commands() -> dict[str, list[str]]:
    """Each app service's command in compose.yaml, the shell's metrics folder set-up kept."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    return {name: spec["command"] for name, spec in services.items() if "command" in spec and name != "redis"}


def start(
    name: str, command: list[str], app: Path, env: dict[str, str], logs: Path
) -> subprocess.Popen[bytes]:
    metrics = logs / f"metrics-{name}"
    metrics.mkdir(exist_ok=True)
    with (logs / f"{name}.log").open("wb") as log:
        return subprocess.Popen(  # noqa: S603 (compose.yaml's own commands)
            command, cwd=app, env={**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}, stdout=log, stderr=log
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--attempts", type=int, default=3)
    parser.add_argument("--port", type=int, default=8792)
    args = parser.parse_args()
    commands = compose_commands()
    with tempfile.TemporaryDirectory() as tmpdir, scratch_postgres(args.postgres) as database_url:
        tmp = Path(tmpdir)
        began = time.perf_counter()
        app = build(tmp)
        contents = sorted(p.name for p in app.iterdir())
        print(f"image contents: {contents}, venv in {time.perf_counter() - began:.0f} s")
        redis, redis_url = _redis(tmp)
        env = _env(tmp, redis_url, database_url)
        env.update(
            PATH=f"{tmp / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}", FLASK_APP="service",
            HOST="127.0.0.1", PORT=str(args.port), XJY_LOG_FORMAT="json",
            XJY_AUDIT_CHECKPOINT_DIR=str(tmp / "audit"), XJY_VERIFY_DAILY_SUBMISSIONS_PER_ID_NUMBER="1000",
            PYTHONDONTWRITEBYTECODE="1",
        )  # fmt: skip
        env.pop("PYTHONPATH", None)  # the image's code is what is importable, not this checkout's
        (tmp / "audit").mkdir()
        processes: list[subprocess.Popen[bytes]] = []
        try:
            migrate = start("migrate", commands["migrate"], app, env, tmp)
            if migrate.wait(timeout=300) != 0:
                print((tmp / "migrate.log").read_text()[-2000:])
                return 1
            processes.append(start("api", commands["api"], app, env, tmp))
            processes += [start(f"worker{i}", commands["worker"], app, env, tmp) for i in range(args.workers)]
            processes.append(start("scheduler", commands["scheduler"], app, env, tmp))
            ready = _ready(f"http://127.0.0.1:{args.port}", args.workers)
            print(f"/readyz: {ready}")
            if ready.get("status") != "ready":
                return 1
            return _verify(env, args.attempts)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=45)
                except subprocess.TimeoutExpired:
                    process.kill()
            redis.terminate()


def _ready(base: str, workers: int) -> dict:  # type: ignore[type-arg]
    """``/readyz`` once every worker is live with its models loaded (at most three minutes)."""
    body: dict = {}  # type: ignore[type-arg]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            body = requests.get(f"{base}/readyz", timeout=5).json()
            if body.get("status") == "ready" and body["checks"]["worker"]["detail"] == f"{workers} live":
                return body
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(1)
    return body


def _verify(env: dict[str, str], attempts: int) -> int:
    """``attempts`` verifications through the API in this process; the image's workers run them."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DATABASE_URL", "REDIS_URL", "XJY_"))})
    from models.base import db
    from service import create_app
    from service.reference import seed

    app = create_app()
    with app.app_context():
        seed.seed_demo_organisations()
        db.session.commit()
    began = time.perf_counter()
    ids = prepare(app, Inputs(seed=7), attempts)
    ended = outcomes(app, ids)
    while time.perf_counter() - began < 300 and not set(ended.values()) <= FINAL:
        time.sleep(0.5)
        ended = outcomes(app, ids)
    print(f"{attempts} verifications in {time.perf_counter() - began:.1f} s: {ended}")
    return 0 if set(ended.values()) == {"passed"} else 1


if __name__ == "__main__":
    sys.exit(main())
