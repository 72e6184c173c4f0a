"""Executions: running steps, recording them, failures in plain words, retry, listing."""

import time
from datetime import UTC, datetime, timedelta

from app.runtime.queue import dispatch
from tests.conftest import create_active_flow, flow_document, make_due, post_json, run_now

JSON = {"Content-Type": "application/json"}


def http_step(node_id, url, **extra):
    return {
        "id": node_id,
        "type": "core.http_request",
        "name": f"Send {node_id}",
        "params": {"method": "POST", "url": url},
        "mapping": {"body": "input"},
        **extra,
    }


def two_calls(api, receiver):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        http_step("a", receiver.url("/a")),
        http_step("b", receiver.url("/b"), retry={"attempts": 3, "backoff_seconds": 0}),
    )
    return create_active_flow(api, graph)


def paths(receiver):
    return [r.path for r in receiver.requests]


def test_a_failed_step_is_explained_and_retry_resumes_there(api, client, receiver, run_queue):
    receiver.reply = lambda r: (
        (400, JSON, b'{"message": "Unknown SKU"}')
        if r.path == "/b"
        else (200, JSON, b'{"ok": true}')
    )
    flow_id, url = two_calls(api, receiver)
    execution_id = post_json(client, url, {"sku": "X"}).get_json()["execution_id"]
    run_queue()
    failed = api.get(f"/api/executions/{execution_id}").get_json()
    assert failed["status"] == "failed"
    assert failed["error"]["node_id"] == "b" and failed["error"]["type"] == "provider"
    host = f"127.0.0.1:{receiver.server_address[1]}"
    assert failed["error"]["message"] == (
        f'{host} answered 400 Bad Request: {{"message": "Unknown SKU"}}'
    )
    assert failed["error"]["hint"].startswith("Check the values this step sends")
    assert [s["status"] for s in failed["steps"]] == ["succeeded", "succeeded", "failed"]
    assert failed["steps"][2]["attempts"] == 1  # a provider's refusal is not retried

    receiver.reply = lambda r: (200, JSON, b'{"ok": true}')
    assert api.post(f"/api/executions/{execution_id}/retry").status_code == 202
    run_queue()
    done = api.get(f"/api/executions/{execution_id}").get_json()
    assert done["status"] == "succeeded"
    assert paths(receiver) == ["/a", "/b", "/b"]  # step a did not run again
    assert api.post(f"/api/executions/{execution_id}/retry").status_code == 409


def test_transient_errors_are_retried_honouring_retry_after(api, client, receiver, run_queue):
    answers = iter(
        [
            (503, {"Retry-After": "0"}, b""),
            (429, {"Retry-After": "0"}, b""),
            (200, JSON, b'{"id": 1}'),
        ]
    )
    receiver.reply = lambda r: (200, JSON, b"{}") if r.path == "/a" else next(answers)
    _, url = two_calls(api, receiver)
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()
    detail = api.get(f"/api/executions/{execution_id}").get_json()
    assert detail["status"] == "succeeded"
    step_b = detail["steps"][2]
    assert (step_b["attempts"], step_b["output"]["body"]) == (3, {"id": 1})
    idempotency = {r.headers["Idempotency-Key"] for r in receiver.requests if r.path == "/b"}
    assert idempotency == {f"{execution_id}:b"}


def test_a_long_retry_after_frees_the_worker_and_the_step_is_tried_again_later(
    api, client, receiver, run_queue
):
    """A provider asks for 30 s: the worker runs other executions meanwhile, and the step is
    tried again when due, with its attempts counted on and one record."""
    answers = iter([(429, {"Retry-After": "30"}, b""), (200, JSON, b'{"id": 1}')])
    receiver.reply = lambda r: next(answers) if r.path == "/slow" else (200, JSON, b"{}")
    _, slow_url = create_active_flow(
        api,
        flow_document(
            {"id": "hook", "type": "core.webhook"}, http_step("b", receiver.url("/slow"))
        ),
    )
    _, other_url = create_active_flow(
        api,
        flow_document({"id": "hook", "type": "core.webhook"}, http_step("a", receiver.url("/a"))),
    )
    slow = post_json(client, slow_url, {"n": 1}).get_json()["execution_id"]
    other = post_json(client, other_url, {"n": 2}).get_json()["execution_id"]
    started = time.monotonic()
    run_queue()
    assert time.monotonic() - started < 10  # nobody slept through the 30 s
    assert api.get(f"/api/executions/{other}").get_json()["status"] == "succeeded"
    waiting = api.get(f"/api/executions/{slow}").get_json()
    assert waiting["status"] == "waiting"
    retrying = waiting["steps"][1]
    assert (retrying["status"], retrying["attempts"]) == ("retrying", 1)
    assert "429" in retrying["error"]["message"]
    due = datetime.fromisoformat(retrying["error"]["retry_at"])
    assert 25 < (due - datetime.now(UTC)).total_seconds() <= 31

    make_due(slow)  # the 30 s pass
    dispatch(slow)
    run_queue()
    done = api.get(f"/api/executions/{slow}").get_json()
    assert done["status"] == "succeeded"
    assert [(s["node_id"], s["status"], s["attempts"]) for s in done["steps"]] == [
        ("hook", "succeeded", 1),
        ("b", "succeeded", 2),
    ]
    keys = [r.headers["Idempotency-Key"] for r in receiver.requests if r.path == "/slow"]
    assert keys == [f"{slow}:b"] * 2


