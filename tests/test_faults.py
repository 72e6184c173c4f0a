"""Fault tests: the engine's promises when Redis, a worker or the database fails.

Real Redis servers (private ones where a test stops or kills something), the real test database,
real worker and scheduler processes, and recording HTTP servers on loopback only. Every wait is
bounded by a deadline.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from pathlib import Path

import pytest
from flask import Flask
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from sqlalchemy import func, make_url, select

from app import create_app, redis_server
from app.extensions import db
from app.models import Execution, StepRun
from app.runtime.queue import execution_queue, redis_connection, send_wakeups
from app.runtime.sweeper import sweep
from nodes.kit.fakes.receiver import Receiver
from tests.conftest import create_active_flow, flow_document, post_json

ROOT = Path(__file__).resolve().parents[1]
WORKER = [sys.executable, "-m", "app.cli", "worker"]
SCHEDULER = [sys.executable, "-m", "app.cli", "scheduler"]


# --- helpers -------------------------------------------------------------------------------


class PrivateRedis:
    """A Redis server of this test's own, so it can be stopped without touching the session's."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.url, self.process = redis_server.start(directory)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)

    def start(self) -> None:
        url, self.process = redis_server.start(self.directory)
        assert url == self.url  # the same unix socket path as before


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def make_app(app_config) -> Iterator[Callable[..., Flask]]:
    """Apps beside the conftest one (other Redis, other settings), on the same database."""
    made: list[Flask] = []

    def make(**overrides) -> Flask:
        made.append(create_app({**app_config, **overrides}))
        return made[-1]

    yield make
    for app in made:
        with app.app_context():
            if "shopwire_redis" in app.extensions:
                app.extensions["shopwire_redis"].close()
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def second_receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def drain(app: Flask) -> None:
    """Run the app's queue until it is empty, in this process, as a worker would."""
    with app.app_context():
        send_wakeups()
        queue = execution_queue()
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True, logging_level="WARNING"
        )


def fresh(execution_id: str) -> Execution:
    """The execution as the database has it now, not as this session remembers it."""
    db.session.remove()
    execution = db.session.get(Execution, execution_id)
    assert execution is not None
    return execution


def execution_count() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(Execution))


def step_counts(execution_id: str) -> dict[str, int]:
    db.session.remove()
    rows = db.session.execute(
        select(StepRun.node_id, func.count())
        .where(StepRun.execution_id == execution_id)
        .group_by(StepRun.node_id)
    ).all()
    return dict(rows)


def http_node(node_id: str, url: str) -> dict:
    return {
        "id": node_id,
        "type": "core.http_request",
        "params": {"method": "POST", "url": url},
        "mapping": {"body": "input"},
    }


MAP_NODE = {"type": "core.map", "params": {"fields": {"ok": True}}}


def backend(database_url: str) -> str:
    return make_url(database_url).get_backend_name()


def webhook_to(receiver, api) -> str:
    """Switch on a flow that sends each event to ``receiver``; return its webhook URL."""
    graph = flow_document({"id": "hook", "type": "core.webhook"}, http_node("send", receiver.url()))
    return create_active_flow(api, graph)[1]


# --- 1. Redis down at ingress ---------------------------------------------------------------


def test_event_acknowledged_while_redis_is_down_runs_once_after_the_sweep(
    api, make_app, private_redis, receiver
):
    hook_url = webhook_to(receiver, api)
    web = make_app(REDIS_URL=private_redis.url)
    with web.app_context():
        assert redis_connection().ping()  # the pool now holds a connection that will go stale
    private_redis.stop()

    started = time.monotonic()
    response = post_json(web.test_client(), hook_url, {"id": 4711, "total": "19.90"})
    took = time.monotonic() - started

    assert response.status_code == 202, response.get_json()
    assert took < 5, f"ingress took {took:.1f}s with Redis down"
    execution_id = response.get_json()["execution_id"]
    assert fresh(execution_id).status == "queued"
    assert receiver.requests == []

    private_redis.start()
    with web.app_context():
        assert sweep() is True
    drain(web)

    execution = fresh(execution_id)
    assert execution.status == "succeeded", execution.error
    assert execution.runs == 1
    [delivery] = receiver.requests
    assert delivery.json() == {"id": 4711, "total": "19.90"}
    assert delivery.header("Idempotency-Key") == f"{execution_id}:send"

    with web.app_context():
        assert sweep() is False  # nothing is left stranded, so nothing is sent again
    drain(web)
    assert len(receiver.requests) == 1


