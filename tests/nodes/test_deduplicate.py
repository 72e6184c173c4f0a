"""Deduplicate: keys remembered in the database per flow and step, across runs and workers."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import SeenItem
from app.models.base import utcnow
from nodes.kit import store
from nodes.kit.base import NodeContext
from tests.conftest import create_active_flow, flow_document, post_json
from tests.nodes.flows import run_flow

DEDUPE = {"id": "dedupe", "type": "core.deduplicate", "params": {"key": "id"}}
AFTER = {"id": "after", "type": "core.map", "params": {"fields": {"ok": True}}}


def dedupe_run(api, client, run_queue, payload, **params):
    node = {**DEDUPE, "params": {**DEDUPE["params"], **params}}
    return run_flow(api, client, run_queue, payload, node, AFTER)


@pytest.fixture
def flow(api, client, run_queue):
    """Post to one flow again and again: returns a function giving each run's dedupe step."""
    _, url = create_active_flow(
        api, flow_document({"id": "hook", "type": "core.webhook"}, DEDUPE, AFTER)
    )

    def post(payload):
        execution_id = post_json(client, url, payload).get_json()["execution_id"]
        run_queue()
        steps = api.get(f"/api/executions/{execution_id}").get_json()["steps"]
        return execution_id, {s["node_id"]: s for s in steps}

    return post


def test_a_list_keeps_only_items_not_seen_before(flow):
    _, steps = flow([{"id": 1, "n": "a"}, {"id": 1, "n": "b"}, {"id": 2}])
    assert steps["dedupe"]["output"] == [{"id": 1, "n": "a"}, {"id": 2}]
    _, steps = flow([{"id": 2}, {"id": 3, "name": "Zoë"}])
    assert steps["dedupe"]["output"] == [{"id": 3, "name": "Zoë"}]
    assert steps["after"]["status"] == "succeeded"


def test_a_single_item_seen_before_stops_the_flow_quietly(flow):
    _, first = flow({"id": "A-100"})
    execution_id, again = flow({"id": "A-100"})
    assert first["after"]["status"] == "succeeded"
    assert again["dedupe"]["status"] == "succeeded" and again["after"]["status"] == "skipped"


def test_an_empty_list_goes_nowhere(flow):
    _, steps = flow([])
    assert steps["dedupe"]["output"] == [] and steps["after"]["status"] == "skipped"


def test_big_integer_and_text_keys_stay_distinct(flow):
    _, steps = flow(
        [{"id": 820982911946154508}, {"id": 820982911946154509}, {"id": "1"}, {"id": 1}]
    )
    assert len(steps["dedupe"]["output"]) == 4


def test_a_missing_key_names_the_item(api, client, run_queue):
    execution = dedupe_run(api, client, run_queue, [{"id": 1}, {"sku": "x"}])
    assert execution["status"] == "failed"
    assert execution["error"]["field"] == "key"
    assert "item 2" in execution["error"]["message"]


def test_keys_older_than_the_window_are_new_again_and_purged(flow):
    flow({"id": 7})
    db.session.execute(update(SeenItem).values(seen_at=utcnow() - timedelta(hours=200)))
    db.session.commit()
    _, steps = flow([{"id": 7}, {"id": 8}])
    assert steps["dedupe"]["output"] == [{"id": 7}, {"id": 8}]
    db.session.execute(
        update(SeenItem)
        .where(SeenItem.key_hash != "")
        .values(seen_at=utcnow() - timedelta(hours=169))
    )
    db.session.commit()
    flow({"id": 9})
    assert db.session.scalar(select(func.count()).select_from(SeenItem)) == 1  # only 9 is left


def test_two_workers_seeing_one_key_at_once_let_it_through_once(app, flow):
    first, _ = flow({"id": "warm-up"})
    second, _ = flow({"id": "warm-up-2"})
    results, barrier = {}, threading.Barrier(2)

    def worker(execution_id):
        with app.app_context():
            ctx = NodeContext(execution_id=execution_id, node_id="dedupe", http=None)
            barrier.wait()
            results[execution_id] = store.seen_items().first_sightings(
                ctx, ['"same"'], timedelta(hours=1)
            )
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(e,)) for e in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [[False], [True]]


def test_the_same_step_run_again_still_counts_its_items_as_new(flow):
    """A retry or a resumed execution must not find its own earlier claim and drop the item."""
    execution_id, _ = flow({"id": 42})
    other_id, _ = flow({"id": 43})
    window = timedelta(hours=1)
    again = NodeContext(execution_id=execution_id, node_id="dedupe", http=None)
    other = NodeContext(execution_id=other_id, node_id="dedupe", http=None)
    assert store.seen_items().first_sightings(again, ["42"], window) == [True]
    assert store.seen_items().first_sightings(other, ["42"], window) == [False]
