"""Mollie: an unsigned id-only webhook made safe by fetching the payment in the worker, the
status filter, and payment links and refunds against a faithful fake."""

from __future__ import annotations

import pytest

from app.models import Execution
from nodes.mollie.fake import API_KEY, FakeMollie
from tests.conftest import connected, create_active_flow, create_credential, flow_document, run_now


@pytest.fixture
def mollie(app):
    with connected(app, "mollie", FakeMollie()) as fake:
        yield fake


def account(api) -> str:
    return create_credential(api, "mollie", {"api_key": API_KEY}, "Mollie")


def post_form(client, url: str, body: str):
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


def fetches(fake, payment_id: str) -> int:
    return sum(1 for r in fake.requests if r.path == f"/v2/payments/{payment_id}")


def execution(api, reply) -> dict:
    return api.get(f"/api/executions/{reply.get_json()['execution_id']}").get_json()


@pytest.fixture
def paid_flow(api, client, mollie, receiver):
    """Payment status changed (paid) → map → POST to the merchant's system; returns a
    function that delivers Mollie's webhook call for a payment id."""
    graph = flow_document(
        {
            "id": "t",
            "type": "mollie.payment_status_changed",
            "credential": account(api),
            "params": {"statuses": ["paid"]},
        },
        {
            "id": "fields",
            "type": "core.map",
            "mapping": {
                "fields.payment": "trigger.id",
                "fields.amount": "trigger.amount.value",
                "fields.order": "trigger.metadata.order_id",
            },
        },
        {
            "id": "notify",
            "type": "core.http_request",
            "params": {"url": receiver.url("/paid"), "method": "POST"},
            "mapping": {"body": "input"},
        },
    )
    _, url = create_active_flow(api, graph)

    def call(payment_id: str, body: str | None = None):
        return post_form(client, url, f"id={payment_id}" if body is None else body)

    return call


def test_a_paid_payment_is_fetched_and_mapped_to_the_merchants_system(
    api, paid_flow, mollie, receiver, run_queue
):
    """End to end: Mollie's id-only call → the payment fetched → map → HTTP request."""
    payment_id = mollie.add_payment("paid")
    accepted = paid_flow(payment_id)
    assert accepted.status_code == 202
    run_queue()

    done = execution(api, accepted)
    assert done["status"] == "succeeded", done
    trigger = done["steps"][0]
    assert trigger["output"]["id"] == payment_id and trigger["output"]["status"] == "paid"
    (fetched,) = [r for r in mollie.requests if r.path == f"/v2/payments/{payment_id}"]
    assert fetched.header("Authorization") == f"Bearer {API_KEY}"
    (posted,) = receiver.requests
    assert posted.json() == {"payment": payment_id, "amount": "10.00", "order": "12345"}


def test_other_statuses_end_quietly(api, paid_flow, mollie, receiver, run_queue):
    call = paid_flow(mollie.add_payment("open"))
    run_queue()

    done = execution(api, call)
    assert done["status"] == "succeeded"
    assert [s["status"] for s in done["steps"]] == ["succeeded", "skipped", "skipped"]
    assert receiver.requests == []


def test_a_paid_payment_runs_the_flow_once_whatever_mollie_calls_later(
    api, paid_flow, mollie, receiver, run_queue
):
    """Mollie calls again when a paid payment is refunded (still "paid"), and two calls can
    be fetched late in the same state: the event is the payment id and its status."""
    payment_id = mollie.add_payment("paid")
    late = [paid_flow(payment_id), paid_flow(payment_id)]
    run_queue()
    mollie.payments[payment_id]["amountRefunded"] = {"currency": "EUR", "value": "2.00"}
    refund_call = paid_flow(payment_id)
    run_queue()

    runs = [execution(api, call) for call in (*late, refund_call)]
    assert [r["status"] for r in runs] == ["succeeded"] * 3
    assert [r["steps"][2]["status"] for r in runs] == ["succeeded", "skipped", "skipped"]
    assert len(receiver.requests) == 1
    assert fetches(mollie, payment_id) == 3  # each call looked at the payment


def test_a_test_delivery_does_not_use_up_the_real_one(api, paid_flow, mollie, receiver, run_queue):
    payment_id = mollie.add_payment("paid")
    flow_id = api.get("/api/flows").get_json()["flows"][0]["id"]
    (test_hook,) = api.get(f"/api/flows/{flow_id}").get_json()["test_webhooks"]
    tested = post_form(api.client, test_hook["url"], f"id={payment_id}")
    real = paid_flow(payment_id)
    run_queue()

    assert [execution(api, reply)["steps"][2]["status"] for reply in (tested, real)] == [
        "succeeded",
        "succeeded",
    ]
    assert len(receiver.requests) == 2


def test_a_forged_id_fails_with_mollies_message_and_runs_nothing(
    api, paid_flow, receiver, run_queue
):
    forged = paid_flow("tr_forged1234")
    assert forged.status_code == 202
    run_queue()

    failed = execution(api, forged)
    assert failed["status"] == "failed"
    error = failed["steps"][0]["error"]
    assert error["type"] == "provider" and error["status"] == 404
    assert "Mollie says: No payment exists with token tr_forged1234." in error["message"]
    assert [s["status"] for s in failed["steps"][1:]] == ["pending", "pending"]
    assert receiver.requests == []


def test_calls_without_a_payment_id_are_answered_without_running(paid_flow, mollie):
    for body in ("", "id=", "id=../../v2/refunds", "foo=tr_abc"):
        ignored = paid_flow("", body=body)
        assert ignored.status_code == 200, body
        assert "has none" in ignored.get_json()["ignored"]
    assert Execution.query.count() == 0 and mollie.requests == []


