"""A Shopify webhook subscription that Shopify deleted after failed deliveries is noticed,
registered again, and the orders placed meanwhile are fetched from the fake and run."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.identity.mail import outbox
from app.models import AlertSettings, Execution
from app.operations import alerts
from app.operations.trigger_health import restore_subscriptions
from nodes.shopify.fake import FakeShopify
from tests.conftest import connected, flow_document, post_json
from tests.nodes.test_shopify import account, signed


@pytest.fixture
def shopify(app):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"  # Shopify wants https
    with connected(app, "shopify", FakeShopify()) as fake:
        yield fake


def test_a_dropped_subscription_is_registered_again_and_missed_orders_run(
    api,
    client,
    shopify,
    run_queue,
):
    graph = flow_document(
        {"id": "paid", "type": "shopify.order_paid", "credential": account(api)},
        {"id": "fields", "type": "core.map", "params": {"fields": {}},
         "mapping": {"fields.order": "trigger.id", "fields.status": "trigger.financial_status"}},
    )  # fmt: skip
    created = api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()
    url = api.post(f"/api/flows/{created['id']}/activate").get_json()["webhooks"][0]["url"]
    [(first_subscription, registered)] = shopify.webhook_subscriptions.items()
    seen = shopify.rest_orders[0]
    body = json.dumps(seen).encode()
    delivered = post_json(
        client,
        urlsplit(url).path,
        body,
        **{"X-Shopify-Hmac-Sha256": signed(body), "X-Shopify-Topic": "orders/paid",
           "X-Shopify-Webhook-Id": "delivery-1"},
    )  # fmt: skip
    assert delivered.status_code == 202
    assert restore_subscriptions() == 0  # alive: nothing to do

    # Deliveries kept failing; Shopify deleted the subscription. Orders came in meanwhile.
    shopify.delete_subscriptions()
    paid = shopify.place_order(financial_status="paid")
    shopify.place_order(financial_status="pending")  # not an orders/paid event
    paid_later = shopify.place_order(financial_status="paid")

    assert restore_subscriptions() == 1

    [(subscription_id, again)] = shopify.webhook_subscriptions.items()
    assert subscription_id != first_subscription
    assert (again["topic"], again["uri"]) == (registered["topic"], registered["uri"])
    started = db.session.scalars(
        select(Execution).where(Execution.flow_id == created["id"]).order_by(Execution.created_at)
    ).all()
    assert [json.loads(e.raw_body)["id"] for e in started] == [
        seen["id"],
        paid["id"],
        paid_later["id"],
    ]
    assert restore_subscriptions() == 0  # registered again: no second round of orders

    # The merchant hears of it in the next digest.
    db.session.add(AlertSettings(merchant_id=started[0].merchant_id, emails="ops@acme.de"))
    db.session.commit()
    alerts.run()
    [mail] = outbox()
    assert "Shopify hatte den Webhook des Auslösers „paid“ entfernt" in mail.get_content()
    assert "die 2 inzwischen verpassten Ereignisse gestartet" in mail.get_content()

    run_queue()
    db.session.expire_all()
    recovered = started[1:]
    for execution, order in zip(recovered, (paid, paid_later), strict=True):
        detail = api.get(f"/api/executions/{execution.id}").get_json()
        assert detail["status"] == "succeeded"
        assert detail["steps"][1]["output"] == {"order": order["id"], "status": "paid"}


def test_a_subscription_that_cannot_be_registered_again_leaves_the_flow_as_it_was(
    api,
    shopify,
):
    graph = flow_document({"id": "paid", "type": "shopify.order_paid", "credential": account(api)})
    created = api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()
    api.post(f"/api/flows/{created['id']}/activate")
    shopify.delete_subscriptions()
    shopify.fail_next(401, {"errors": "[API] Invalid API key or access token"})

    assert restore_subscriptions() == 0
    assert shopify.webhook_subscriptions == {}
    assert api.get(f"/api/flows/{created['id']}").get_json()["active"] is True