def test_a_missing_field_fails_the_step_naming_node_and_field(api, client, receiver, run_queue):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "map",
            "type": "core.map",
            "name": "Pick",
            "params": {"fields": {}},
            "mapping": {"fields.email": "trigger.customer.email"},
        },
    )
    _, url = create_active_flow(api, graph)
    execution_id = post_json(client, url, {"customer": {}}).get_json()["execution_id"]
    run_queue()
    error = api.get(f"/api/executions/{execution_id}").get_json()["error"]
    assert (error["node_name"], error["field"], error["type"]) == ("Pick", "fields.email", "user")
    assert "`trigger.customer.email`" in error["message"]


def test_a_false_filter_ends_the_flow_quietly(api, client, receiver, run_queue):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {
            "id": "only_paid",
            "type": "core.filter",
            "mapping": {"condition": "trigger.financial_status == 'paid'"},
        },
        http_step("a", receiver.url("/a")),
    )
    _, url = create_active_flow(api, graph)
    ids = [
        post_json(client, url, {"financial_status": s}).get_json()["execution_id"]
        for s in ("pending", "paid")
    ]
    run_queue()
    pending, paid = (api.get(f"/api/executions/{i}").get_json() for i in ids)
    assert pending["status"] == "succeeded"
    assert [s["status"] for s in pending["steps"]] == ["succeeded", "succeeded", "skipped"]
    assert [s["status"] for s in paid["steps"]] == ["succeeded"] * 3
    assert paths(receiver) == ["/a"]


def test_manual_run_with_a_payload(api, receiver, run_queue):
    graph = flow_document(
        {"id": "start", "type": "core.manual"}, http_step("a", receiver.url("/a"))
    )
    flow_id = api.post("/api/flows", json={"name": "m", "graph": graph}).get_json()["id"]
    started = api.post(f"/api/flows/{flow_id}/run", json={"payload": {"n": 1}})
    assert started.status_code == 202
    run_queue()
    assert receiver.requests[0].json() == {"n": 1}
    assert api.get(f"/api/executions/{started.get_json()['id']}").get_json()["mode"] == "manual"


def test_list_is_newest_first_filtered_and_paged(api, other_api, client, receiver, run_queue):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "f", "type": "core.filter", "mapping": {"condition": "trigger.ok"}},
        http_step("a", receiver.url("/a")),
    )
    flow_id, url = create_active_flow(api, graph)
    ids = [post_json(client, url, {"ok": True}).get_json()["execution_id"] for _ in range(5)]
    run_queue()
    listed = api.get(f"/api/executions?flow_id={flow_id}&limit=3").get_json()
    assert [e["id"] for e in listed["executions"]] == ids[::-1][:3]
    rest = api.get(f"/api/executions?flow_id={flow_id}&before={listed['next_cursor']}").get_json()
    assert [e["id"] for e in rest["executions"]] == ids[::-1][3:]
    assert rest["next_cursor"] is None
    assert len(api.get("/api/executions?status=succeeded").get_json()["executions"]) == 5
    assert api.get("/api/executions?status=failed").get_json()["executions"] == []
    assert api.get("/api/executions?status=bogus").status_code == 400
    assert len(api.get("/api/executions?status=&since=").get_json()["executions"]) == 5
    assert other_api.get("/api/executions").get_json()["executions"] == []
    assert other_api.get(f"/api/executions/{ids[0]}").status_code == 404
    assert other_api.post(f"/api/executions/{ids[0]}/retry").status_code == 404


