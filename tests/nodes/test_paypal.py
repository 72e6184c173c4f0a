"""PayPal: deliveries checked by PayPal's verify API, webhook registration, token caching, and
actions against a faithful fake."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.models import Execution, RejectedEvent
from nodes import paypal as paypal_module
from nodes.kit import auth
from nodes.kit.tokens import TokenCache
from nodes.paypal.fake import CLIENT_ID, CLIENT_SECRET, FakePayPal
from tests.conftest import (
    connected,
    create_active_flow,
    create_credential,
    flow_document,
    load_fixture,
    run_now,
)

COMPLETED = load_fixture("paypal", "webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator.json")
WEBHOOK_ID = "8PT597110X687430LKGECATA"
VERIFY = "/v1/notifications/verify-webhook-signature"


@pytest.fixture
def paypal(app, monkeypatch):
    # Tokens are cached per process; each fake issues its own, so each test starts empty.
    monkeypatch.setattr(auth, "TOKENS", TokenCache())
    with connected(app, "paypal", FakePayPal()) as fake:
        yield fake


def account(api, **data) -> str:
    credential = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "environment": "sandbox",
        **data,
    }
    return create_credential(api, "paypal", credential, "PayPal")


def paths(fake, method: str, path: str):
    return [r for r in fake.requests if (r.method, r.path) == (method, path)]


def event(event_id: str, event_type: str = "PAYMENT.CAPTURE.COMPLETED") -> bytes:
    data = json.loads(COMPLETED)
    return json.dumps({**data, "id": event_id, "event_type": event_type}).encode()


# Ingress with a webhook the merchant set up by hand


@pytest.fixture
def hook(api, client, paypal):
    """A switched-on flow with a hand-entered webhook id, and a function that posts to it."""
    trigger = {
        "id": "t",
        "type": "paypal.capture_completed",
        "credential": account(api, webhook_id=WEBHOOK_ID),
    }
    _, url = create_active_flow(api, flow_document(trigger))
    assert paths(paypal, "POST", "/v1/notifications/webhooks") == []  # set up by hand

    def post(body: bytes, headers: dict):
        return client.post(url, data=body, content_type="application/json", headers=headers)

    return post


def test_a_delivery_paypal_confirms_runs_once_and_its_repeat_is_a_duplicate(hook, paypal):
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    first = hook(body, headers)
    assert first.status_code == 202, first.get_json()

    (check,) = paths(paypal, "POST", VERIFY)
    assert check.header("Authorization") == f"Bearer {paypal.tokens[-1]}"
    sent = check.json()
    assert sent["webhook_id"] == WEBHOOK_ID
    assert sent["transmission_id"] == headers["PAYPAL-TRANSMISSION-ID"]
    assert sent["transmission_sig"] == headers["PAYPAL-TRANSMISSION-SIG"]
    assert sent["auth_algo"] == "SHA256withRSA"
    assert sent["webhook_event"] == json.loads(COMPLETED)
    assert COMPLETED in check.body  # the event goes back byte for byte, not re-encoded

    again = hook(*paypal.deliver(COMPLETED, WEBHOOK_ID))  # PayPal retries: a new transmission
    assert again.status_code == 200
    assert again.get_json() == {"execution_id": first.get_json()["execution_id"], "duplicate": True}
    replayed = hook(body, headers)  # the very same request sent again
    assert replayed.get_json()["duplicate"] is True
    assert Execution.query.count() == 1
    assert len(paypal.tokens) == 1  # the token is fetched once and reused


def test_a_changed_body_or_another_webhooks_signature_is_refused(hook, paypal):
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    tampered = body.replace(b'"30.00"', b'"3000.00"')
    refused = hook(tampered, headers)
    assert refused.status_code == 401
    assert "PayPal did not confirm the signature" in refused.get_json()["detail"]

    other = hook(*paypal.deliver(COMPLETED, "ANOTHER-WEBHOOK"))
    assert other.status_code == 401
    assert Execution.query.count() == 0
    kept = RejectedEvent.query.order_by(RejectedEvent.id).all()
    assert [r.status_code for r in kept] == [401, 401]
    assert kept[0].headers["PAYPAL-TRANSMISSION-ID".title()] == headers["PAYPAL-TRANSMISSION-ID"]


def test_missing_headers_and_stale_transmissions_are_refused_without_asking_paypal(hook, paypal):
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    unsigned = hook(body, {k: v for k, v in headers.items() if k != "PAYPAL-TRANSMISSION-SIG"})
    assert unsigned.status_code == 401
    assert "no PAYPAL-TRANSMISSION-SIG header" in unsigned.get_json()["detail"]

    old = datetime.now(UTC) - timedelta(seconds=paypal_module.TRANSMISSION_TOLERANCE_SECONDS + 5)
    stale = hook(*paypal.deliver(event("WH-STALE"), WEBHOOK_ID, at=old))
    assert stale.status_code == 401
    assert "s old" in stale.get_json()["detail"]

    garbled = hook(body, {**headers, "PAYPAL-TRANSMISSION-TIME": "yesterday"})
    assert garbled.status_code == 401 and "not a time" in garbled.get_json()["detail"]
    assert paths(paypal, "POST", VERIFY) == []
    assert Execution.query.count() == 0


def test_another_event_type_is_answered_without_running(hook, paypal):
    refunded = event("WH-REFUND", "PAYMENT.CAPTURE.REFUNDED")
    ignored = hook(*paypal.deliver(refunded, WEBHOOK_ID))
    assert ignored.status_code == 200
    assert "PAYMENT.CAPTURE.REFUNDED" in ignored.get_json()["ignored"]
    assert Execution.query.count() == 0


def test_when_paypal_cannot_check_the_delivery_is_not_acknowledged(hook, paypal):
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    paypal.fail_next(503, paypal.error(503, "Service Unavailable", "INTERNAL_SERVICE_ERROR"))
    down = hook(body, headers)
    assert down.status_code == 503  # PayPal delivers again later
    assert down.headers["Retry-After"]
    assert Execution.query.count() == 0 and RejectedEvent.query.count() == 0

    assert hook(body, headers).status_code == 202


def test_a_wrong_app_secret_is_shown_with_paypals_message(api, client, paypal):
    trigger = {
        "id": "t",
        "type": "paypal.capture_completed",
        "credential": account(api, webhook_id=WEBHOOK_ID, client_secret="wrong"),
    }
    _, url = create_active_flow(api, flow_document(trigger))
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    refused = client.post(url, data=body, content_type="application/json", headers=headers)
    assert refused.status_code == 401
    assert "Client Authentication failed (invalid_client)" in refused.get_json()["detail"]
    assert RejectedEvent.query.one().reason.startswith("The signature check failed")


# Webhook registration


def test_switching_on_registers_the_webhook_whose_id_verifies_deliveries(api, client, paypal):
    trigger = {"id": "t", "type": "paypal.capture_refunded", "credential": account(api)}
    flow_id, url = create_active_flow(api, flow_document(trigger))

    (registered,) = paths(paypal, "POST", "/v1/notifications/webhooks")
    assert registered.header("Authorization") == f"Bearer {paypal.tokens[-1]}"
    assert registered.json() == {"url": url, "event_types": [{"name": "PAYMENT.CAPTURE.REFUNDED"}]}
    (webhook_id,) = paypal.webhooks

    refunded = load_example("webhook.PAYMENT.CAPTURE.REFUNDED")
    body, headers = paypal.deliver(refunded, webhook_id)
    ok = client.post(url, data=body, content_type="application/json", headers=headers)
    assert ok.status_code == 202, ok.get_json()

    assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
    assert paths(paypal, "DELETE", f"/v1/notifications/webhooks/{webhook_id}")
    assert paypal.webhooks == {}


def load_example(name: str) -> bytes:
    from nodes.kit.examples import example

    return json.dumps(example("paypal", name)).encode()


# Actions through the engine


def refund_flow(api, credential: str) -> str:
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "refund",
            "type": "paypal.refund_capture",
            "credential": credential,
            "params": {"currency_code": "USD", "note_to_payer": "Sorry for the delay"},
            "mapping": {"capture_id": "trigger.capture", "amount": "trigger.amount"},
        },
    )
    created = api.post("/api/flows", json={"name": "Refund", "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_a_refund_sends_the_amount_as_a_decimal_string_with_the_request_id(api, run_queue, paypal):
    (capture_id,) = paypal.captures
    flow_id = refund_flow(api, account(api))
    done = run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "10.50"})

    assert done["status"] == "succeeded", done
    refund = done["steps"][1]["output"]
    assert refund["status"] == "COMPLETED"
    assert refund["amount"] == {"value": "10.50", "currency_code": "USD"}
    (sent,) = paths(paypal, "POST", f"/v2/payments/captures/{capture_id}/refund")
    assert sent.header("Authorization") == f"Bearer {paypal.tokens[-1]}"
    assert sent.header("PayPal-Request-Id") == f"{done['id']}:refund"
    assert sent.header("Prefer") == "return=representation"
    assert sent.json() == {
        "amount": {"value": "10.50", "currency_code": "USD"},
        "note_to_payer": "Sorry for the delay",
    }
    token_request = paths(paypal, "POST", "/v1/oauth2/token")[0]
    assert token_request.body == b"grant_type=client_credentials"

    again = run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "1.00"})
    assert again["status"] == "succeeded"
    assert len(paths(paypal, "POST", "/v1/oauth2/token")) == 1  # cached across executions


def test_a_token_paypal_revoked_is_replaced_and_the_refund_goes_through(api, run_queue, paypal):
    (capture_id,) = paypal.captures
    flow_id = refund_flow(api, account(api))
    assert run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "1.00"})[
        "status"
    ] == ("succeeded")
    paypal.tokens.clear()  # revoked at PayPal; Shopwire still has it cached

    done = run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "2.00"})
    assert done["status"] == "succeeded", done
    assert len(paths(paypal, "POST", "/v1/oauth2/token")) == 2
    refunds = paths(paypal, "POST", f"/v2/payments/captures/{capture_id}/refund")
    assert refunds[-1].header("Authorization") == f"Bearer {paypal.tokens[-1]}"


def test_paypals_refusals_reach_the_merchant_with_the_issue(api, run_queue, paypal):
    (capture_id,) = paypal.captures
    flow_id = refund_flow(api, account(api))

    missing = run_now(api, run_queue, flow_id, {"capture": "NOSUCHCAPTURE", "amount": "1.00"})
    error = missing["steps"][1]["error"]
    assert missing["status"] == "failed" and error["type"] == "provider" and error["status"] == 404
    assert "PayPal says: The specified resource does not exist." in error["message"]
    assert "INVALID_RESOURCE_ID: Specified resource ID does not exist" in error["message"]
    assert "debug_id" in error["message"]
    assert error["hint"].startswith("The record was not found")

    too_much = run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "99.00"})
    error = too_much["steps"][1]["error"]
    assert error["status"] == 422 and "REFUND_AMOUNT_EXCEEDED" in error["message"]
    assert too_much["steps"][1]["attempts"] == 1


def test_an_amount_without_currency_or_with_a_comma_is_refused_before_sending(
    api, run_queue, paypal
):
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "refund",
            "type": "paypal.refund_capture",
            "credential": account(api),
            "mapping": {"capture_id": "trigger.capture", "amount": "trigger.amount"},
        },
    )
    refused = api.post("/api/flows", json={"name": "R", "graph": graph})
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"][0] == {
        "pointer": "/graph/nodes/1/params/currency_code",
        "message": 'Step "refund": "currency_code" is required when "amount" is set.',
    }
    graph["nodes"][1]["params"] = {"currency_code": "USD"}
    flow_id = api.post("/api/flows", json={"name": "R", "graph": graph}).get_json()["id"]
    failed = run_now(api, run_queue, flow_id, {"capture": "12A34567BC123456S", "amount": "10,50"})
    assert failed["steps"][1]["error"]["field"] == "amount"
    assert paths(paypal, "POST", "/v2/payments/captures/12A34567BC123456S/refund") == []


def test_a_rate_limited_refund_is_retried_and_applied_once(api, run_queue, paypal):
    (capture_id,) = paypal.captures
    flow_id = refund_flow(api, account(api))
    paypal.rate_limit_next()
    done = run_now(api, run_queue, flow_id, {"capture": capture_id, "amount": "5.00"})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    sent = paths(paypal, "POST", f"/v2/payments/captures/{capture_id}/refund")
    assert {r.header("PayPal-Request-Id") for r in sent} == {f"{done['id']}:refund"}
    assert paypal.captures[capture_id]["refunded"] == 5.0


def test_captured_payment_to_order_details_to_the_merchants_system(
    api, client, paypal, run_queue, receiver
):
    """End to end: a verified PAYMENT.CAPTURE.COMPLETED → get order → POST to the receiver."""
    credential = account(api, webhook_id=WEBHOOK_ID)
    graph = flow_document(
        {"id": "t", "type": "paypal.capture_completed", "credential": credential},
        {
            "id": "order",
            "type": "paypal.get_order",
            "credential": credential,
            "mapping": {"order_id": "trigger.resource.supplementary_data.related_ids.order_id"},
        },
        {
            "id": "notify",
            "type": "core.http_request",
            "params": {"url": receiver.url("/paid"), "method": "POST"},
            "mapping": {
                "body.order": "steps.order.id",
                "body.status": "steps.order.status",
                "body.amount": "trigger.resource.amount.value",
            },
        },
    )
    _, url = create_active_flow(api, graph)
    body, headers = paypal.deliver(COMPLETED, WEBHOOK_ID)
    accepted = client.post(url, data=body, content_type="application/json", headers=headers)
    assert accepted.status_code == 202
    run_queue()

    done = api.get(f"/api/executions/{accepted.get_json()['execution_id']}").get_json()
    assert done["status"] == "succeeded", done
    (order_request,) = paths(paypal, "GET", "/v2/checkout/orders/1AB234567A1234567")
    assert order_request.header("Authorization") == f"Bearer {paypal.tokens[-1]}"
    (posted,) = receiver.requests
    assert posted.json() == {"order": "1AB234567A1234567", "status": "COMPLETED", "amount": "30.00"}
