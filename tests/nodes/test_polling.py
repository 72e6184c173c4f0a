"""Polling triggers against a local fake shop API: one execution per new item, oldest first,
never twice (not after a crash, not after a restart), and bounded backfill after downtime."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app import create_app
from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Execution, Flow, NodeState
from app.runtime import timed_triggers
from app.runtime.queue import redis_connection
from tests.conftest import create_active_flow, flow_document
from tests.fakes.listing import OrderList

BIG = 820982911946154508


@pytest.fixture
def shop():
    with OrderList(token="s3cret-token") as server:
        yield server


def polling_flow(api, shop, **params):
    credential = api.post(
        "/api/credentials",
        json={"connector": "http", "name": "Shop", "data": {"token": "s3cret-token"}},
    )
    assert credential.status_code == 201, credential.get_json()
    settings = {
        "url": shop.url("/orders"),
        "schedule": {"interval_minutes": 5},
        "items_path": "orders",
        "since_param": "since_id",
        "page_param": "page",
        **params,
    }
    trigger = {
        "id": "orders",
        "type": "core.poll_http",
        "credential": credential.get_json()["id"],
        "params": {name: value for name, value in settings.items() if value is not None},
    }
    total = {
        "id": "total",
        "type": "core.format",
        "params": {"kind": "money", "locale": "de_DE"},
        "mapping": {"value": "trigger.total"},
    }
    flow_id, _ = create_active_flow(api, flow_document(trigger, total))
    return flow_id


def emitted(flow_id):
    rows = db.session.scalars(
        select(Execution).where(Execution.flow_id == flow_id).order_by(Execution.created_at)
    ).all()
    return [json.loads(row.raw_body)["id"] for row in rows]


def cursor(flow_id):
    """The newest order value the trigger remembers."""
    value = db.session.scalar(select(NodeState.value).filter_by(flow_id=flow_id, name="cursor"))
    return value and value["after"]


def order(n, **extra):
    return {"id": n, "total": "12.50", "name": f"#{n}", **extra}


def test_the_first_poll_marks_the_start_then_each_new_item_runs_once(api, shop, run_queue):
    shop.add(order(1), order(2))
    flow_id = polling_flow(api, shop)
    assert timed_triggers.poll_flow(flow_id) == 0  # history is not replayed
    assert cursor(flow_id) == 2
    shop.add(order(3, name="Zoë Müller"), order(BIG, total="2.675"))
    assert timed_triggers.poll_flow(flow_id) == 2
    assert timed_triggers.poll_flow(flow_id) == 0
    assert emitted(flow_id) == [3, BIG]
    assert shop.requests[-1].header("Authorization") == "Bearer s3cret-token"
    run_queue()
    executions = db.session.scalars(select(Execution).where(Execution.flow_id == flow_id)).all()
    assert {e.status for e in executions} == {"succeeded"}
    [big] = [e for e in executions if json.loads(e.raw_body)["id"] == BIG]
    steps = json.loads(api.get(f"/api/executions/{big.id}").data)["steps"]
    assert steps[0]["output"]["id"] == BIG  # exact, not …500
    assert steps[1]["output"] == {"text": "2,68\u00a0€", "value": "2.68"}


def test_an_empty_list_changes_nothing(api, shop):
    flow_id = polling_flow(api, shop)
    assert timed_triggers.poll_flow(flow_id) == 0
    assert cursor(flow_id) is None and emitted(flow_id) == []


def test_existing_items_can_be_taken_on_the_first_poll(api, shop):
    shop.add(order(1), order(2), order(3))
    flow_id = polling_flow(api, shop, emit_existing=True)
    assert timed_triggers.poll_flow(flow_id) == 3 and emitted(flow_id) == [1, 2, 3]


def test_backfill_after_downtime_reads_a_bounded_number_of_pages(api, shop):
    shop.add(order(1))
    flow_id = polling_flow(api, shop, max_pages=2)
    timed_triggers.poll_flow(flow_id)
    shop.add(*(order(n) for n in range(2, 9)))  # 7 new orders while the poller was down
    assert timed_triggers.poll_flow(flow_id) == 4  # 2 pages of 2
    assert timed_triggers.poll_flow(flow_id) == 3  # the rest, from where it stopped
    assert emitted(flow_id) == list(range(2, 9))
    # Each poll stops at an empty page or at the limit: 1 order + an empty page, then twice
    # the limit of 2 pages.
    assert [r.path for r in shop.requests][-2:] == [
        "/orders?since_id=5&page=1",
        "/orders?since_id=5&page=2",
    ]
    assert len(shop.requests) == 2 + 2 + 2


def test_a_crash_before_the_cursor_is_saved_emits_nothing_twice(api, shop, monkeypatch):
    shop.add(order(1))
    flow_id = polling_flow(api, shop)
    timed_triggers.poll_flow(flow_id)
    shop.add(order(2), order(3))
    real_remember = timed_triggers._remember

    def crash(flow, name, value):
        if name == "cursor":
            raise RuntimeError("worker killed")
        real_remember(flow, name, value)

    monkeypatch.setattr(timed_triggers, "_remember", crash)
    with pytest.raises(RuntimeError):
        timed_triggers.poll_flow(flow_id)
    monkeypatch.setattr(timed_triggers, "_remember", real_remember)
    assert cursor(flow_id) == 1 and emitted(flow_id) == [2, 3]
    assert timed_triggers.poll_flow(flow_id) == 0  # polled again: both already ran
    assert cursor(flow_id) == 3 and emitted(flow_id) == [2, 3]


def test_a_restart_remembers_the_last_seen_item(app_config, api, shop):
    shop.add(order(1))
    flow_id = polling_flow(api, shop)
    timed_triggers.poll_flow(flow_id)
    shop.add(order(2))
    timed_triggers.poll_flow(flow_id)
    # A new process: nothing cached, Redis emptied; only the database remembers.
    redis_connection().flushdb()
    version_graph.cache_clear()
    with create_app(app_config).app_context():
        shop.add(order(3))
        assert timed_triggers.poll_flow(flow_id) == 1
        assert emitted(flow_id) == [2, 3]


def test_timestamps_order_items_and_equal_times_are_not_lost(api, shop):
    stamp = "2026-03-01T10:00:00+01:00"
    shop.add(order(1, updated_at=stamp))
    flow_id = polling_flow(api, shop, order_path="updated_at", order_type="date", since_param=None)
    timed_triggers.poll_flow(flow_id)
    shop.add(order(2, updated_at="2026-03-01T09:00:00Z"))  # the same moment, other notation
    shop.add(order(3, updated_at="2026-03-01T08:00:00Z"))  # an older change: not new
    assert timed_triggers.poll_flow(flow_id) == 1
    shop.add(order(4, updated_at="2026-03-01T10:00:00+01:00"))  # the same second again
    assert timed_triggers.poll_flow(flow_id) == 1
    assert timed_triggers.poll_flow(flow_id) == 0
    assert emitted(flow_id) == [2, 4]


def test_a_bad_answer_is_remembered_as_the_triggers_error(api, shop):
    flow_id = polling_flow(api, shop, items_path="products")
    assert timed_triggers.poll_flow(flow_id) == 0
    error = db.session.scalar(select(NodeState.value).filter_by(flow_id=flow_id, name="last_error"))
    assert error["field"] == "items_path" and "products" in error["message"]


def test_the_scheduler_check_polls_once_per_planned_time(api, shop, run_queue):
    shop.add(order(1))
    flow_id = polling_flow(api, shop)
    db.session.execute(
        update(Flow)
        .where(Flow.id == flow_id)
        .values(updated_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1))
    )
    db.session.commit()
    assert timed_triggers.fire_due() == 1
    assert timed_triggers.fire_due() == 0  # a second scheduler, the same planned time
    run_queue()
    assert cursor(flow_id) == 1
    assert [r.path for r in shop.requests] == ["/orders?page=1", "/orders?page=2"]  # one poll