def test_each_call_runs_and_the_status_decides_what_happens(api, paid_flow, mollie, run_queue):
    """No dedupe at ingress: Mollie calls with the same id for every status change."""
    payment_id = mollie.add_payment("authorized")
    first = paid_flow(payment_id)
    run_queue()
    mollie.payments[payment_id]["status"] = "paid"
    second = paid_flow(payment_id)
    assert (first.status_code, second.status_code) == (202, 202)
    run_queue()

    assert execution(api, first)["steps"][1]["status"] == "skipped"
    assert execution(api, second)["steps"][1]["status"] == "succeeded"


# Actions


def refund_flow(api, credential: str) -> str:
    graph = flow_document(
        {"id": "t", "type": "mollie.payment_status_changed", "credential": credential},
        {
            "id": "refund",
            "type": "mollie.create_refund",
            "credential": credential,
            "params": {"currency": "EUR", "description": "Goodwill"},
            "mapping": {"payment_id": "trigger.id", "amount": "'4.00'"},
        },
    )
    created = api.post("/api/flows", json={"name": "Refund", "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_a_refund_is_sent_with_the_steps_idempotency_key(api, client, mollie, run_queue):
    payment_id = mollie.add_payment("paid")
    flow_id = refund_flow(api, account(api))
    api.post(f"/api/flows/{flow_id}/activate")
    url = api.get(f"/api/flows/{flow_id}").get_json()["webhooks"][0]["url"]
    accepted = post_form(client, url, f"id={payment_id}")
    mollie.rate_limit_next()  # the fetch is retried too
    run_queue()

    done = execution(api, accepted)
    assert done["status"] == "succeeded", done
    assert done["steps"][0]["attempts"] == 2
    refund = done["steps"][1]["output"]
    assert refund["paymentId"] == payment_id and refund["amount"]["value"] == "4.00"
    (sent,) = [r for r in mollie.requests if r.method == "POST"]
    assert sent.path == f"/v2/payments/{payment_id}/refunds"
    assert sent.header("Idempotency-Key") == f"{done['id']}:refund"
    assert sent.json() == {
        "amount": {"currency": "EUR", "value": "4.00"},
        "description": "Goodwill",
    }


def test_a_refused_refund_is_retried_from_its_step_without_fetching_again(
    api, client, mollie, run_queue
):
    payment_id = mollie.add_payment("paid", amount={"currency": "EUR", "value": "3.00"})
    flow_id = refund_flow(api, account(api))
    api.post(f"/api/flows/{flow_id}/activate")
    url = api.get(f"/api/flows/{flow_id}").get_json()["webhooks"][0]["url"]
    accepted = post_form(client, url, f"id={payment_id}")
    run_queue()

    failed = execution(api, accepted)
    error = failed["steps"][1]["error"]
    assert failed["status"] == "failed" and error["status"] == 422
    assert (
        "Mollie says: The amount is higher than the maximum of 3.00 (field amount)"
        in (error["message"])
    )
    assert api.post(f"/api/executions/{failed['id']}/retry").status_code in (200, 202)
    run_queue()
    assert execution(api, accepted)["status"] == "failed"
    assert fetches(mollie, payment_id) == 1  # the recorded payment is reused
    assert len([r for r in mollie.requests if r.method == "POST"]) == 2


def link_flow(api, **mapping) -> str:
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "link",
            "type": "mollie.create_payment_link",
            "credential": account(api),
            "params": {
                "currency": "EUR",
                "redirect_url": "https://shop.example/thanks",
                "webhook_url": "https://shopwire.example/hooks/abc",
            },
            "mapping": {"amount": "trigger.total", "description": "trigger.title", **mapping},
        },
    )
    created = api.post("/api/flows", json={"name": "Link", "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_a_payment_link_is_created_with_amount_as_a_decimal_string(api, mollie, run_queue):
    done = run_now(api, run_queue, link_flow(api), {"total": "24.95", "title": "Order #1001"})

    assert done["status"] == "succeeded", done
    link = done["steps"][1]["output"]
    assert link["_links"]["paymentLink"]["href"].startswith("https://paymentlink.mollie.com/")
    (sent,) = mollie.requests
    assert (sent.method, sent.path) == ("POST", "/v2/payment-links")
    assert sent.header("Authorization") == f"Bearer {API_KEY}"
    assert sent.header("Idempotency-Key") == f"{done['id']}:link"
    assert sent.json() == {
        "description": "Order #1001",
        "amount": {"currency": "EUR", "value": "24.95"},
        "redirectUrl": "https://shop.example/thanks",
        "webhookUrl": "https://shopwire.example/hooks/abc",
    }


def test_mollies_refusal_names_the_field_and_a_wrong_key_says_so(api, mollie, run_queue):
    flow_id = link_flow(api)
    mollie.fail_next(422, mollie.error(422, "The amount is lower than the minimum", "amount"))
    failed = run_now(api, run_queue, flow_id, {"total": "0.01", "title": "Tiny"})
    error = failed["steps"][1]["error"]
    assert error["message"].endswith(
        "Mollie says: The amount is lower than the minimum (field amount)"
    )
    assert error["hint"].startswith("Check the values")

    mollie.fail_next(401, mollie.error(401, ""))
    failed = run_now(api, run_queue, flow_id, {"total": "5.00", "title": "X"})
    assert (
        "Missing authentication, or failed to authenticate"
        in failed["steps"][1]["error"]["message"]
    )
    assert "enter it again" in failed["steps"][1]["error"]["hint"]
