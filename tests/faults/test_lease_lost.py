"""A job that lost its lease does not end its attempt a second time: SIGSTOP the work horse, its
heartbeat stops, the lease runs out and the sweeper takes the attempt back; woken up, the old run finds
the attempt no longer its own and writes nothing, and the new run ends it once."""

from __future__ import annotations

import os
import signal

import pytest

from tests.faults.conftest import CLOCKS, wait_for

BOUND = 90


@pytest.fixture
def clocks() -> dict[str, str]:
    """A long stay in the stub engine: the test must catch the job there, however loaded the machine."""
    return {**CLOCKS, "XJY_STUB_ENGINE_SECONDS": "8"}


def test_a_job_that_lost_its_lease_does_not_end_the_attempt_a_second_time(product):
    ids = product.submit(1)
    wait_for(lambda: product.running(ids), BOUND, "the attempt in the engine")
    horse = product.horse()
    os.kill(horse, signal.SIGSTOP)
    try:
        assert product.statuses(ids)[ids[0]] == "running"
        wait_for(lambda: product.statuses(ids)[ids[0]] == "queued", BOUND, "the sweeper to revive it")
    finally:
        os.kill(horse, signal.SIGCONT)

    product.wait_final(ids, BOUND)
    assert product.final_events(ids) == {ids[0]: ["passed"]}
    assert product.runs(ids[0]) == 2
