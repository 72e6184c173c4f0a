"""Klarna: order look-up, capture and refund through the engine against a faithful fake."""

from __future__ import annotations

import base64

import pytest

from nodes.klarna.fake import PASSWORD, USERNAME, FakeKlarna
from tests.conftest import connected, create_credential, flow_document, run_now

ORDER_ID = "f3392f8b-6116-4073-ab96-e330819e2c07"
BASIC = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()


@pytest.fixture
def klarna(app):
    with connected(app, "klarna", FakeKlarna()) as fake:
        yield fake


def account(api, password: str = PASSWORD) -> str:
    data = {"username": USERNAME, "password": password, "region": "playground-eu"}
    return create_credential(api, "klarna", data, "K")


def flow(api, *steps: dict) -> str:
    graph = flow_document({"id": "t", "type": "core.manual"}, *steps)
    created = api.post("/api/flows", json={"name": "Klarna", "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def step(node_id: str, node_type: str, credential: str, **mapping) -> dict:
    return {"id": node_id, "type": node_type, "credential": credential, "mapping": mapping}


def test_shipped_order_is_looked_up_captured_in_full_then_partly_refunded(api, klarna, run_queue):
    """End to end: get order → capture its remaining amount → refund part of it."""
    credential = account(api)
    flow_id = flow(
        api,
        step("order", "klarna.get_order", credential, order_id="trigger.order"),
        {
            **step(
                "capture",
                "klarna.capture_order",
                credential,
                order_id="steps.order.order_id",
                captured_amount="steps.order.remaining_authorized_amount",
                tracking_number="trigger.tracking",
            ),
            "params": {"shipping_company": "DHL", "reference": "shipment-1"},
        },
        step(
            "refund",
            "klarna.refund_order",
            credential,
            order_id="steps.order.order_id",
            refunded_amount="trigger.refund_cents",
        ),
    )
    done = run_now(
        api, run_queue, flow_id, {"order": ORDER_ID, "tracking": "00340434", "refund_cents": 2500}
    )

    assert done["status"] == "succeeded", done
    order, capture, refund = (s["output"] for s in done["steps"][1:])
    assert order["status"] == "AUTHORIZED" and order["remaining_authorized_amount"] == 10000
    captured = klarna.orders[ORDER_ID]["captures"][0]
    assert capture["capture_id"] == captured["capture_id"]
    assert capture["captured_amount"] == 10000
    assert capture["location"].endswith(f"/orders/{ORDER_ID}/captures/{captured['capture_id']}")
    assert refund["refund_id"] == klarna.orders[ORDER_ID]["refunds"][0]["refund_id"]
    assert klarna.orders[ORDER_ID]["refunded_amount"] == 2500

    get, post_capture, post_refund = klarna.requests
    assert (get.method, get.path) == ("GET", f"/ordermanagement/v1/orders/{ORDER_ID}")
    assert {r.header("Authorization") for r in klarna.requests} == {BASIC}
    assert post_capture.path == f"/ordermanagement/v1/orders/{ORDER_ID}/captures"
    assert post_capture.header("Klarna-Idempotency-Key") == f"{done['id']}:capture"
    assert post_capture.json() == {
        "captured_amount": 10000,
        "reference": "shipment-1",
        "shipping_info": [{"shipping_company": "DHL", "tracking_number": "00340434"}],
    }
    assert post_refund.path == f"/ordermanagement/v1/orders/{ORDER_ID}/refunds"
    assert post_refund.header("Klarna-Idempotency-Key") == f"{done['id']}:refund"
    assert post_refund.json() == {"refunded_amount": 2500}


def test_klarnas_refusals_carry_its_code_message_and_a_fitting_hint(api, klarna, run_queue):
    credential = account(api)
    flow_id = flow(
        api,
        step(
            "capture",
            "klarna.capture_order",
            credential,
            order_id="trigger.order",
            captured_amount="trigger.cents",
        ),
    )
    too_much = run_now(api, run_queue, flow_id, {"order": ORDER_ID, "cents": 20000})
    error = too_much["steps"][1]["error"]
    assert error["type"] == "provider" and error["status"] == 403
    assert (
        "Klarna says: Captured amount is higher than the remaining authorized amount. "
        "(CAPTURE_NOT_ALLOWED) [correlation_id " in error["message"]
    )
    assert error["hint"].startswith("Klarna does not allow this for the order")
    assert too_much["steps"][1]["attempts"] == 1

    unknown = run_now(api, run_queue, flow_id, {"order": "no-such-order", "cents": 100})
    error = unknown["steps"][1]["error"]
    assert error["status"] == 404 and "Order not found (NO_SUCH_ORDER)" in error["message"]
    assert error["hint"].startswith("The record was not found")


def test_a_wrong_password_says_so(api, klarna, run_queue):
    flow_id = flow(
        api, step("order", "klarna.get_order", account(api, "wrong"), order_id="trigger.order")
    )
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_ID})
    error = failed["steps"][1]["error"]
    assert error["status"] == 401 and "enter it again" in error["hint"]


def test_a_rate_limited_capture_is_retried_and_captured_once(api, klarna, run_queue):
    credential = account(api)
    flow_id = flow(
        api,
        step(
            "capture",
            "klarna.capture_order",
            credential,
            order_id="trigger.order",
            captured_amount="trigger.cents",
        ),
    )
    klarna.rate_limit_next()
    done = run_now(api, run_queue, flow_id, {"order": ORDER_ID, "cents": 4000})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    posts = [r for r in klarna.requests if r.method == "POST"]
    assert {r.header("Klarna-Idempotency-Key") for r in posts} == {f"{done['id']}:capture"}
    assert klarna.orders[ORDER_ID]["captured_amount"] == 4000
    assert klarna.orders[ORDER_ID]["status"] == "PART_CAPTURED"


def test_an_amount_that_is_not_whole_cents_is_refused_before_sending(api, klarna, run_queue):
    flow_id = flow(
        api,
        step(
            "refund",
            "klarna.refund_order",
            account(api),
            order_id="trigger.order",
            refunded_amount="trigger.amount",
        ),
    )
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_ID, "amount": 25.5})
    assert failed["steps"][1]["error"]["field"] == "refunded_amount"
    assert klarna.requests == []
