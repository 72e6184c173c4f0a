"""Webhook ingress: what a sender gets back, and that nothing accepted is lost."""

import base64
import hashlib
import hmac
import io
import json
import threading
import time

from app.extensions import db
from app.models import Execution
from app.runtime.queue import WAKEUP_KEY, execution_queue
from tests.conftest import create_active_flow, flow_document, load_fixture, post_json

HOOK = {"id": "hook", "type": "core.webhook"}
MAP = {
    "id": "map",
    "type": "core.map",
    "params": {"fields": {}},
    "mapping": {"fields.email": "trigger.email"},
}


def active_flow(api, **hook_params):
    return create_active_flow(api, flow_document({**HOOK, "params": hook_params}, MAP))


def test_a_json_event_is_committed_as_queued_before_the_reply(api, client):
    flow_id, url = active_flow(api)
    reply = post_json(client, url, load_fixture("shopify", "webhook.orders_paid.json"))
    assert reply.status_code == 202
    execution = db.session.get(Execution, reply.get_json()["execution_id"])
    assert execution.status == "queued"
    assert execution.flow_id == flow_id
    assert execution.raw_body == load_fixture("shopify", "webhook.orders_paid.json")


def test_after_the_reply_a_worker_is_woken_for_the_event(api, client):
    """The request does not wait for Redis: its process's waker enqueues the job just after."""
    _, url = active_flow(api)
    assert post_json(client, url, {"email": "jon@example.com"}).status_code == 202
    queue = execution_queue()
    deadline = time.monotonic() + 5
    while queue.count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert queue.count == 1


def wakers() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "waker"]


def test_an_idle_waker_ends_and_the_next_event_still_wakes_a_worker(api, client, monkeypatch):
    """An idle waker lets go of its app; the next event starts another."""
    monkeypatch.setattr("app.runtime.queue.WAKER_IDLE_SECONDS", 0.05)
    _, url = active_flow(api)
    queue = execution_queue()
    for expected in (1, 2):
        execution_queue().connection.delete(WAKEUP_KEY)  # as a job does when it starts
        assert post_json(client, url, {"n": expected}).status_code == 202
        deadline = time.monotonic() + 5
        while queue.count < expected and time.monotonic() < deadline:
            time.sleep(0.01)
        assert queue.count == expected
        while wakers() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wakers() == []


