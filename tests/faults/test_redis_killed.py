"""Redis killed mid-run (it comes back empty: every queue is lost) and started again: uploads still
answer 202 while it is away (the database row is the truth), what needs Redis answers 503 with a
reason and never 500, and once it is back every attempt ends in a final state exactly once."""

from __future__ import annotations

from tests.faults.conftest import wait_for

#: Seconds from Redis's return to every attempt final; generous (see test_worker_killed.BOUND).
BOUND = 90


def test_with_redis_killed_uploads_are_kept_and_every_attempt_ends_once_it_is_back(product):
    ids = product.submit(3)
    late = [(headers, product.start(headers)) for headers in (product.person(), product.person())]
    wait_for(lambda: product.running(ids), BOUND, "an attempt in the engine")
    product.redis.kill()

    for headers, attempt_id in late:  # a card and the liveness frames while Redis is away
        assert product.put_card(headers, attempt_id) == 200
        assert product.post_liveness(headers, attempt_id) == 202
    needs_redis = {
        "captcha": product.client.get("/api/v1/captchas"),
        "sms code": product.client.post(
            "/api/v1/sms-codes",
            json={"phone": "13900000000", "purpose": "login", "captcha_id": "a" * 32, "captcha": "ABCD"},
        ),
        "login": product.client.post(
            "/api/v1/sessions",
            json={
                "method": "password",
                "username": "someone",
                "password": "pw",
                "captcha_id": "x",
                "captcha": "y",
            },
        ),
        "sms login": product.client.post(
            "/api/v1/sessions", json={"method": "sms", "phone": "13900000000", "sms_code": "123456"}
        ),
    }
    answers = {name: (r.status_code, r.get_json()["reason"]) for name, r in needs_redis.items()}
    assert answers == dict.fromkeys(needs_redis, (503, "service_unavailable"))
    assert all(r.headers.get("Retry-After") for r in needs_redis.values())
    assert product.client.get("/readyz").status_code == 503

    product.redis.start()
    every = ids + [attempt_id for _, attempt_id in late]
    took = product.wait_final(every, BOUND)
    print(f"\nRedis back -> all {len(every)} attempts final {took:.1f} s later")
    assert product.statuses(every) == dict.fromkeys(every, "passed")
    assert product.final_events(every) == {i: ["passed"] for i in every}
