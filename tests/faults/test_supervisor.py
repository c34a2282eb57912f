"""The embedded product's Supervisor keeps its Redis alive: killed, it is started again on the same
socket, so every process's REDIS_URL still holds."""

from __future__ import annotations

import os
import signal
import threading

from redis import Redis

from service.platform.embedded import Supervisor, redis_command
from tests.faults.conftest import STARTUP, _pings, wait_for


def test_the_embedded_redis_is_restarted_when_it_dies(tmp_path):
    command, url = redis_command(tmp_path)
    supervisor = Supervisor(dict(os.environ), {"redis": command}, tick=0.2)
    thread = threading.Thread(target=supervisor.run, daemon=True)
    thread.start()
    client = Redis.from_url(url, socket_connect_timeout=0.2)
    try:
        wait_for(lambda: _pings(client), STARTUP, "the embedded Redis")
        first = supervisor.procs["redis"].pid
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: supervisor.procs["redis"].pid != first, 30, "a new Redis process")
        wait_for(lambda: _pings(client), 30, "the embedded Redis back on its socket")
        assert supervisor.restarts["redis"] == 1
    finally:
        client.close()
        supervisor.stop()
        thread.join(timeout=10)