def test_form_bodies_become_fields(api, client, run_queue):
    _, url = active_flow(api)
    reply = client.post(
        url,
        data="email=jon%40example.com&tag=a&tag=b",
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status_code == 202
    run_queue()
    detail = api.get(f"/api/executions/{reply.get_json()['execution_id']}").get_json()
    assert detail["steps"][0]["output"] == {"email": "jon@example.com", "tag": ["a", "b"]}
    assert detail["steps"][1]["output"] == {"email": "jon@example.com"}


def test_a_look_at_the_address_is_answered_without_running_anything(api, client):
    _, url = active_flow(api)
    for address in (url, "/hooks/not-a-token"):  # no look-up: nothing to learn from it
        looked = client.head(address)
        assert (looked.status_code, looked.data) == (200, b"")
    assert api.get("/api/executions").get_json()["executions"] == []


def test_unknown_token_is_404_problem(client):
    reply = post_json(client, "/hooks/not-a-token", {})
    assert reply.status_code == 404
    assert reply.content_type == "application/problem+json"
    assert "No active flow" in reply.get_json()["detail"]


def test_only_post_is_answered_and_every_reply_is_nothing_a_browser_runs(api, client):
    _, url = active_flow(api)
    asked = client.get(url)
    assert asked.status_code == 405 and asked.headers["Allow"] == "HEAD, POST"
    assert asked.content_type == "application/problem+json"
    accepted = post_json(client, url, {"email": "jon@example.com"})
    for reply in (asked, accepted):
        assert (
            reply.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
        )
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_a_crash_is_a_500_problem_without_details(api, client, monkeypatch):
    _, url = active_flow(api)

    def crash(**_event):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.runtime.executions.start", crash)
    reply = post_json(client, url, {"email": "jon@example.com"})
    assert reply.status_code == 500
    assert reply.content_type == "application/problem+json"
    assert "secret internals" not in reply.get_data(as_text=True)
    assert "try again" in reply.get_json()["detail"]


def test_a_switched_off_flow_does_not_accept_events(api, client):
    flow_id, url = active_flow(api)
    api.post(f"/api/flows/{flow_id}/deactivate")
    assert post_json(client, url, {}).status_code == 404
    api.post(f"/api/flows/{flow_id}/activate")
    assert post_json(client, url, {}).status_code == 202


def test_oversized_body_is_413(app, api, client):
    app.config["SHOPWIRE_MAX_WEBHOOK_BYTES"] = 1000
    _, url = active_flow(api)
    reply = post_json(client, url, {"blob": "x" * 2000})
    assert reply.status_code == 413
    assert reply.content_type == "application/problem+json"
    assert db.session.query(Execution).count() == 0


def test_malformed_json_is_400_and_kept_as_rejected_event(api, client):
    flow_id, url = active_flow(api)
    reply = post_json(client, url, b'{"id": 1,')
    assert reply.status_code == 400
    assert "not valid JSON" in reply.get_json()["detail"]
    rejected = api.get(f"/api/flows/{flow_id}/rejected-events").get_json()["rejected_events"]
    assert [(r["status"], r["body"]) for r in rejected] == [(400, '{"id": 1,')]
    assert db.session.query(Execution).count() == 0


def test_unsupported_content_type_is_415(api, client):
    _, url = active_flow(api)
    reply = client.post(url, data=b"<order/>", content_type="application/xml")
    assert reply.status_code == 415
    assert "application/json" in reply.get_json()["detail"]


def signed_flow(api, secret="s3cret-value", **signature):
    credential = api.post(
        "/api/credentials",
        json={"connector": "core", "name": "Shop secret", "data": {"secret": secret}},
    )
    assert credential.status_code == 201, credential.get_json()
    hook = {
        **HOOK,
        "credential": credential.get_json()["id"],
        "params": {"signature": {"header": "X-Signature", **signature}},
    }
    return create_active_flow(api, flow_document(hook, MAP))


def test_hmac_signature_is_verified(api, client):
    flow_id, url = signed_flow(api, encoding="base64")
    body = b'{"email": "jon@example.com"}'
    good = base64.b64encode(hmac.new(b"s3cret-value", body, hashlib.sha256).digest()).decode()
    assert post_json(client, url, body, **{"X-Signature": good}).status_code == 202

    wrong = post_json(client, url, body, **{"X-Signature": good[:-4] + "AAA="})
    assert wrong.status_code == 401
    assert wrong.get_json()["detail"] == "The X-Signature signature does not match the body."
    missing = post_json(client, url, body)
    assert missing.get_json()["detail"] == "The request has no X-Signature header."
    rejected = api.get(f"/api/flows/{flow_id}/rejected-events").get_json()["rejected_events"]
    assert [r["status"] for r in rejected] == [401, 401]
    assert db.session.query(Execution).count() == 1


def test_the_signature_is_checked_on_the_raw_bytes_before_the_body_is_parsed(api, client):
    """A forged delivery costs no parsing: it is refused for its signature, whatever its body."""
    flow_id, url = signed_flow(api, encoding="base64")
    forged = {"X-Signature": "AAAA"}
    costly = "a=1&" * 20_000  # past the form field limit: parsing it would be refused too
    form = "application/x-www-form-urlencoded"
    for body, content_type in ((costly, form), ("<order/>", "application/xml"), ("{", None)):
        reply = client.post(
            url, data=body, content_type=content_type or "application/json", headers=forged
        )
        assert reply.status_code == 401, reply.get_json()
        assert reply.get_json()["detail"] == "The X-Signature signature does not match the body."
    body = b"{"
    signed = base64.b64encode(hmac.new(b"s3cret-value", body, hashlib.sha256).digest()).decode()
    unreadable = post_json(client, url, body, **{"X-Signature": signed})
    assert unreadable.status_code == 400  # signed, then found unreadable, and kept
    rejected = api.get(f"/api/flows/{flow_id}/rejected-events").get_json()["rejected_events"]
    assert [r["status"] for r in rejected] == [400, 401, 401, 401]


def test_hex_signature_with_prefix(api, client):
    _, url = signed_flow(api, prefix="sha256=")
    body = b'{"email": "jon@example.com"}'
    digest = hmac.new(b"s3cret-value", body, hashlib.sha256).hexdigest()
    assert post_json(client, url, body, **{"X-Signature": "sha256=" + digest}).status_code == 202
    assert post_json(client, url, body, **{"X-Signature": digest}).status_code == 401


def test_a_signing_trigger_without_secret_cannot_be_saved(api):
    hook = {**HOOK, "params": {"signature": {"header": "X-Signature"}}}
    reply = api.post("/api/flows", json={"name": "x", "graph": flow_document(hook, MAP)})
    assert reply.status_code == 422
    assert reply.get_json()["errors"][0]["pointer"] == "/graph/nodes/0/credential"


def test_event_id_from_the_body_deduplicates(api, client):
    _, url = active_flow(api, event_id_path="id")
    first = post_json(client, url, {"id": 7, "email": "a@example.com"})
    again = post_json(client, url, {"id": 7, "email": "a@example.com"})
    other = post_json(client, url, {"id": 8, "email": "a@example.com"})
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
    assert again.get_json() == {"execution_id": first.get_json()["execution_id"], "duplicate": True}
    assert db.session.query(Execution).count() == 2


def test_rejected_events_keep_no_credentials(api, client):
    flow_id, url = active_flow(api)
    client.post(
        url,
        data=b"{",
        content_type="application/json",
        headers={
            "Authorization": "Bearer sk_live_1",
            "Cookie": "session=abc",
            "X-Api-Key": "k-123",
            "User-Agent": "Shopify",
        },
    )
    [event] = api.get(f"/api/flows/{flow_id}/rejected-events").get_json()["rejected_events"]
    assert event["headers"]["User-Agent"] == "Shopify"
    assert not {"Authorization", "Cookie", "X-Api-Key"} & set(event["headers"])


def test_long_event_ids_stay_distinct(api, client):
    _, url = active_flow(api, event_id_header="X-Event")
    prefix = "e" * 300
    first = post_json(client, url, {}, **{"X-Event": prefix + "1"})
    second = post_json(client, url, {}, **{"X-Event": prefix + "2"})
    again = post_json(client, url, {}, **{"X-Event": prefix + "1"})
    assert (first.status_code, second.status_code, again.status_code) == (202, 202, 200)


def test_the_test_address_runs_a_flow_that_is_off_and_never_blocks_the_real_event(api, client):
    graph = flow_document({"id": "t", "type": "core.webhook", "params": {"event_id_path": "id"}})
    created = api.post("/api/flows", json={"name": "Draft", "graph": graph}).get_json()
    (test_hook,) = created["test_webhooks"]
    assert created["webhooks"] == [] and "/hooks/test/" in test_hook["url"]

    tested = post_json(client, test_hook["url"], {"id": 7})
    assert tested.status_code == 202
    assert post_json(client, test_hook["url"], {"id": 7}).status_code == 200  # a repeat
    execution = api.get(f"/api/executions/{tested.get_json()['execution_id']}").get_json()
    assert execution["mode"] == "test"
    production = test_hook["url"].replace("/hooks/test/", "/hooks/")
    assert post_json(client, production, {"id": 7}).status_code == 404  # the flow is off

    api.post(f"/api/flows/{created['id']}/activate")
    assert post_json(client, production, {"id": 7}).status_code == 202


def test_an_oversized_body_streamed_in_chunks_is_413_not_cut_off(app, api, client):
    app.config["SHOPWIRE_MAX_WEBHOOK_BYTES"] = 1000
    _, url = active_flow(api)
    body = json.dumps({"blob": "x" * 2000}).encode()
    reply = client.post(
        url,
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert reply.status_code == 413
    assert db.session.query(Execution).count() == 0
    exact = json.dumps({"blob": "x" * 900}).encode()
    accepted = client.post(
        url,
        input_stream=io.BytesIO(exact),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert accepted.status_code == 202
    assert db.session.get(Execution, accepted.get_json()["execution_id"]).raw_body == exact


def test_a_form_with_too_many_fields_is_refused_before_any_work(api, client):
    _, url = active_flow(api)
    reply = client.post(url, data="a=1&" * 20_000, content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 400 and "more than 10,000 fields" in reply.get_json()["detail"]
    many = client.post(
        url, data="&".join(["tag=x"] * 5_000), content_type="application/x-www-form-urlencoded"
    )
    assert many.status_code == 202


def test_json_nested_too_deeply_is_a_400_with_a_sentence(api, client):
    _, url = active_flow(api)
    reply = post_json(client, url, b"[" * 100_000 + b"]" * 100_000)
    assert reply.status_code == 400 and "nested too deeply" in reply.get_json()["detail"]


def test_numbers_json_cannot_carry_are_a_400_with_a_sentence(api, client):
    _, url = active_flow(api)
    for body in (
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b'{"a": 1e400}',
        b'{"a": ' + b"9" * 5000 + b"}",
    ):
        reply = post_json(client, url, body)
        assert reply.status_code == 400, body[:20]
        assert reply.get_json()["detail"].startswith("The body is not valid JSON")
    assert db.session.query(Execution).count() == 0


def test_a_flows_reply_never_runs_as_a_page_nor_adds_headers_of_its_own(app):
    from app.ingress.webhooks import _flow_reply

    reply = _flow_reply(
        {
            "status": 200,
            "body": "<script>alert(document.cookie)</script>",
            "headers": {
                "Content-Type": "text/html",
                "Content-Security-Policy": "script-src *",
                "X-Note": "a\r\nSet-Cookie: session=stolen",
                "X-Order": "42",
            },
        }
    )
    assert reply.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert "X-Note" not in reply.headers and "Set-Cookie" not in reply.headers
    assert reply.headers["X-Order"] == "42"


def test_a_signed_body_replayed_under_a_new_delivery_id_runs_once(api, client):
    flow_id, url = signed_flow(api, encoding="base64")
    body = b'{"email": "jon@example.com", "refund": 10}'
    good = base64.b64encode(hmac.new(b"s3cret-value", body, hashlib.sha256).digest()).decode()
    first = post_json(client, url, body, **{"X-Signature": good, "Idempotency-Key": "d-1"})
    replay = post_json(client, url, body, **{"X-Signature": good, "Idempotency-Key": "d-2"})
    assert (first.status_code, replay.status_code) == (202, 200)
    assert replay.get_json() == {
        "execution_id": first.get_json()["execution_id"],
        "duplicate": True,
    }
    assert db.session.query(Execution).count() == 1
    # Unsigned deliveries of the same body stay distinct events, as before.
    _, plain = active_flow(api)
    assert post_json(client, plain, {"n": 1}).status_code == 202
    assert post_json(client, plain, {"n": 1}).status_code == 202
