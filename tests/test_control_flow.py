"""Control flow through the whole engine with real Redis and a real database: split and
aggregate with per-item records, router, error path and error flows, waiting, sub-flows."""

import time

import requests
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from sqlalchemy import func, select

from app.cli import ensure_demo_merchant
from app.extensions import db
from app.models import Execution, StepRun
from app.runtime import sweeper
from app.runtime.queue import execution_queue
from tests.conftest import Api, create_active_flow, flow_document, make_due, post_json
from tests.test_pages import sign_in

JSON = {"Content-Type": "application/json"}
BIG = 18446744073709551617
ORDER = {
    "id": 820982911946154508,
    "country": "AT",
    "line_items": [
        {"sku": "KAFFEE-ÄTHIOPIEN", "quantity": BIG},
        {"sku": "B", "quantity": 2},
    ],
}


def send(node_id, url, body="input", **extra):
    return {
        "id": node_id,
        "type": "core.http_request",
        "params": {"method": "POST", "url": url},
        "mapping": {"body": body},
        **extra,
    }


def graph(nodes, edges):
    document = flow_document(*nodes)
    document["edges"] = [dict(zip(("source", "target", "port"), e, strict=False)) for e in edges]
    return document


def split_flow(receiver):
    return graph(
        [
            {"id": "hook", "type": "core.webhook"},
            {"id": "lines", "type": "core.split", "mapping": {"items": "trigger.line_items"}},
            send("line", receiver.url("/line"), "{sku: item.sku, qty: item.quantity}"),
            {"id": "all", "type": "core.aggregate"},
            send("summary", receiver.url("/summary"), "input[].body.path"),
        ],
        [("hook", "lines"), ("lines", "line"), ("line", "all"), ("all", "summary")],
    )


def execution(api, execution_id):
    return api.get(f"/api/executions/{execution_id}").get_json()


def test_split_runs_an_action_per_item_records_each_and_aggregates(
    api, client, receiver, run_queue
):
    _, url = create_active_flow(api, split_flow(receiver))
    execution_id = post_json(client, url, ORDER).get_json()["execution_id"]
    run_queue()

    lines = [r for r in receiver.requests if r.path == "/line"]
    assert [r.json() for r in lines] == [
        {"sku": "KAFFEE-ÄTHIOPIEN", "qty": BIG},
        {"sku": "B", "qty": 2},
    ]
    # each item is its own effect: providers must not drop the second as a repeat
    assert [r.header("Idempotency-Key") for r in lines] == [
        f"{execution_id}:line:0",
        f"{execution_id}:line:1",
    ]
    [summary] = [r for r in receiver.requests if r.path == "/summary"]
    assert summary.json() == ["/line", "/line"]

    done = execution(api, execution_id)
    assert done["status"] == "succeeded"
    line = next(s for s in done["steps"] if s["node_id"] == "line")
    assert line["status"] == "succeeded"
    assert [(i["item"], i["input"]["body"]["sku"]) for i in line["items"]] == [
        (0, "KAFFEE-ÄTHIOPIEN"),
        (1, "B"),
    ]


def test_an_item_waiting_to_retry_shows_on_its_step_and_resumes_with_the_next_item(
    api, client, receiver, run_queue
):
    answers = iter([(200, JSON, b"{}"), (429, {"Retry-After": "30"}, b"")])
    receiver.reply = lambda r: next(answers, (200, JSON, b"{}"))
    _, url = create_active_flow(api, split_flow(receiver))
    execution_id = post_json(client, url, ORDER).get_json()["execution_id"]
    run_queue()
    waiting = execution(api, execution_id)
    line = next(s for s in waiting["steps"] if s["node_id"] == "line")
    assert (waiting["status"], line["status"]) == ("waiting", "retrying")
    assert [(i["item"], i["status"]) for i in line["items"]] == [(0, "succeeded"), (1, "retrying")]
    assert "retry_at" in line["error"] and line["error"]["item"] == 1

    make_due(execution_id)
    assert sweeper.sweep() is True
    run_queue()
    done = execution(api, execution_id)
    line = next(s for s in done["steps"] if s["node_id"] == "line")
    assert done["status"] == "succeeded"
    assert [(i["item"], i["attempts"]) for i in line["items"]] == [(0, 1), (1, 2)]
    assert [r.path for r in receiver.requests] == ["/line", "/line", "/line", "/summary"]