@pytest.fixture
def black_hole() -> Iterator[str]:
    """A loopback address whose connection attempts hang, like a Redis host that is gone:
    a listening socket that never accepts, with its one-slot backlog already taken."""
    with closing(socket.socket()) as server, closing(socket.socket()) as filler:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        host, port = server.getsockname()
        filler.connect((host, port))
        with closing(socket.socket()) as probe:
            probe.settimeout(0.3)
            try:
                probe.connect((host, port))
            except TimeoutError:
                hangs = True
            else:
                hangs = False
        if not hangs:
            pytest.skip("this kernel accepts beyond the backlog; cannot make connects hang")
        yield f"redis://{host}:{port}/0"


def test_event_acknowledged_while_redis_host_is_unreachable(api, make_app, black_hole):
    _, hook_url = create_active_flow(
        api, flow_document({"id": "hook", "type": "core.webhook"}, {"id": "m", **MAP_NODE})
    )
    web = make_app(REDIS_URL=black_hole)
    started = time.monotonic()
    response = post_json(web.test_client(), hook_url, {"id": 3})
    took = time.monotonic() - started

    assert response.status_code == 202, response.get_json()
    assert took < 4, f"ingress took {took:.1f}s with the Redis host unreachable"
    assert fresh(response.get_json()["execution_id"]).status == "queued"


def test_job_lost_by_a_restarted_redis_is_run_after_the_sweep(
    api, make_app, private_redis, receiver
):
    hook_url = webhook_to(receiver, api)
    web = make_app(REDIS_URL=private_redis.url)
    response = post_json(web.test_client(), hook_url, {"id": 5})
    assert response.status_code == 202, response.get_json()
    execution_id = response.get_json()["execution_id"]

    private_redis.stop()  # the bundled Redis keeps nothing on disk: the queued job is gone
    private_redis.start()
    drain(web)
    assert fresh(execution_id).status == "queued"
    assert receiver.requests == []

    with web.app_context():
        assert sweep() is True
    drain(web)
    assert fresh(execution_id).status == "succeeded"
    assert len(receiver.requests) == 1


def test_event_acknowledged_while_redis_is_frozen_runs_once(api, make_app, private_redis, receiver):
    """A Redis that accepts connections but never answers (stopped process, full network
    buffer): ingress waits for the socket timeout, not longer, and the enqueue that timed out
    on our side may still happen on Redis's side. Either way the event runs exactly once."""
    hook_url = webhook_to(receiver, api)
    web = make_app(REDIS_URL=private_redis.url)
    with web.app_context():
        assert redis_connection().ping()
    os.kill(private_redis.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = post_json(web.test_client(), hook_url, {"id": 6})
        took = time.monotonic() - started
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)

    assert response.status_code == 202, response.get_json()
    assert took < 8, f"ingress took {took:.1f}s with Redis frozen"
    execution_id = response.get_json()["execution_id"]
    with web.app_context():
        sweep()
    drain(web)
    assert fresh(execution_id).status == "succeeded"
    assert len(receiver.requests) == 1


# --- 2. Worker killed in the middle of a flow -----------------------------------------------


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        process.wait(5)


def _logs(*paths: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in paths)


def two_actions(api, server_a: Receiver, server_b: Receiver) -> tuple[str, str]:
    """A switched-on flow that sends each event to server_a (step a), then server_b (step b)."""
    return create_active_flow(
        api,
        flow_document(
            {"id": "hook", "type": "core.webhook"},
            http_node("a", server_a.url("/a")),
            http_node("b", server_b.url("/b")),
        ),
    )


