"""The docs page (Swagger UI) and the API's security headers: a Content-Security-Policy that lets the
page run only its own scripts and forbids framing; HSTS whenever the request came over TLS, directly
or through a configured proxy."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from service import create_app
from service.platform.http import HSTS
from tests.conftest import TEST_KEYS


def test_the_docs_page_runs_only_its_own_scripts_and_cannot_be_framed(client):
    response = client.get("/api/v1/docs")
    policy = response.headers["Content-Security-Policy"]
    assert response.status_code == 200 and "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    inline = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.DOTALL)
    assert inline, "the page's config script"
    script_src = re.search(r"script-src ([^;]+)", policy).group(1).split()
    expected = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in inline
    }
    assert set(script_src) == {"'self'"} | expected  # no 'unsafe-inline', no other origin


def test_the_docs_assets_are_served_locally_under_the_policy(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    for src in re.findall(r'src="([^"]+)"', page):
        assert src.startswith("/api/v1/docs-assets/"), src
        with client.get(src) as asset:
            assert asset.status_code == 200


def test_api_answers_load_nothing_and_cannot_be_framed(client):
    policy = client.get("/api/v1/openapi.json").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/regions", "/healthz"])
def test_hsts_only_over_tls(client, path):
    assert "Strict-Transport-Security" not in client.get(path).headers
    assert client.get(path, base_url="https://localhost").headers["Strict-Transport-Security"] == HSTS


def test_a_forwarded_proto_counts_only_behind_a_configured_proxy(app, database_url, redis_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz", headers=forwarded).headers
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url, **TEST_KEYS}
    proxied = create_app({**config, "PROXY_HOPS": 1}).test_client()
    assert proxied.get("/healthz", headers=forwarded).headers["Strict-Transport-Security"] == HSTS