def test_an_empty_list_goes_straight_to_the_aggregate(api, client, receiver, run_queue):
    _, url = create_active_flow(api, split_flow(receiver))
    execution_id = post_json(client, url, {"line_items": []}).get_json()["execution_id"]
    run_queue()
    assert [r.path for r in receiver.requests] == ["/summary"]
    assert receiver.requests[0].json() == []
    line = next(s for s in execution(api, execution_id)["steps"] if s["node_id"] == "line")
    assert line["status"] == "pending" and line["items"] == []


def test_a_retried_split_never_repeats_a_finished_item(api, client, receiver, run_queue):
    receiver.reply = lambda r: (
        (400, JSON, b'{"message": "Unknown SKU"}')
        if r.path == "/line" and r.json()["sku"] == "B"
        else (200, JSON, b'{"ok": true}')
    )
    _, url = create_active_flow(api, split_flow(receiver))
    execution_id = post_json(client, url, ORDER).get_json()["execution_id"]
    run_queue()
    failed = execution(api, execution_id)
    assert failed["status"] == "failed"
    assert failed["error"]["node_id"] == "line" and failed["error"]["item"] == 1

    receiver.reply = lambda r: (200, JSON, b'{"ok": true}')
    assert api.post(f"/api/executions/{execution_id}/retry").status_code == 202
    run_queue()
    assert execution(api, execution_id)["status"] == "succeeded"
    skus = [r.json()["sku"] for r in receiver.requests if r.path == "/line"]
    assert skus == ["KAFFEE-ÄTHIOPIEN", "B", "B"]  # item 0 ran once


def test_the_router_sends_each_order_down_its_branch(api, client, receiver, run_queue):
    router = {
        "id": "route",
        "type": "core.router",
        "params": {"branches": [{"name": "abroad", "condition": "trigger.country != 'DE'"}]},
    }
    document = graph(
        [
            {"id": "hook", "type": "core.webhook"},
            router,
            send("a", receiver.url("/abroad")),
            send("d", receiver.url("/home")),
        ],
        [("hook", "route"), ("route", "a", "abroad"), ("route", "d", "default")],
    )
    _, url = create_active_flow(api, document)
    post_json(client, url, {"country": "AT"})
    post_json(client, url, {"country": "DE"})
    run_queue()
    assert sorted(r.path for r in receiver.requests) == ["/abroad", "/home"]


def failing_flow(receiver, **on_error):
    return graph(
        [
            {"id": "hook", "type": "core.webhook"},
            send("invoice", receiver.url("/invoice"), name="Create invoice", **on_error),
            send("next", receiver.url("/next")),
        ],
        [("hook", "invoice"), ("invoice", "next", "error" if on_error else "main")],
    )


def refuse(path):
    return lambda r: (
        (400, JSON, b'{"message": "Contact not found"}')
        if r.path == path
        else (200, JSON, b'{"ok": true}')
    )


def test_an_error_port_carries_the_error_and_the_execution_succeeds(
    api, client, receiver, run_queue
):
    receiver.reply = refuse("/invoice")
    _, url = create_active_flow(api, failing_flow(receiver, on_error="branch"))
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()
    done = execution(api, execution_id)
    assert done["status"] == "succeeded"
    assert [s["status"] for s in done["steps"]] == ["succeeded", "caught", "succeeded"]
    [sent] = [r for r in receiver.requests if r.path == "/next"]
    assert sent.json()["error"]["node_id"] == "invoice"
    assert "Contact not found" in sent.json()["error"]["message"]


def test_a_failed_execution_starts_the_merchants_error_flow_once(
    api, other_api, client, receiver, run_queue
):
    receiver.reply = refuse("/invoice")
    alert = graph(
        [{"id": "failed", "type": "core.error_trigger"}, send("alert", receiver.url("/alert"))],
        [("failed", "alert")],
    )
    create_active_flow(api, alert, name="Alerts")
    # another merchant's error flow hears nothing of this failure
    create_active_flow(
        other_api,
        graph(
            [{"id": "failed", "type": "core.error_trigger"}, send("alert", receiver.url("/other"))],
            [("failed", "alert")],
        ),
    )
    flow_id, url = create_active_flow(api, failing_flow(receiver), name="Paid order → invoice")
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()

    assert execution(api, execution_id)["status"] == "failed"
    [sent] = [r for r in receiver.requests if r.path in ("/alert", "/other")]
    assert sent.path == "/alert"
    payload = sent.json()
    assert payload["flow"] == {"id": flow_id, "name": "Paid order → invoice"}
    assert payload["execution_id"] == execution_id
    assert payload["failed_node"] == {"id": "invoice", "name": "Create invoice"}
    assert "Contact not found" in payload["error"]["message"]


