"""The operator's probes: /healthz while the process serves, /readyz naming what is not ready."""

from __future__ import annotations

from app import create_app, redis_server


def test_healthz_answers_without_sign_in(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok"}


def test_ready_when_database_redis_and_migrations_are(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }


def test_readiness_fails_while_redis_is_down_and_recovers(app_config, _migrated, tmp_path):
    url, redis = redis_server.start(tmp_path)
    app = create_app({**app_config, "REDIS_URL": url})
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200

        redis.terminate()
        redis.wait(5)
        down = client.get("/readyz")
        assert down.status_code == 503
        checks = down.get_json()["checks"]
        assert checks["database"] == "ok" and checks["migrations"] == "ok"
        assert "Redis does not answer" in checks["redis"]

        _, redis = redis_server.start(tmp_path)  # the same socket again
        assert client.get("/readyz").status_code == 200
    finally:
        redis.terminate()
        redis.wait(5)


def test_not_ready_before_the_migrations_ran(app_config, tmp_path):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"})
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    checks = reply.get_json()["checks"]
    assert checks["database"] == "ok"
    assert "shopwire db upgrade" in checks["migrations"]
