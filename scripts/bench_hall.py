"""The web hall's figures on this machine: status polls per second and p99 (with 304s) next to a
trivial endpoint on the same server; the same with 1,000 open event streams; and how long a change
takes to reach the feed, an event stream and a webhook receiver.

The load comes from wrk (Debian's ``wrk`` package, a C load generator in a process of its own) when it
is installed, else from Python threads in this process; on a small machine the Python client takes
much of the CPU the server would use and its own GIL adds to every latency, so prefer wrk
(``apt-get install wrk``; a dev tool, not needed by the product or its tests).

It starts its own service the way `make run` does (gunicorn with the project's gevent settings, a
fresh SQLite file, an embedded Redis, the scheduler and a worker without model warm-up for webhook
deliveries), creates a service client and a webhook subscription to a receiver it runs itself, and
drives everything over loopback. Bounded in count and time.

    scripts/run python -m scripts.bench_hall [--seconds 10] [--concurrency 8] [--streams 1000] [--changes 30]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from scripts.bench_api import ROOT, local_service


def _flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "flask", "--app", "service", *args],
        env=env,
        cwd=ROOT,  # noqa: S603
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _token(base: str, env: dict[str, str]) -> str:
    out = _flask(
        env,
        "clients",
        "create",
        "--name",
        "bench",
        "--scopes",
        "accounts:read,verifications:read,events:read",
    )
    client_id, secret = (re.search(rf"{key}\s+(\S+)", out).group(1) for key in ("client_id", "client_secret"))  # type: ignore[union-attr]
    answer = requests.post(
        f"{base}/api/v1/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        timeout=10,
    )
    return str(answer.json()["access_token"])


def poll(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> tuple[float, float, int]:
    """Requests/s, p99 ms and how many answered 304 (-1: not counted), from ``concurrency``
    keep-alive connections, with wrk when it is installed."""
    if shutil.which("wrk"):
        return poll_wrk(url, headers, seconds, concurrency)
    return poll_python(url, headers, seconds, concurrency)


def poll_wrk(url: str, headers: dict[str, str], seconds: float, concurrency: int) -> tuple[float, float, int]:
    """wrk's figures; the ETag is fetched once and sent on every request (it does not change)."""
    etag = requests.get(url, headers=headers, timeout=10).headers.get("ETag")
    sent = {**headers, **({"If-None-Match": etag} if etag else {})}
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:.0f}s", "--latency"]
    command += [arg for name, value in sent.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"wrk saw errors:\n{out}")
    return rate, p99, -1


def poll_python(
    url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, float, int]:
    """Requests/s, p99 ms and how many answered 304, from ``concurrency`` keep-alive sessions."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    not_modified = 0
    lock = threading.Lock()

    def run(_: int) -> None:
        nonlocal not_modified
        session = requests.Session()
        etag = None
        mine, unchanged = [], 0
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            answer = session.get(
                url, headers={**headers, **({"If-None-Match": etag} if etag else {})}, timeout=10
            )
            mine.append(time.perf_counter() - t0)
            etag = answer.headers.get("ETag", etag)
            unchanged += answer.status_code == 304
        with lock:
            latencies.extend(mine)
            not_modified += unchanged

    start = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(run, range(concurrency)))
    elapsed = time.monotonic() - start
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(0.99 * (len(latencies) - 1))] * 1000, not_modified


def open_streams(port: int, token: str, count: int) -> list[socket.socket]:
    """``count`` event streams held open (their bytes drained by one thread)."""
    socks = []
    request = (
        f"GET /api/v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(request)
        socks.append(sock)
    for sock in socks:  # measure only once every stream is set up and waiting
        received = b""
        while b"retry:" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("a stream was closed before it started")
            received += chunk
    return socks


class Receiver:
    """A webhook receiver recording when each event id arrived."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                event_id = self.headers.get("X-XJY-Event-Id") or ""
                if event_id.isdigit():
                    outer.arrived[int(event_id)] = time.perf_counter()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