def test_a_failing_error_flow_does_not_report_itself(api, client, receiver, run_queue):
    receiver.reply = lambda r: (400, JSON, b"{}")
    alert = graph(
        [{"id": "failed", "type": "core.error_trigger"}, send("alert", receiver.url("/alert"))],
        [("failed", "alert")],
    )
    create_active_flow(api, alert, name="Alerts")
    _, url = create_active_flow(api, failing_flow(receiver))
    post_json(client, url, {})
    run_queue()
    modes = db.session.execute(
        select(Execution.mode, Execution.status, func.count()).group_by(
            Execution.mode, Execution.status
        )
    ).all()
    assert sorted(modes) == [("error", "failed", 1), ("webhook", "failed", 1)]


def wait_flow(receiver, seconds):
    return graph(
        [
            {"id": "hook", "type": "core.webhook"},
            {"id": "wait", "type": "core.delay", "params": {"seconds": seconds}},
            send("after", receiver.url("/after")),
        ],
        [("hook", "wait"), ("wait", "after")],
    )


def test_a_delay_frees_the_worker_and_rq_continues_the_execution(api, client, receiver, run_queue):
    _, url = create_active_flow(api, wait_flow(receiver, 1))
    execution_id = post_json(client, url, {"id": BIG}).get_json()["execution_id"]
    run_queue()  # returns with the execution waiting: the job ended, nobody slept
    assert execution(api, execution_id)["status"] == "waiting"
    assert receiver.requests == []
    queue = execution_queue()
    assert queue.scheduled_job_registry.get_job_ids() != []

    time.sleep(1.1)
    scheduler = RQScheduler([queue], connection=queue.connection, serializer=JSONSerializer)
    scheduler.acquire_locks()  # what `shopwire worker` (with_scheduler) does every second
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    run_queue()
    assert execution(api, execution_id)["status"] == "succeeded"
    assert [r.json() for r in receiver.requests] == [{"id": BIG}]


def test_the_sweeper_continues_a_due_wait_whose_rq_job_was_lost(api, client, receiver, run_queue):
    _, url = create_active_flow(api, wait_flow(receiver, 3600))
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()
    execution_queue().connection.flushdb()  # Redis lost the scheduled job
    assert sweeper.sweep() is False  # not due yet
    make_due(execution_id)
    assert sweeper.sweep() is True
    run_queue()
    assert execution(api, execution_id)["status"] == "succeeded"
    assert len(receiver.requests) == 1
    steps = db.session.scalars(select(StepRun.node_id).where(StepRun.execution_id == execution_id))
    assert sorted(steps) == ["after", "wait"]  # the wait was not repeated


def lookup_flow(trigger="core.manual"):
    return graph(
        [
            {"id": "hook", "type": trigger},
            {
                "id": "stock",
                "type": "core.map",
                "params": {"fields": {"stock": 12}},
                "mapping": {"fields.sku": "trigger.sku"},
            },
        ],
        [("hook", "stock")],
    )


def caller_flow(flow_id, receiver):
    return graph(
        [
            {"id": "hook", "type": "core.webhook"},
            {
                "id": "call",
                "type": "core.call_flow",
                "params": {"flow_id": flow_id},
                "mapping": {"input": "{sku: trigger.sku}"},
            },
            send("sink", receiver.url("/stock")),
        ],
        [("hook", "call"), ("call", "sink")],
    )


def test_a_sub_flow_runs_with_the_input_and_its_output_goes_on(api, client, receiver, run_queue):
    child_id, _ = create_active_flow(api, lookup_flow(), name="Stock lookup")
    _, url = create_active_flow(api, caller_flow(child_id, receiver))
    execution_id = post_json(client, url, {"sku": "KAFFEE-ÄTHIOPIEN"}).get_json()["execution_id"]
    run_queue()
    assert execution(api, execution_id)["status"] == "succeeded"
    assert [r.json() for r in receiver.requests] == [{"stock": 12, "sku": "KAFFEE-ÄTHIOPIEN"}]
    child = db.session.scalars(select(Execution).where(Execution.flow_id == child_id)).one()
    assert child.mode == "subflow" and child.status == "succeeded"


def test_a_called_flow_sleeps_through_its_retry_waits_and_its_caller_goes_on(
    api, client, receiver, run_queue
):
    """A called flow runs inside its caller's step and must finish at once: a 3 s wait, which
    would free the worker elsewhere, is slept through."""
    answers = iter([(429, {"Retry-After": "3"}, b""), (200, JSON, b'{"stock": 3}')])
    receiver.reply = lambda r: next(answers) if r.path == "/stock-api" else (200, JSON, b"{}")
    child_graph = graph(
        [{"id": "hook", "type": "core.manual"}, send("ask", receiver.url("/stock-api"))],
        [("hook", "ask")],
    )
    child_id, _ = create_active_flow(api, child_graph, name="Stock lookup")
    _, url = create_active_flow(api, caller_flow(child_id, receiver))
    parent_id = post_json(client, url, {"sku": "A"}).get_json()["execution_id"]
    started = time.monotonic()
    run_queue()
    assert time.monotonic() - started >= 3
    assert execution(api, parent_id)["status"] == "succeeded"
    sent = [r.json() for r in receiver.requests if r.path == "/stock"]
    assert [answer["body"] for answer in sent] == [{"stock": 3}]  # the called flow's answer


