"""Stripe: signed deliveries, webhook registration, and actions against a faithful fake."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from app.models import Execution, RejectedEvent
from nodes.kit import registry
from nodes.kit.base import InboundRequest, ProviderError, SignatureError
from nodes.kit.fakes.provider import form as sent_form
from nodes.stripe import form
from nodes.stripe import stripe as connector
from nodes.stripe.fake import API_KEY, FakeStripe, resource
from tests.conftest import (
    connected,
    create_active_flow,
    create_credential,
    flow_document,
    load_fixture,
    run_now,
)

VECTORS = json.loads(load_fixture("signatures", "stripe.json"))
SECRET = "whsec_test_secret"
EVENT = load_fixture("stripe", "event.payment_intent.succeeded.json")


def signed(body: bytes, secret: str = SECRET, at: int | None = None, extra: str = "") -> str:
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},{extra}v1={digest}"


def delivery(body: bytes, signature: str | None) -> InboundRequest:
    headers = {"Stripe-Signature": signature} if signature else {}
    return InboundRequest(body=body, headers=headers, query={}, payload=json.loads(body))


@pytest.fixture
def stripe(app):
    with connected(app, "stripe", FakeStripe()) as fake:
        yield fake


def account(api, **data) -> str:
    return create_credential(api, "stripe", {"api_key": API_KEY, **data}, "Stripe")


# Signatures


def test_the_official_test_vector_is_recomputed_and_refused_as_stale():
    official = VECTORS["official_test_inputs"]
    body = official["payload"].encode()
    header = VECTORS["derived_vector"]["expected_header"]
    assert signed(body, official["secret"], at=12345) == header
    with pytest.raises(SignatureError, match="old"):
        connector.verify(delivery(body, header), {"webhook_secret": official["secret"]})


def test_a_fresh_signature_passes_and_any_valid_v1_among_several_is_enough():
    connector.verify(delivery(EVENT, signed(EVENT)), {"webhook_secret": SECRET})
    mixed = signed(EVENT, extra="v1=" + "0" * 64 + ",")
    connector.verify(delivery(EVENT, mixed), {"webhook_secret": SECRET})


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "no Stripe-Signature header"),
        ("v1=abc", "no timestamp"),
        (f"t={int(time.time())},v0=abc", "no timestamp or no v1"),
        (f"t={int(time.time())},v1={'0' * 64}", "does not match"),
    ],
)
def test_missing_malformed_and_wrong_signatures_are_refused(header, message):
    with pytest.raises(SignatureError, match=message):
        connector.verify(delivery(EVENT, header), {"webhook_secret": SECRET})


def test_a_signature_made_with_another_secret_or_over_another_body_is_refused():
    with pytest.raises(SignatureError):
        connector.verify(delivery(EVENT, signed(EVENT, "whsec_other")), {"webhook_secret": SECRET})
    with pytest.raises(SignatureError):
        tampered = EVENT.replace(b"2000", b"1")
        connector.verify(delivery(tampered, signed(EVENT)), {"webhook_secret": SECRET})


def test_the_form_encoding_nests_like_stripes_api():
    assert form({"line_items": [{"price": "price_1", "quantity": 2}], "metadata": {"o": "#1"}}) == [
        ("line_items[0][price]", "price_1"),
        ("line_items[0][quantity]", "2"),
        ("metadata[o]", "#1"),
    ]


# Ingress with a merchant-entered signing secret


def test_deliveries_are_verified_deduplicated_and_filtered_by_event_type(api, client, app):
    credential = account(api, webhook_secret=SECRET)
    trigger = {"id": "t", "type": "stripe.payment_succeeded", "credential": credential}
    _, url = create_active_flow(api, flow_document(trigger))

    def post(body: bytes, signature: str | None):
        headers = {"Stripe-Signature": signature} if signature else {}
        return client.post(url, data=body, content_type="application/json", headers=headers)

    first = post(EVENT, signed(EVENT))
    assert first.status_code == 202
    replay = post(EVENT, signed(EVENT))  # Stripe retries with a fresh signature
    assert replay.status_code == 200
    assert replay.get_json() == {
        "execution_id": first.get_json()["execution_id"],
        "duplicate": True,
    }

    assert post(EVENT, None).status_code == 401
    stale = post(EVENT, signed(EVENT, at=int(time.time()) - 301))
    assert stale.status_code == 401 and "old" in stale.get_json()["detail"]
    other = load_fixture("stripe", "event.charge.refunded.json")
    ignored = post(other, signed(other))
    assert ignored.status_code == 200 and "charge.refunded" in ignored.get_json()["ignored"]

    assert Execution.query.count() == 1
    assert [r.status_code for r in RejectedEvent.query.order_by(RejectedEvent.id)] == [401, 401]


def charge_succeeded() -> bytes:
    """A charge.succeeded event as Stripe sends it: the event envelope of Stripe's fixtures
    around their charge object."""
    event = json.loads(EVENT)
    charge = resource("charge")
    event |= {"id": "evt_3charge0succeeded", "type": "charge.succeeded"}
    event["data"] = {"object": charge}
    return json.dumps(event).encode()


def test_any_event_type_can_be_picked_and_is_run_only_when_signed(api, client, run_queue):
    credential = account(api, webhook_secret=SECRET)
    trigger = {
        "id": "t",
        "type": "stripe.event",
        "credential": credential,
        "params": {"event": "charge.succeeded"},
    }
    flow_id, url = create_active_flow(api, flow_document(trigger))
    body = charge_succeeded()

    def post(signature: str):
        headers = {"Stripe-Signature": signature}
        return client.post(url, data=body, content_type="application/json", headers=headers)

    forged = post(signed(body, "whsec_forged"))
    assert forged.status_code == 401
    (kept,) = RejectedEvent.query.all()
    assert "does not match" in kept.reason
    assert kept.headers["Stripe-Signature"].startswith("t=")
    assert kept.body == body

    accepted = post(signed(body))
    assert accepted.status_code == 202
    run_queue()
    execution = Execution.query.one()
    assert execution.status == "succeeded"
    assert json.loads(execution.raw_body)["data"]["object"]["object"] == "charge"


def test_a_forged_delivery_of_another_type_is_refused_not_ignored(api, client):
    credential = account(api, webhook_secret=SECRET)
    trigger = {"id": "t", "type": "stripe.payment_succeeded", "credential": credential}
    _, url = create_active_flow(api, flow_document(trigger))
    body = charge_succeeded()
    headers = {"Stripe-Signature": signed(body, "whsec_forged")}
    refused = client.post(url, data=body, content_type="application/json", headers=headers)
    assert refused.status_code == 401
    assert RejectedEvent.query.count() == 1 and Execution.query.count() == 0


def test_the_event_picker_lists_every_documented_type():
    events = registry.get("stripe.event", 1).params["properties"]["event"]["enum"]
    assert {"charge.succeeded", "payment_intent.succeeded", "customer.created"} <= set(events)
    assert len(events) > 100


# Webhook registration


def test_switching_on_registers_the_webhook_and_its_secret_verifies_deliveries(api, client, stripe):
    trigger = {"id": "t", "type": "stripe.payment_succeeded", "credential": account(api)}
    flow_id, url = create_active_flow(api, flow_document(trigger))

    registered = stripe.requests[-1]
    assert (registered.method, registered.path) == ("POST", "/v1/webhook_endpoints")
    assert registered.header("Authorization") == f"Bearer {API_KEY}"
    assert sent_form(registered) == {
        "url": url,
        "enabled_events[0]": "payment_intent.succeeded",
        "description": "Shopwire",
    }
    (endpoint_id,) = stripe.webhook_endpoints
    secret = stripe.issued_secrets[-1]
    ok = client.post(
        url,
        data=EVENT,
        content_type="application/json",
        headers={"Stripe-Signature": signed(EVENT, secret)},
    )
    assert ok.status_code == 202

    assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
    assert (stripe.requests[-1].method, stripe.requests[-1].path) == (
        "DELETE",
        f"/v1/webhook_endpoints/{endpoint_id}",
    )
    assert stripe.webhook_endpoints == {}


def test_a_refused_registration_keeps_the_flow_off_with_stripes_message(api, stripe):
    stripe.fail_next(401, stripe.error(401, ""))
    trigger = {"id": "t", "type": "stripe.payment_succeeded", "credential": account(api)}
    flow_id = api.post(
        "/api/flows", json={"name": "P", "graph": flow_document(trigger)}
    ).get_json()["id"]
    refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    problem = refused.get_json()
    assert "Invalid API Key provided" in problem["detail"]
    assert "enter it again" in problem["detail"]  # the hint for a 401
    assert problem["errors"][0]["pointer"] == "/graph/nodes/0/credential"
    assert api.get(f"/api/flows/{flow_id}").get_json()["active"] is False


# Actions through the engine


def refund_flow(api, credential: str, **mapping) -> str:
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "refund",
            "type": "stripe.create_refund",
            "credential": credential,
            "params": {"reason": "requested_by_customer", "metadata": {"source": "shopwire"}},
            "mapping": {"payment_intent": "trigger.payment", "amount": "trigger.cents", **mapping},
        },
    )
    created = api.post("/api/flows", json={"name": "Refund", "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_a_refund_is_sent_form_encoded_with_the_steps_idempotency_key(api, run_queue, stripe):
    (intent_id,) = stripe.payment_intents
    flow_id = refund_flow(api, account(api))
    done = run_now(api, run_queue, flow_id, {"payment": intent_id, "cents": 500})

    assert done["status"] == "succeeded", done
    refund = done["steps"][1]["output"]
    assert refund["object"] == "refund" and refund["amount"] == 500
    (sent,) = [r for r in stripe.requests if r.path == "/v1/refunds"]
    assert sent.header("Authorization") == f"Bearer {API_KEY}"
    assert sent.header("Idempotency-Key") == f"{done['id']}:refund"
    assert sent.header("Content-Type") == "application/x-www-form-urlencoded"
    assert sent_form(sent) == {
        "payment_intent": intent_id,
        "amount": "500",
        "reason": "requested_by_customer",
        "metadata[source]": "shopwire",
    }


def test_stripes_refusal_reaches_the_merchant_with_its_message_and_a_hint(api, run_queue, stripe):
    flow_id = refund_flow(api, account(api))
    failed = run_now(api, run_queue, flow_id, {"payment": "pi_unknown", "cents": 500})

    assert failed["status"] == "failed"
    error = failed["steps"][1]["error"]
    assert error["type"] == "provider" and error["status"] == 400
    assert (
        "Stripe says: No such payment_intent: 'pi_unknown' (field payment_intent)"
        in (error["message"])
    )
    assert error["hint"].startswith("Check the values")
    assert failed["steps"][1]["attempts"] == 1


def test_a_rate_limited_request_is_retried_with_the_same_idempotency_key(api, run_queue, stripe):
    (intent_id,) = stripe.payment_intents
    flow_id = refund_flow(api, account(api))
    stripe.rate_limit_next()
    done = run_now(api, run_queue, flow_id, {"payment": intent_id, "cents": 100})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    keys = {r.header("Idempotency-Key") for r in stripe.requests if r.path == "/v1/refunds"}
    assert keys == {f"{done['id']}:refund"}


def test_look_ups_return_stripes_objects_and_a_wrong_key_says_so(api, run_queue, stripe):
    (customer_id,) = stripe.customers
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "customer",
            "type": "stripe.get_customer",
            "credential": account(api),
            "mapping": {"id": "trigger.customer"},
        },
    )
    flow_id = api.post("/api/flows", json={"name": "Look up", "graph": graph}).get_json()["id"]
    done = run_now(api, run_queue, flow_id, {"customer": customer_id})
    assert done["steps"][1]["output"]["id"] == customer_id, done

    stripe.fail_next(401, stripe.error(401, ""))
    failed = run_now(api, run_queue, flow_id, {"customer": customer_id})
    assert "Invalid API Key provided" in failed["steps"][1]["error"]["message"]
    assert "enter it again" in failed["steps"][1]["error"]["hint"]


# Actions run against the fake without the web app


def test_a_payment_link_is_created_for_prices_form_encoded():
    with FakeStripe() as fake:
        items = [{"price": "price_1", "quantity": 2}]
        params = {"line_items": items, "metadata": {"order": "#1001"}}
        link = fake.run("stripe.create_payment_link", params)
    assert link["url"].startswith("https://buy.stripe.com/")
    (sent,) = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/payment_links")
    assert sent_form(sent) == {
        "line_items[0][price]": "price_1",
        "line_items[0][quantity]": "2",
        "metadata[order]": "#1001",
    }
    assert sent.header("Idempotency-Key") == "run:step"
    assert sent.header("Stripe-Version") == "2024-06-20"


def test_a_payment_is_looked_up_and_an_unknown_one_carries_stripes_message():
    with FakeStripe() as fake:
        (intent_id,) = fake.payment_intents
        assert fake.run("stripe.get_payment_intent", {"id": intent_id})["id"] == intent_id
        with pytest.raises(ProviderError, match="Stripe says: No such payment_intent: 'pi_nope'"):
            fake.run("stripe.get_payment_intent", {"id": "pi_nope"})
