"""The app factory, the error envelope and the OpenAPI document."""

from __future__ import annotations


def test_openapi_document_lists_the_mobile_and_hall_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/sms-codes",
        "/api/v1/registrations",
        "/api/v1/sessions",
        "/api/v1/me",
        "/api/v1/regions",
        "/api/v1/organisations",
        "/api/v1/matters",
        "/api/v1/permission-requests",
        "/api/v1/admin/reviews",
        "/api/v1/admin/reviews/{review_id}/decision",
        "/api/v1/admin/accounts",
    ):
        assert path in spec["paths"], path


def test_swagger_ui_is_served_from_local_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/api/v1/docs-assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_unknown_path_answers_with_the_envelope(client):
    body = client.get("/api/v1/nothing-here").get_json()
    assert body == {"code": 404, "status": "Not Found", "reason": "not_found", "message": "未找到该记录"}


def test_unexpected_error_never_leaks_a_traceback(app):
    from service import create_app

    fresh = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @fresh.get("/boom-test")
    def boom():
        raise RuntimeError("secret internal detail")

    response = fresh.test_client().get("/boom-test")
    assert response.status_code == 500
    assert response.get_json()["reason"] == "internal_error"
    assert b"secret" not in response.data and b"Traceback" not in response.data


def test_missing_keys_refuse_to_start(monkeypatch):
    import pytest

    from service import create_app

    for key in ("XJY_SECRET_KEY", "XJY_ID_NUMBER_KEY", "XJY_LOOKUP_KEY"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setattr(
        "service.platform.config._instance_keys", lambda app: None
    )  # ignore a local `make run`
    with pytest.raises(RuntimeError, match="ID_NUMBER_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_chinese_is_sent_as_utf8_not_escaped(client):
    body = client.get("/api/v1/regions?parent=430000").data.decode()
    assert "长沙市" in body


def test_responses_are_never_cached(client):
    response = client.get("/api/v1/regions?parent=430000")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
