"""The worker's job: batches, leases taken over by another worker, crashes."""

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import Execution
from app.models.base import utcnow
from app.runtime import claims, jobs, progress
from app.runtime.queue import WAKEUP_KEY, execution_queue, redis_connection, send_wakeups
from nodes.engine import interpreter
from tests.conftest import create_active_flow, flow_document, post_json


def queued_events(api, client, receiver, count):
    """Queue ``count`` events without waking a worker, so the test plays the workers."""
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "a",
            "type": "core.http_request",
            "params": {"url": receiver.url("/a")},
            "mapping": {"body": "trigger"},
        },
    )
    _, url = create_active_flow(api, graph)
    redis_connection().set(WAKEUP_KEY, "held by the test")
    return [post_json(client, url, {"n": n}).get_json()["execution_id"] for n in range(count)]


def expire_lease(execution_id):
    db.session.execute(
        update(Execution)
        .where(Execution.id == execution_id)
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_an_execution_taken_over_while_waiting_in_a_batch_runs_once(api, client, receiver):
    [execution_id] = queued_events(api, client, receiver, 1)
    [(claimed, first_token)] = claims.claim_next()  # worker A claims it in a batch ...
    expire_lease(execution_id)  # ... and is too slow to reach it before the lease runs out
    [(_, second_token)] = claims.claim_next()  # worker B takes it over and runs it
    jobs._run_one(execution_id, second_token)
    jobs._run_one(execution_id, first_token)  # worker A finally gets to it
    assert len(receiver.requests) == 1
    assert db.session.get(Execution, execution_id).status == "succeeded"
    assert claimed == execution_id and second_token == first_token + 1


def test_a_crashing_execution_fails_alone_and_the_batch_goes_on(api, client, receiver, monkeypatch):
    alerts = flow_document(
        {"id": "failed", "type": "core.error_trigger"},
        {"id": "alert", "type": "core.http_request", "params": {"url": receiver.url("/alert")}},
    )
    create_active_flow(api, alerts, name="Alerts")
    ids = queued_events(api, client, receiver, 3)
    real_parse = jobs.parse_body

    def crash_on_the_second(body, content_type):
        if body == b'{"n": 1}':
            raise RuntimeError("boom")
        return real_parse(body, content_type)

    monkeypatch.setattr(jobs, "parse_body", crash_on_the_second)
    assert jobs.run_execution(ids[0]) == 4  # the three events, then the error flow's alert
    statuses = [db.session.get(Execution, i).status for i in ids]
    assert statuses == ["succeeded", "failed", "succeeded"]
    error = db.session.get(Execution, ids[1]).error
    assert "internal error" in error["message"] and "boom" not in error["message"]
    (reported,) = db.session.scalars(select(Execution).where(Execution.mode == "error"))
    assert json.loads(reported.raw_body)["execution_id"] == ids[1]  # the error flow hears of it
    assert [r.path for r in receiver.requests].count("/alert") == 1


def test_a_worker_that_finds_a_backlog_wakes_another_to_share_it(api, client, receiver):
    ids = queued_events(api, client, receiver, claims.BATCH_SIZE + 1)
    send_wakeups()
    redis_connection().delete(WAKEUP_KEY)
    assert execution_queue().count == 0
    assert jobs.run_execution(ids[0]) == len(ids)
    assert len(receiver.requests) == len(ids)
    assert execution_queue().count == 1  # the job it left for a second worker


def test_a_worker_that_loses_the_oldest_to_another_claims_the_next(
    api, client, receiver, monkeypatch
):
    """SQLite has no SKIP LOCKED: two workers read the same oldest executions, one claims them."""
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL locks the candidates it reads (SKIP LOCKED): no such race")
    ids = queued_events(api, client, receiver, claims.BATCH_SIZE + 2)
    allow = claims.limits.within_concurrency

    def another_worker_claims_them_first(candidates):
        monkeypatch.setattr(claims.limits, "within_concurrency", allow)
        allowed = allow(candidates)
        with db.engine.begin() as other_worker:
            other_worker.execute(
                update(Execution).where(Execution.id.in_(allowed)).values(status="running")
            )
        return allowed

    monkeypatch.setattr(claims.limits, "within_concurrency", another_worker_claims_them_first)
    claimed = [execution_id for execution_id, _ in claims.claim_next()]
    assert claimed == ids[claims.BATCH_SIZE :]


def running(execution_id, app, lease_seconds):
    """This test as the worker holding the execution, with a short lease."""
    app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"] = lease_seconds
    [(claimed, token)] = claims.claim_next()
    row = db.session.get(Execution, claimed)
    return progress.Progress(claimed, token, row.lease_until, replaces_retrying=False)


def busy(seconds):
    """A step doing Python work for this long (interruptible like any step's code)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)


def test_a_step_longer_than_the_lease_keeps_its_execution(app, api, client, receiver):
    [execution_id] = queued_events(api, client, receiver, 1)
    run = running(execution_id, app, lease_seconds=1)
    db.engine.dispose()  # the lease keeper opens a connection of its own, outside the app context
    with run.kept_alive():
        busy(3)  # three leases long
        assert claims.claim_next() == []  # no second worker takes it over meanwhile
    run.finish(interpreter.Result("succeeded"))
    assert db.session.get(Execution, execution_id, populate_existing=True).status == "succeeded"


def test_a_run_whose_execution_was_taken_over_is_stopped(app, api, client, receiver):
    [execution_id] = queued_events(api, client, receiver, 1)
    run = running(execution_id, app, lease_seconds=1)
    with pytest.raises(progress.LeaseLost), run.kept_alive():
        # the worker freezes past its lease; another one takes the execution over
        expire_lease(execution_id)
        assert claims.claim_next() == [(execution_id, run.token + 1)]
        busy(10)  # the old run goes on with its step: it is stopped, not left to finish
    assert run.token == 1


def test_a_cancelled_execution_never_runs(api, client, receiver, run_queue):
    [execution_id] = queued_events(api, client, receiver, 1)
    cancelled = api.post(f"/api/executions/{execution_id}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert jobs.run_execution(execution_id) == 0
    assert receiver.requests == []
    again = api.post(f"/api/executions/{execution_id}/cancel")
    assert again.status_code == 409 and "this one is cancelled" in again.get_json()["detail"]


def test_cancelling_a_running_execution_stops_its_run(app, api, client, receiver):
    [execution_id] = queued_events(api, client, receiver, 1)
    run = running(execution_id, app, lease_seconds=1)
    with pytest.raises(progress.LeaseLost), run.kept_alive():
        assert api.post(f"/api/executions/{execution_id}/cancel").status_code == 200
        busy(10)  # a long step: stopped, not left to finish
    shown = api.get(f"/api/executions/{execution_id}").get_json()
    assert shown["status"] == "cancelled" and "Cancelled by a user" in shown["error"]["message"]


def test_deleting_a_flow_cancels_its_unfinished_executions(api, client, receiver):
    [execution_id] = queued_events(api, client, receiver, 1)
    flow_id = api.get(f"/api/executions/{execution_id}").get_json()["flow_id"]
    assert api.delete(f"/api/flows/{flow_id}").status_code == 204
    assert jobs.run_execution(execution_id) == 0
    assert receiver.requests == []
    shown = api.get(f"/api/executions/{execution_id}").get_json()
    assert shown["status"] == "cancelled" and "flow was deleted" in shown["error"]["message"]


def test_one_shops_backlog_does_not_make_another_shop_wait_behind_it(
    api, other_api, client, receiver
):
    queued_events(api, client, receiver, 3 * claims.BATCH_SIZE)  # a burst from one shop
    [other] = queued_events(other_api, client, receiver, 1)  # then one event from another
    first_batch = [execution_id for execution_id, _ in claims.claim_next()]
    assert other in first_batch
