"""A worker killed with SIGKILL mid-job: the supervisor kills what is left of its process group (the
job's work horse, rq's scheduler), starts a new worker, the sweeper takes back the attempt whose lease
ran out, and every attempt ends in a final state exactly once."""

from __future__ import annotations

import os
import signal

from tests.faults.conftest import kill, wait_for

#: Seconds from the fault to every attempt final. With the test's clocks (lease 2 s, sweep every 0.5 s,
#: 1 s in the stub engine) it is a new worker's start plus a lease plus the remaining jobs; the measured
#: figure is printed (-s shows it). The bound is generous: other work may share the two cores.
BOUND = 90


def test_a_worker_killed_mid_job_is_replaced_and_every_attempt_ends_once(product):
    ids = product.submit(4)
    wait_for(lambda: product.running(ids), BOUND, "an attempt in the engine")
    group = product.group_pids("worker")
    assert len(group) >= 2  # the worker and its job's work horse (and rq's scheduler)
    kill(product.supervisor.procs["worker"].pid)  # the worker alone, as `kill -9 <pid>` does

    took = product.wait_final(ids, BOUND)
    print(f"\nworker SIGKILL mid-job -> all {len(ids)} attempts final {took:.1f} s later")

    assert product.statuses(ids) == dict.fromkeys(ids, "passed")
    assert product.final_events(ids) == {i: ["passed"] for i in ids}  # once each
    assert product.supervisor.restarts["worker"] == 1
    assert not group & product.group_pids("worker")  # nothing of the old worker lives on


def test_a_job_that_lost_its_lease_does_not_end_the_attempt_a_second_time(product):
    """SIGSTOP the work horse: its heartbeat stops, the lease runs out, the sweeper takes the attempt
    back; woken up, the old run finds the attempt no longer its own and writes nothing, and the new
    run ends it once."""
    ids = product.submit(1)
    wait_for(lambda: product.running(ids), BOUND, "the attempt in the engine")
    horse = product.horse()
    os.kill(horse, signal.SIGSTOP)
    try:
        wait_for(lambda: product.statuses(ids)[ids[0]] == "queued", BOUND, "the sweeper to revive it")
    finally:
        os.kill(horse, signal.SIGCONT)

    product.wait_final(ids, BOUND)
    assert product.final_events(ids) == {ids[0]: ["passed"]}
    assert product.runs(ids[0]) == 2