def test_a_flow_that_calls_itself_fails_with_a_clear_error(api, client, receiver, run_queue):
    flow_id, url = create_active_flow(api, lookup_flow("core.webhook"))
    updated = api.put(f"/api/flows/{flow_id}", json={"graph": caller_flow(flow_id, receiver)})
    assert updated.status_code == 200, updated.get_json()
    execution_id = post_json(client, url, {"sku": "A"}).get_json()["execution_id"]
    run_queue()
    failed = execution(api, execution_id)
    assert failed["status"] == "failed"
    assert "cannot call itself" in failed["error"]["message"]


def test_another_merchants_flow_cannot_be_called(api, other_api, receiver):
    theirs, _ = create_active_flow(other_api, lookup_flow())
    created = api.post("/api/flows", json={"name": "x", "graph": caller_flow(theirs, receiver)})
    assert created.status_code == 422
    [problem] = created.get_json()["errors"]
    assert problem["pointer"] == "/graph/nodes/1/params/flow_id"
    assert "no such flow" in problem["message"]


def replying_flow(timeout):
    return graph(
        [
            {
                "id": "hook",
                "type": "core.webhook",
                "params": {"respond": "from_flow", "respond_timeout_seconds": timeout},
            },
            {
                "id": "reply",
                "type": "core.respond_to_webhook",
                "params": {"status": 201, "headers": {"X-Order": "angenommen"}},
                "mapping": {"body": "{id: trigger.id, note: 'Grüße'}"},
            },
        ],
        [("hook", "reply")],
    )


def test_a_webhook_can_reply_with_what_the_flow_answers(api, served, worker_process):
    _, url = create_active_flow(api, replying_flow(20))
    reply = requests.post(
        url.replace("http://localhost", served),
        data=b'{"id": 18446744073709551617}',
        headers=JSON,
        timeout=30,
    )
    assert reply.status_code == 201
    assert reply.headers["X-Order"] == "angenommen"
    assert reply.content == b'{"id": 18446744073709551617, "note": "Gr\\u00fc\\u00dfe"}'


def test_without_a_reply_in_time_the_sender_gets_202_and_the_event_is_kept(api, client):
    _, url = create_active_flow(api, replying_flow(1))  # no worker runs: no reply comes
    started = time.monotonic()
    reply = post_json(client, url, {"id": 1})
    assert 1 <= time.monotonic() - started < 3
    assert reply.status_code == 202
    assert db.session.get(Execution, reply.get_json()["execution_id"]).status == "queued"


CONTROL_NODES = {
    "core.router",
    "core.split",
    "core.aggregate",
    "core.merge",
    "core.delay",
    "core.call_flow",
    "core.respond_to_webhook",
    "core.error_trigger",
}


def test_the_catalog_declares_the_control_nodes_for_the_editor(api):
    nodes = {n["key"]: n for n in api.get("/api/nodes").get_json()["nodes"]}
    assert set(nodes) >= CONTROL_NODES
    for key in CONTROL_NODES:
        for text in (nodes[key]["title"], nodes[key]["description"]):
            assert text["de"] and text["en"] and text["de"] != text["en"]
    assert nodes["core.router"]["ports_from"] == {
        "param": "branches",
        "name": "name",
        "fixed": ["default"],
    }
    assert nodes["core.map"]["ports_from"] is None


def test_the_execution_page_shows_a_split_step_once_with_its_time(client, receiver, run_queue):
    demo = Api(client, ensure_demo_merchant())
    _, url = create_active_flow(demo, split_flow(receiver))
    execution_id = post_json(client, url, ORDER).get_json()["execution_id"]
    run_queue()
    line = next(s for s in execution(demo, execution_id)["steps"] if s["node_id"] == "line")
    assert line["started_at"] == line["items"][0]["started_at"]
    assert line["finished_at"] == line["items"][1]["finished_at"]
    sign_in(client)
    page = client.get(f"/executions/{execution_id}").get_data(as_text=True)
    assert page.count('data-step="line"') == 1
    assert '<span class="status succeeded">succeeded</span>' in page
