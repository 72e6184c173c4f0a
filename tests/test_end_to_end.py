"""The whole path over real HTTP: a shop posts an order, a worker process runs the flow,
and the receiving system gets the mapped fields."""

import json
import time
from pathlib import Path

import requests

from tests.conftest import create_active_flow, load_fixture

W1_FLOW = Path(__file__).resolve().parent.parent / "bench" / "w1_flow.json"
BIG_ID = 820982911946154508  # above 2**53: a float would turn it into ...500


def w1_flow(sink_url):
    """The W1 flow that bench/w1.py measures, posting to `sink_url`."""
    return json.loads(W1_FLOW.read_text().replace("$SINK_URL", sink_url))


def test_shopify_order_flows_through_to_the_receiver(api, served, worker_process, receiver):
    order = load_fixture("shopify", "webhook.orders_paid.json").replace(
        b"820982911946154500", str(BIG_ID).encode(), 1
    )
    flow_id, url = create_active_flow(api, w1_flow(receiver.url("/orders")))
    url = url.replace("http://localhost", served)

    reply = requests.post(
        url,
        data=order,
        timeout=10,
        headers={"Content-Type": "application/json", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37"},
    )
    assert reply.status_code == 202
    execution_id = reply.json()["execution_id"]

    deadline = time.monotonic() + 20
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    [delivery] = receiver.requests
    assert delivery.body.startswith(b'{"id": 820982911946154508,')
    assert delivery.json() == {
        "id": BIG_ID,
        "email": "jon@example.com",
        "total": 404.95,
        "currency": "USD",
        "skus": [
            "SKU2006-001",
            "LENS-PROTECT-2YR",
            "CASE-LEATHER-PREM",
            "SKU2006-020",
            "SKU2006-035",
        ],
    }

    while time.monotonic() < deadline:
        detail = requests.get(
            f"{served}/api/executions/{execution_id}", headers=api.headers, timeout=5
        )
        if detail.json()["status"] == "succeeded":
            break
        time.sleep(0.05)
    steps = json.loads(detail.content)["steps"]  # the stdlib parser keeps big ints exact
    assert [(s["node_id"], s["status"]) for s in steps] == [
        ("hook", "succeeded"),
        ("map", "succeeded"),
        ("paid", "succeeded"),
        ("post", "succeeded"),
    ]
    assert steps[1]["output"]["id"] == BIG_ID
    assert steps[3]["output"]["status"] == 200

    duplicate = requests.post(
        url,
        data=order,
        timeout=10,
        headers={"Content-Type": "application/json", "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37"},
    )
    assert (duplicate.status_code, duplicate.json()["execution_id"]) == (200, execution_id)
