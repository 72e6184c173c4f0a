"""Fixtures: a real Redis server, a real database (SQLite, or PostgreSQL when
``SHOPWIRE_TEST_DATABASE_URL`` is set), the app, and an authenticated API client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import text, update
from werkzeug.serving import make_server

from app import create_app, redis_server
from app.cli import issue_token, merchant_named, migrate_database
from app.config import connector_origins
from app.extensions import db
from app.models import Execution
from app.models.base import utcnow
from app.runtime.queue import execution_queue, send_wakeups
from nodes.email.fake import FakeSmtpServer
from nodes.kit.examples import example_bytes
from nodes.kit.fakes.receiver import Receiver

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The demo login's password in tests (`shopwire up --demo` generates one).
DEMO_PASSWORD = "demo-password-of-the-tests"


def load_fixture(system: str, filename: str) -> bytes:
    """A file from ``tests/fixtures/<system>/``, else from the connector's own examples."""
    path = FIXTURES / system / filename
    return path.read_bytes() if path.exists() else example_bytes(system, filename)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def redis_url(data_dir):
    url, process = redis_server.start(data_dir)
    yield url
    process.terminate()
    process.wait(5)


@pytest.fixture(scope="session")
def database_url(data_dir) -> str:
    return os.environ.get("SHOPWIRE_TEST_DATABASE_URL") or f"sqlite:///{data_dir / 'test.db'}"


@pytest.fixture(scope="session")
def app_config(data_dir, redis_url, database_url) -> dict:
    return {
        "TESTING": True,
        "SHOPWIRE_DATA_DIR": str(data_dir),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "SHOPWIRE_QUEUED_GRACE_SECONDS": 0,
    }


@pytest.fixture(scope="session")
def _migrated(app_config):
    app = create_app(app_config)
    with app.app_context():
        migrate_database()


@pytest.fixture
def app(app_config, _migrated):
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
    Redis.from_url(app_config["REDIS_URL"]).flushdb()


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """The test client with a merchant's bearer token on every request."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(path, **kwargs):
            headers = {**self.headers, **kwargs.pop("headers", {})}
            # The test's app context outlives requests, and with it the session's transaction:
            # end it, so this request sees what the browser's server wrote meanwhile.
            db.session.commit()
            return getattr(self.client, method)(path, headers=headers, **kwargs)

        return call


@pytest.fixture
def api(client) -> Api:
    return Api(client, issue_token(merchant_named("acme"), "tests"))


@pytest.fixture
def other_api(client) -> Api:
    return Api(client, issue_token(merchant_named("globex"), "tests"))


@pytest.fixture
def run_queue(app):
    """Run every queued job in this process, as a worker would, until the queue is empty."""

    def run() -> None:
        send_wakeups()
        queue = execution_queue()
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )

    return run


def flow_document(*nodes: dict, edges: list[tuple[str, str]] | None = None) -> dict:
    """A flow whose nodes run in the given order, unless edges are given."""
    if edges is None:
        edges = [(a["id"], b["id"]) for a, b in zip(nodes, nodes[1:], strict=False)]
    return {
        "schema_version": 1,
        "nodes": [{"version": 1, **node} for node in nodes],
        "edges": [{"source": s, "target": t} for s, t in edges],
    }


def create_active_flow(api: Api, graph: dict, name: str = "Test flow") -> tuple[str, str]:
    """Create and switch on a flow; return its id and webhook URL."""
    created = api.post("/api/flows", json={"name": name, "graph": graph})
    assert created.status_code == 201, created.get_json()
    flow_id = created.get_json()["id"]
    activated = api.post(f"/api/flows/{flow_id}/activate")
    assert activated.status_code == 200, activated.get_json()
    hooks = activated.get_json()["webhooks"]
    return flow_id, hooks[0]["url"] if hooks else None


def create_credential(api: Api, connector: str, data: dict, name: str = "Account") -> str:
    """Store an account for ``connector`` through the API; return its id."""
    reply = api.post("/api/credentials", json={"connector": connector, "name": name, "data": data})
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["id"]


def run_now(api: Api, run_queue, flow_id: str, payload: Any = None) -> dict:
    """Run the flow's current version with ``payload``, let a worker finish it, and return the
    execution as the API shows it."""
    started = api.post(f"/api/flows/{flow_id}/run", json={"payload": payload or {}}).get_json()
    run_queue()
    return api.get(f"/api/executions/{started['id']}").get_json()


def make_due(execution_id: str) -> None:
    """The time a waiting execution waits for has come (a delay, a retry wait)."""
    db.session.execute(
        update(Execution)
        .where(Execution.id == execution_id)
        .values(queued_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def post_json(client, url: str, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(url, data=body, content_type="application/json", headers=headers)


@pytest.fixture
def receiver():
    """A local HTTP server that records what flows send it."""
    with Receiver() as server:
        yield server


@pytest.fixture
def mail_server(app):
    """The installation's mail server: a local SMTP server."""
    with FakeSmtpServer() as server:
        app.config.update(
            SHOPWIRE_MAIL_BACKEND="smtp",
            SHOPWIRE_SMTP_HOST="127.0.0.1",
            SHOPWIRE_SMTP_PORT=server.port,
            SHOPWIRE_SMTP_STARTTLS=False,
            SHOPWIRE_MAIL_FROM="Shopwire <no-reply@shopwire.example>",
        )
        yield server


@contextmanager
def connected(app, connector: str, fake):
    """Serve a provider fake and point the connector's API at it, for this test."""
    with fake:
        origins = connector_origins(app.config["SHOPWIRE_CONNECTOR_ORIGINS"])
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = {**origins, connector: fake.origin}
        yield fake


@pytest.fixture
def served(app):
    """The app on a real HTTP port, in a thread, against the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def worker_process(app_config):
    """A real `shopwire worker` process on the test database and Redis."""
    env = dict(
        os.environ,
        SHOPWIRE_DATA_DIR=app_config["SHOPWIRE_DATA_DIR"],
        DATABASE_URL=app_config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app_config["REDIS_URL"],
        SHOPWIRE_ALLOW_PRIVATE_NETWORKS="127.0.0.0/8",
    )
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env)
    yield process
    process.terminate()
    process.wait(10)
