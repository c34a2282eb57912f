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
