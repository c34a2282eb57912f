"""The upload pre-check under gevent: other connections are served while it reads a card's print.

A gevent worker serves all its connections on one thread. The pre-check of a grey copy (whose
pictures cannot tell the side, so its print is read, the first time after loading the OCR models)
computes for a second or more; run on the loop it stalls every other greenlet for as long. The test
runs in a child process patched as gunicorn's gevent worker patches itself, with a greenlet ticking
every 10 ms, and measures the longest gap between its ticks during the pre-check: once called
directly (the stall the test can see) and once through ``off_the_loop``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
from gevent import monkey
monkey.patch_all()
import json, time
import gevent
import scripts.gen_idcards as gen
from idverify.precheck import precheck
from service.platform.offload import gevent_sockets, off_the_loop

front = gen.generate(1, seed=5, sides=("front",), degradations=("bw",))[0].jpeg
gaps = []

def ticker():
    last = time.monotonic()
    while True:
        gevent.sleep(0.01)
        now = time.monotonic()
        gaps.append(now - last)
        last = now

def longest_gap(call):
    gaps.clear()
    tick = gevent.spawn(ticker)
    gevent.sleep(0.05)
    start = time.monotonic()
    result = call()
    took = time.monotonic() - start
    gevent.sleep(0.05)
    tick.kill()
    return {"ok": result.ok, "took": took, "gap": max(gaps)}

out = {"patched": gevent_sockets()}
out["offloaded"] = longest_gap(lambda: off_the_loop(precheck, front, "front"))  # loads the OCR too
out["direct"] = longest_gap(lambda: precheck(front, "front"))
print(json.dumps(out))
"""


def test_precheck_reading_print_does_not_stall_the_loop():
    done = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["patched"]
    direct, offloaded = out["direct"], out["offloaded"]
    assert direct["ok"] and offloaded["ok"]  # a genuine front: accepted either way
    # Called on the loop, the ticker stood still for most of the pre-check (the stall is measurable)...
    assert direct["took"] > 0.1
    assert direct["gap"] > 0.6 * direct["took"]
    # ...run off the loop, it kept ticking through a longer one (the first: models loaded as well).
    assert offloaded["took"] > direct["took"]
    assert offloaded["gap"] < 0.25
