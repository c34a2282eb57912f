"""Operations endpoints: liveness, readiness with its checks, and Prometheus metrics."""

from __future__ import annotations

from service.platform.extensions import redis_store
from service.verification import queue


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_wants_a_live_worker_with_its_models(app, client, monkeypatch):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["worker"]["ok"] is False
    monkeypatch.setattr(queue, "live_workers", lambda: ["w1"])
    assert client.get("/readyz").status_code == 200


def test_live_workers_need_a_heartbeat_and_loaded_models(app):
    from rq import Worker
    from rq.serializers import JSONSerializer

    with app.app_context():
        worker = Worker([queue.VERIFICATION_QUEUE], connection=redis_store.client, serializer=JSONSerializer)
        worker.register_birth()
        worker.heartbeat()
        try:
            assert queue.live_workers() == []  # registered and beating, but no models loaded
            redis_store.client.set(queue.MODELS_KEY.format(name=worker.name), "1")
            assert queue.live_workers() == [worker.name]
        finally:
            worker.register_death()


def test_metrics_count_requests_by_route(client):
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'xjy_http_request_seconds_count{method="GET",route="/healthz",status="200"}' in text
    assert "xjy_queue_depth" in text


def test_an_idle_worker_beats_its_heart_within_the_liveness_window(app, monkeypatch):
    """rq beats an idle worker's heart once per wait for a job (TTL - 15 s): with rq's default TTL
    (420 s) an idle worker looked dead to /readyz after 90 s; `flask worker` sets a shorter one."""
    from rq import Worker

    from service.cli import worker as worker_cli

    made = {}

    class Recorded(Worker):
        def work(self, **kwargs):  # the command's worker, made but not run
            made["worker"] = self
            return True

    monkeypatch.setattr(worker_cli, "Worker", Recorded)
    monkeypatch.setitem(app.config, "WORKER_WARM_UP", False)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert made["worker"].dequeue_timeout <= queue.WORKER_HEARTBEAT_SECONDS / 2
