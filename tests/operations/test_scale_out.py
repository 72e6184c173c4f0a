"""Scale-out: two web servers and three workers, each its own installation (its own data
directory, as on separate hosts) on one PostgreSQL and one Redis, take 2,000 W1 events; one
worker is killed midway; every event runs exactly once.

PostgreSQL only (SQLite is one machine's file): runs when SHOPWIRE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from app.extensions import db
from app.models import Execution, StepRun
from tests.conftest import create_active_flow, load_fixture
from tests.operations.processes import (
    environment,
    kill_host,
    start_scheduler,
    start_web,
    start_worker,
    stop,
)
from tests.test_end_to_end import w1_flow

pytestmark = pytest.mark.skipif(
    not os.environ.get("SHOPWIRE_TEST_DATABASE_URL"),
    reason="needs PostgreSQL: set SHOPWIRE_TEST_DATABASE_URL",
)

EVENTS = 2000
ORDER = load_fixture("shopify", "webhook.orders_paid.json")


def order(number: int) -> bytes:
    return ORDER.replace(b'"id": 820982911946154500', f'"id": {number}'.encode(), 1)


@pytest.mark.timeout(900)
def test_two_web_servers_and_three_workers_run_every_event_exactly_once(
    app_config, api, receiver, tmp_path
):
    flow_id, hook = create_active_flow(api, w1_flow(receiver.url("/orders")))
    shared = {  # what every host of one installation is given
        "SECRET_KEY": "scale-out-test",
        "SHOPWIRE_VAULT_KEY": Fernet.generate_key().decode(),
        "SHOPWIRE_EXECUTION_LEASE_SECONDS": "10",
        "SHOPWIRE_SWEEP_INTERVAL_SECONDS": "1",
        "SHOPWIRE_QUEUED_GRACE_SECONDS": "2",
    }

    def host(name: str) -> dict[str, str]:
        env = environment(app_config, SHOPWIRE_DATA_DIR=str(tmp_path / name), **shared)
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each host keeps its own metrics
        return env

    webs = [start_web(host(f"web{n}"), workers=1) for n in (1, 2)]
    workers = [start_worker(host(f"worker{n}")) for n in (1, 2, 3)]
    scheduler = start_scheduler(host("worker1"))
    processes = [process for _, process in webs] + workers + [scheduler]
    try:
        path = hook.replace("http://localhost", "")
        local = threading.local()

        def send(number: int) -> int:
            session = local.__dict__.setdefault("session", requests.Session())
            base = webs[number % 2][0]  # every other event to the other web server
            return session.post(
                base + path,
                data=order(number),
                headers={"Content-Type": "application/json", "X-Shopify-Webhook-Id": f"e{number}"},
                timeout=30,
            ).status_code

        killed = threading.Event()

        def kill_midway() -> None:
            while len(receiver.requests) < EVENTS // 3:
                time.sleep(0.05)
            kill_host(workers[0])  # no goodbye: its leases run out
            killed.set()

        threading.Thread(target=kill_midway, daemon=True).start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(send, range(1, EVENTS + 1)))
        assert replies == [202] * EVENTS

        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            succeeded = db.session.scalar(
                select(func.count()).where(
                    Execution.flow_id == flow_id, Execution.status == "succeeded"
                )
            )
            db.session.commit()
            if succeeded == EVENTS:
                break
            time.sleep(0.5)
        assert killed.is_set() and workers[0].poll() == -signal.SIGKILL
    finally:
        stop(*processes)

    statuses = dict(
        db.session.execute(
            select(Execution.status, func.count())
            .where(Execution.flow_id == flow_id)
            .group_by(Execution.status)
        ).all()
    )
    assert statuses == {"succeeded": EVENTS}
    # The killed worker held leases (it claims in batches, all the time under this load):
    # those executions were resumed by another worker.
    resumed = db.session.scalar(
        select(func.count()).where(Execution.flow_id == flow_id, Execution.runs > 1)
    )
    assert resumed >= 1
    # Each execution's steps were recorded once: a resumed run starts after its finished steps.
    posts = db.session.execute(
        select(StepRun.execution_id, func.count())
        .join(Execution, Execution.id == StepRun.execution_id)
        .where(Execution.flow_id == flow_id, StepRun.node_id == "post")
        .group_by(StepRun.execution_id)
    ).all()
    assert len(posts) == EVENTS and {count for _, count in posts} == {1}

    # Every order reached the receiving system. One the killed worker had sent but not yet
    # recorded is sent again by the worker that resumed it, with the same Idempotency-Key,
    # so a provider that honours the key books it once.
    keys = defaultdict(set)
    for request in receiver.requests:
        keys[request.json()["id"]].add(request.header("Idempotency-Key"))
    assert set(keys) == set(range(1, EVENTS + 1))
    assert all(len(sent) == 1 for sent in keys.values())