def worker_env(app_config, private_redis, **settings: str) -> dict[str, str]:
    """The environment of a worker or scheduler process on the test database, with leases of
    two seconds."""
    return {
        **os.environ,
        "SHOPWIRE_DATA_DIR": app_config["SHOPWIRE_DATA_DIR"],
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": private_redis.url,
        "SHOPWIRE_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
        "SHOPWIRE_EXECUTION_LEASE_SECONDS": "2",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


def test_worker_killed_mid_flow_resumes_at_the_unfinished_step(
    api, app_config, make_app, private_redis, receiver, second_receiver, tmp_path
):
    server_a, server_b = receiver, second_receiver
    _, hook_url = two_actions(api, server_a, server_b)
    env = worker_env(app_config, private_redis, SHOPWIRE_SWEEP_INTERVAL_SECONDS="1")
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log", tmp_path / "scheduler.log"]
    web = make_app(REDIS_URL=private_redis.url)
    processes: list[subprocess.Popen] = []
    try:
        server_b.hold()
        processes.append(_spawn(WORKER, env, logs[0]))
        response = post_json(web.test_client(), hook_url, {"id": 99, "email": "jon@example.com"})
        assert response.status_code == 202, response.get_json()
        execution_id = response.get_json()["execution_id"]

        try:
            server_b.wait_for(1, timeout=20)
        except TimeoutError:
            pytest.fail("step b never started\n" + _logs(logs[0]))
        assert step_counts(execution_id) == {"a": 1}  # a is recorded before b starts
        assert fresh(execution_id).status == "running"

        _stop(processes[0])
        assert processes[0].returncode == -signal.SIGKILL
        server_b.release()
        processes.append(_spawn(WORKER, env, logs[1]))
        processes.append(_spawn(SCHEDULER, env, logs[2]))

        deadline = time.monotonic() + 25
        while (status := fresh(execution_id).status) in ("queued", "running"):
            if time.monotonic() > deadline:
                pytest.fail(f"execution still {status}\n" + _logs(*logs))
            time.sleep(0.2)
    finally:
        for process in processes:
            _stop(process)

    execution = fresh(execution_id)
    assert execution.status == "succeeded", (execution.error, _logs(*logs))
    assert execution.runs == 2  # the killed run and the resumed one

    assert len(server_a.requests) == 1
    key = f"{execution_id}:b"
    assert [r.header("Idempotency-Key") for r in server_b.requests] == [key, key]
    assert all(r.json() == server_b.requests[0].json() for r in server_b.requests)

    assert step_counts(execution_id) == {"a": 1, "b": 1}
    detail = api.get(f"/api/executions/{execution_id}").get_json()
    assert [(s["node_id"], s["status"]) for s in detail["steps"]] == [
        ("hook", "succeeded"),
        ("a", "succeeded"),
        ("b", "succeeded"),
    ]


def test_a_flow_deleted_while_it_runs_performs_no_further_action(
    api, app_config, make_app, private_redis, receiver, second_receiver, tmp_path
):
    server_a, server_b = receiver, second_receiver
    flow_id, hook_url = two_actions(api, server_a, server_b)
    env = worker_env(app_config, private_redis)
    log = tmp_path / "worker.log"
    web = make_app(REDIS_URL=private_redis.url)
    worker = None
    try:
        server_a.hold()
        worker = _spawn(WORKER, env, log)
        response = post_json(web.test_client(), hook_url, {"id": 7})
        execution_id = response.get_json()["execution_id"]
        try:
            server_a.wait_for(1, timeout=20)
        except TimeoutError:
            pytest.fail("step a never started\n" + _logs(log))
        assert api.delete(f"/api/flows/{flow_id}").status_code == 204  # while step a runs
        server_a.release()  # step a ends: the run must not go on to b
        time.sleep(4)  # two leases: time enough for b, were it to run
        assert worker.poll() is None  # the worker survives and waits for other work
    finally:
        if worker is not None:
            _stop(worker)
    assert server_b.requests == []
    execution = fresh(execution_id)
    assert execution.status == "cancelled", _logs(log)
    assert "flow was deleted" in execution.error["message"]


def test_long_execution_kept_alive_by_heartbeats_is_not_cut_off(
    api, make_app, private_redis, receiver
):
    receiver.delay(1.2)  # each step well inside the lease, all three together beyond it
    _, hook_url = create_active_flow(
        api,
        flow_document(
            {"id": "hook", "type": "core.webhook"},
            *(http_node(node_id, receiver.url(f"/{node_id}")) for node_id in ("s1", "s2", "s3")),
        ),
    )
    web = make_app(REDIS_URL=private_redis.url, SHOPWIRE_EXECUTION_LEASE_SECONDS=2)
    response = post_json(web.test_client(), hook_url, {"id": 8})
    execution_id = response.get_json()["execution_id"]
    drain(web)

    execution = fresh(execution_id)
    assert execution.status == "succeeded", execution.error
    assert step_counts(execution_id) == {"s1": 1, "s2": 1, "s3": 1}
    assert [r.path for r in receiver.requests] == ["/s1", "/s2", "/s3"]


# --- 3. The same delivery twice ---------------------------------------------------------------


def test_same_idempotency_key_twice_runs_once(api, client, run_queue, receiver):
    hook_url = webhook_to(receiver, api)
    first = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "delivery-1"})
    second = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "delivery-1"})

    assert first.status_code == 202, first.get_json()
    assert second.status_code == 200, second.get_json()
    assert second.get_json()["execution_id"] == first.get_json()["execution_id"]
    assert second.get_json()["duplicate"] is True
    assert execution_count() == 1

    run_queue()
    third = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "delivery-1"})
    assert third.status_code == 200  # also after the execution finished
    assert third.get_json()["execution_id"] == first.get_json()["execution_id"]
    run_queue()
    assert execution_count() == 1
    assert len(receiver.requests) == 1

    other = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "delivery-2"})
    assert other.status_code == 202
    assert execution_count() == 2


