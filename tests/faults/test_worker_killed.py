"""A worker killed with SIGKILL mid-job: the supervisor kills what is left of its session (the job's
work horse, rq's scheduler), starts a new worker, the sweeper takes back the attempt whose lease ran
out, and every attempt ends in a final state exactly once."""

from __future__ import annotations

from tests.faults.conftest import alive, kill, wait_for

#: Seconds from the fault to every attempt final. With the test's clocks (lease 2 s, sweep every 0.5 s,
#: 1 s in the stub engine) it is a new worker's start plus a lease plus the remaining jobs; the measured
#: figure is printed (-s shows it). The bound is generous: other work may share the two cores.
BOUND = 90


def test_a_worker_killed_mid_job_is_replaced_and_every_attempt_ends_once(product):
    ids = product.submit(4)
    wait_for(lambda: product.running(ids), BOUND, "an attempt in the engine")
    old = product.session_pids("worker")
    assert len(old) >= 3  # the worker, rq's scheduler and the job's work horse
    kill(product.supervisor.procs["worker"].pid)  # the worker alone, as `kill -9 <pid>` does

    took = product.wait_final(ids, BOUND)
    print(f"\nworker SIGKILL mid-job -> all {len(ids)} attempts final {took:.1f} s later")

    assert product.statuses(ids) == dict.fromkeys(ids, "passed")
    assert product.final_events(ids) == {i: ["passed"] for i in ids}  # once each
    assert product.supervisor.restarts["worker"] == 1
    assert not alive(old)  # nothing of the old worker lives on