def change_latency(base: str, env: dict[str, str], token: str, changes: int, receiver: Receiver) -> None:
    """Suspend and reactivate a demo city admin ``changes`` times; time each event to the feed, the
    stream and the webhook receiver."""
    admins = re.findall(r"用户名 (\S+)\s+密码 (\S+)\s+(\S+)", env["BENCH_ADMINS"])
    province = next((u, p) for u, p, role in admins if role == "province_admin")
    city = next(u for u, _, role in admins if role == "city_admin")
    admin = requests.post(
        f"{base}/api/v1/sessions",
        json={"method": "password", "username": province[0], "password": province[1]},
        timeout=10,
    ).json()["token"]
    auth = {"Authorization": f"Bearer {admin}"}
    target = requests.get(f"{base}/api/v1/admin/accounts?q={city}", headers=auth, timeout=10).json()["items"][
        0
    ]["id"]
    stream_seen: dict[int, float] = {}
    stream = requests.get(
        f"{base}/api/v1/events/stream", headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=60
    )

    def read_stream() -> None:
        try:
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("id: "):
                    stream_seen[int(line[4:])] = time.perf_counter()
        except (requests.RequestException, AttributeError):
            pass  # closed at the end of the run

    threading.Thread(target=read_stream, daemon=True).start()
    feed, sse, hook = [], [], []
    cursor = requests.get(
        f"{base}/api/v1/events?limit=500", headers={"Authorization": f"Bearer {token}"}, timeout=10
    ).json()["next"]
    for n in range(changes):
        action = "suspension" if n % 2 == 0 else "reactivation"
        t0 = time.perf_counter()
        requests.post(
            f"{base}/api/v1/admin/accounts/{target}/{action}",
            json={"reason": "bench"},
            headers=auth,
            timeout=10,
        )
        while True:  # the feed, polled as a hall server would
            items = requests.get(
                f"{base}/api/v1/events?after={cursor}",
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            ).json()["items"]
            if items:
                feed.append(time.perf_counter() - t0)
                event_id = cursor = items[-1]["id"]
                break
        deadline = time.perf_counter() + 30
        while (
            event_id not in stream_seen or event_id not in receiver.arrived
        ) and time.perf_counter() < deadline:
            time.sleep(0.01)
        if event_id in stream_seen:
            sse.append(stream_seen[event_id] - t0)
        if event_id in receiver.arrived:
            hook.append(receiver.arrived[event_id] - t0)
    stream.close()
    for name, values in (("feed (polled)", feed), ("event stream", sse), ("webhook", hook)):
        if values:
            values.sort()
            print(
                f"change -> {name:<14} median {statistics.median(values) * 1000:7.1f} ms  "
                f"p95 {values[int(0.95 * (len(values) - 1))] * 1000:7.1f} ms  n={len(values)}"
            )
        else:
            print(f"change -> {name:<14} not seen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--web-workers",
        type=int,
        help="gunicorn workers (WEB_CONCURRENCY; default the product's 2). On a 2-core machine, 1 "
        "leaves a core to the load generator, so the latencies measure the server, not the contention",
    )
    args = parser.parse_args()
    if args.web_workers:
        os.environ["WEB_CONCURRENCY"] = str(args.web_workers)
    receiver = Receiver()
    with local_service(args.port, None) as (base, env):
        env = {**env, "XJY_WORKER_WARM_UP": "false"}
        side = [
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "flask", "--app", "service", cmd],
                env=env,
                cwd=ROOT,  # noqa: S603
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for cmd in ("worker", "scheduler")
        ]
        try:
            token = _token(base, env)
            _flask(env, "webhooks", "create", "--name", "bench", "--url", receiver.url)
            headers = {"Authorization": f"Bearer {token}"}
            status = f"{base}/api/v1/accounts/1/verification-status"
            print(
                f"gunicorn: {os.environ.get('WEB_CONCURRENCY', '2')} gevent workers (gunicorn_conf.py); "
                f"{args.concurrency} pollers, {args.seconds:.0f} s each, "
                f"client: {'wrk' if shutil.which('wrk') else 'Python threads (install wrk: better figures)'}"
            )
            for url, sent in ((f"{base}/healthz", {}), (status, headers)):  # warm both up, unmeasured
                poll(url, sent, 2, args.concurrency)
            trivial = poll(f"{base}/healthz", {}, args.seconds, args.concurrency)
            polled = poll(status, headers, args.seconds, args.concurrency)
            print(f"trivial /healthz            {trivial[0]:8.1f} req/s  p99 {trivial[1]:6.1f} ms")
            print(
                f"status poll (304s: {polled[2] if polled[2] >= 0 else 'all':>6})  "
                f"{polled[0]:8.1f} req/s  p99 {polled[1]:6.1f} ms  "
                f"= {polled[0] / trivial[0]:.2f} x trivial"
            )
            socks = open_streams(args.port, token, args.streams)
            time.sleep(2)
            held = poll(status, headers, args.seconds, args.concurrency)
            print(
                f"with {len(socks)} open streams     {held[0]:8.1f} req/s  p99 {held[1]:6.1f} ms  "
                f"= {held[0] / polled[0]:.2f} x without"
            )
            for sock in socks:
                sock.close()
            change_latency(base, env, token, args.changes, receiver)
        finally:
            for proc in side:
                proc.terminate()
                proc.wait(timeout=30)
    receiver.server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