def test_same_provider_event_id_twice_runs_once(api, client, run_queue, receiver):
    trigger = {
        "id": "hook",
        "type": "core.webhook",
        "params": {"event_id_header": "X-Shopify-Webhook-Id"},
    }
    _, hook_url = create_active_flow(api, flow_document(trigger, http_node("send", receiver.url())))
    event = {"X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}
    first = post_json(client, hook_url, {"id": 1, "total": "10.00"}, **event)
    # A redelivery may differ in its body (Shopify resends the current state); the id decides.
    second = post_json(client, hook_url, {"id": 1, "total": "12.00"}, **event)

    assert first.status_code == 202, first.get_json()
    assert second.status_code == 200, second.get_json()
    assert second.get_json() == {
        "execution_id": first.get_json()["execution_id"],
        "duplicate": True,
    }
    assert execution_count() == 1
    run_queue()
    assert len(receiver.requests) == 1
    assert receiver.requests[0].json() == {"id": 1, "total": "10.00"}


def test_concurrent_redeliveries_create_one_execution(api, app, receiver):
    trigger = {
        "id": "hook",
        "type": "core.webhook",
        "params": {"event_id_header": "X-Shopify-Webhook-Id"},
    }
    _, hook_url = create_active_flow(api, flow_document(trigger, http_node("send", receiver.url())))
    results: list[tuple[int, str]] = []
    barrier = threading.Barrier(6, timeout=10)

    def deliver() -> None:
        client = app.test_client()
        barrier.wait()
        response = post_json(client, hook_url, {"id": 7}, **{"X-Shopify-Webhook-Id": "evt-7"})
        results.append((response.status_code, response.get_json().get("execution_id")))

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not any(thread.is_alive() for thread in threads)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 5 + [202], results
    assert len({execution_id for _, execution_id in results}) == 1
    assert execution_count() == 1


# --- 4. Database unavailable at ingress -------------------------------------------------------


def _assert_service_unavailable(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["status"] == 503


def test_locked_sqlite_database_answers_503_and_stores_nothing(
    api, make_app, database_url, receiver
):
    if backend(database_url) != "sqlite":
        pytest.skip("holds a SQLite write lock")
    hook_url = webhook_to(receiver, api)
    web = make_app(SHOPWIRE_DB_LOCK_TIMEOUT_MS=200)
    client = web.test_client()
    db.session.remove()

    with closing(sqlite3.connect(make_url(database_url).database, timeout=5)) as locker:
        locker.isolation_level = None
        locker.execute("BEGIN EXCLUSIVE")
        try:
            started = time.monotonic()
            response = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "k-1"})
            took = time.monotonic() - started
        finally:
            locker.execute("ROLLBACK")

    _assert_service_unavailable(response)
    assert took < 5
    assert execution_count() == 0

    # The sender's retry goes through once the lock is gone, and is not a "duplicate".
    retried = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "k-1"})
    assert retried.status_code == 202, retried.get_json()
    assert execution_count() == 1


def test_locked_postgresql_table_answers_503_and_stores_nothing(
    api, make_app, database_url, receiver
):
    if backend(database_url) != "postgresql":
        pytest.skip("holds a PostgreSQL table lock")
    psycopg = pytest.importorskip("psycopg")
    hook_url = webhook_to(receiver, api)
    # PostgreSQL has no busy timeout of its own: without lock_timeout the insert would wait.
    web = make_app(SHOPWIRE_DB_LOCK_TIMEOUT_MS=200)
    client = web.test_client()
    db.session.remove()
    plain_url = make_url(database_url).set(drivername="postgresql")

    with psycopg.connect(plain_url.render_as_string(hide_password=False)) as locker:
        locker.execute("LOCK TABLE executions IN EXCLUSIVE MODE")  # readers pass, writers wait
        started = time.monotonic()
        response = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "k-1"})
        took = time.monotonic() - started
        locker.rollback()

    _assert_service_unavailable(response)
    assert took < 5
    assert execution_count() == 0
    retried = post_json(client, hook_url, {"id": 1}, **{"Idempotency-Key": "k-1"})
    assert retried.status_code == 202, retried.get_json()
    assert execution_count() == 1


def test_unreachable_database_answers_503(api, make_app, receiver, unused_port):
    hook_url = webhook_to(receiver, api)
    web = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql://shopwire@127.0.0.1:{unused_port}/shopwire",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    response = post_json(web.test_client(), hook_url, {"id": 1})

    _assert_service_unavailable(response)
    assert execution_count() == 0


@pytest.fixture
def unused_port() -> int:
    """A loopback port that nothing listens on (bound, then closed)."""
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