def test_a_job_whose_own_execution_already_ran_still_runs_the_waiting_ones(
    api, client, receiver, run_queue
):
    from app.runtime import jobs
    from app.runtime.queue import WAKEUP_KEY, redis_connection

    _, url = create_active_flow(
        api,
        flow_document({"id": "hook", "type": "core.webhook"}, http_step("a", receiver.url("/a"))),
    )
    first = post_json(client, url, {"n": 1}).get_json()["execution_id"]
    run_queue()
    redis_connection().set(WAKEUP_KEY, "pending")  # a wake-up is pending: no job of its own
    second = post_json(client, url, {"n": 2}).get_json()["execution_id"]

    assert jobs.run_execution(first) == 1  # a late job for an execution that already ran
    assert api.get(f"/api/executions/{second}").get_json()["status"] == "succeeded"
    assert [r.json() for r in receiver.requests] == [{"n": 1}, {"n": 2}]


def test_since_and_until_understand_time_zones(api, client):
    _, url = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    post_json(client, url, {})
    five_minutes_ago = datetime.now(UTC) - timedelta(minutes=5)
    # the same moment as a Berlin clock shows it in winter
    berlin = (five_minutes_ago + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + "%2B01:00"
    assert api.get(f"/api/executions?until={berlin}").get_json()["executions"] == []
    assert len(api.get(f"/api/executions?since={berlin}").get_json()["executions"]) == 1


def test_a_received_event_runs_again_against_the_current_version(
    api, other_api, client, receiver, run_queue
):
    receiver.reply = lambda r: (404, JSON, b'{"message": "no such shop"}')
    flow_id, url = create_active_flow(
        api,
        flow_document({"id": "hook", "type": "core.webhook"}, http_step("a", receiver.url("/old"))),
    )
    failed = post_json(client, url, {"order": 1001}).get_json()["execution_id"]
    run_queue()
    # The merchant fixes the address: a new version of the flow.
    fixed = flow_document(
        {"id": "hook", "type": "core.webhook"}, http_step("a", receiver.url("/new"))
    )
    assert api.put(f"/api/flows/{flow_id}", json={"graph": fixed}).status_code == 200
    receiver.reply = lambda r: (200, JSON, b'{"ok": true}')

    again = api.post(f"/api/executions/{failed}/rerun")
    assert again.status_code == 201
    rerun = again.get_json()
    assert rerun["rerun_of"] == failed and rerun["id"] != failed and rerun["mode"] == "rerun"
    run_queue()
    done = api.get(f"/api/executions/{rerun['id']}").get_json()
    assert done["status"] == "succeeded"
    assert done["version_id"] != api.get(f"/api/executions/{failed}").get_json()["version_id"]
    assert [r.path for r in receiver.requests] == ["/old", "/new"]
    assert receiver.requests[-1].json() == {"order": 1001}
    assert api.get(f"/api/executions/{failed}").get_json()["status"] == "failed"  # unchanged
    assert other_api.post(f"/api/executions/{failed}/rerun").status_code == 404


def test_runs_are_found_by_kind_event_value_and_error(api, client, receiver, run_queue):
    receiver.reply = lambda r: (
        (404, JSON, b'{"message": "no such shop"}')
        if r.json()["order"] == 2
        else (200, JSON, b"{}")
    )
    flow_id, url = create_active_flow(
        api,
        flow_document({"id": "hook", "type": "core.webhook"}, http_step("a", receiver.url("/a"))),
    )
    live = [post_json(client, url, {"order": n}).get_json()["execution_id"] for n in (1, 2)]
    tested = api.post(f"/api/flows/{flow_id}/run", json={"payload": {"order": 3}}).get_json()
    run_queue()

    def found(query):
        return [e["id"] for e in api.get(f"/api/executions?{query}").get_json()["executions"]]

    assert found("kind=test") == [tested["id"]]
    assert found("kind=live") == live[::-1]
    assert found("q=%22order%22%3A%202") == [live[1]]
    assert found("error=404%20Not%20Found") == [live[1]]
    assert found("error=timed%20out") == []
    assert api.get("/api/executions?kind=bogus").status_code == 400


def test_a_test_run_fails_at_once_at_an_address_that_does_not_answer(api, receiver, run_queue):
    receiver.reply = lambda r: (503, JSON, b"{}")
    graph = flow_document(
        {"id": "start", "type": "core.manual"}, http_step("a", receiver.url("/a"))
    )
    flow_id = api.post("/api/flows", json={"name": "m", "graph": graph}).get_json()["id"]
    started = time.monotonic()
    tested = run_now(api, run_queue, flow_id)
    assert time.monotonic() - started < 5
    step = tested["steps"][1]
    # core.http_request tries 4 times, waiting 1, 2 and 4 s: the test waits out the first
    # second only, and says what a live run would go on to do.
    assert (tested["status"], step["attempts"], len(receiver.requests)) == ("failed", 2, 2)
    assert step["error"]["live_retries"] == {"times": 2, "seconds": 6.0}
