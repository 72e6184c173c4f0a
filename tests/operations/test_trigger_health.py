"""A provider webhook that the provider deleted or switched off after failed deliveries
(Shopify, WooCommerce, Stripe) is noticed, registered again, and the events missed meanwhile
are fetched from the fake and run, each once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.identity.mail import outbox
from app.models import AlertSettings, Execution
from app.operations import alerts
from app.operations.trigger_health import restore_subscriptions
from nodes.kit.client import ApiClient
from nodes.kit.guarded_http import guarded_session
from nodes.shopify.fake import FakeShopify
from nodes.stripe.fake import FakeStripe
from nodes.woocommerce import recovery as woo_recovery
from nodes.woocommerce import woocommerce
from nodes.woocommerce.fake import FakeWooCommerce
from tests.conftest import connected, flow_document, post_json
from tests.nodes.test_shopify import account, signed
from tests.nodes.test_stripe import account as stripe_account
from tests.nodes.test_stripe import signed as stripe_signed
from tests.nodes.test_woocommerce import account as woo_account


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
    assert (
        "Shopify hatte den Webhook des Auslösers „paid“ entfernt oder abgeschaltet"
        in mail.get_content()
    )
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


def started_bodies(flow_id: str) -> list[dict]:
    return [
        json.loads(execution.raw_body)
        for execution in db.session.scalars(
            select(Execution).where(Execution.flow_id == flow_id).order_by(Execution.created_at)
        )
    ]


def test_a_disabled_woocommerce_webhook_is_replaced_and_the_orders_since_run_once(
    api, client, run_queue, app
):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"
    with connected(app, "woocommerce", FakeWooCommerce()) as woo:
        graph = flow_document(
            {"id": "order", "type": "woocommerce.order_created",
             "credential": woo_account(api)},
            {"id": "fields", "type": "core.map", "params": {"fields": {}},
             "mapping": {"fields.order": "trigger.id"}},
        )  # fmt: skip
        created = api.post("/api/flows", json={"name": "Woo orders", "graph": graph}).get_json()
        url = api.post(f"/api/flows/{created['id']}/activate").get_json()["webhooks"][0]["url"]
        [first_webhook] = woo.webhooks
        seen = woo.place_order()
        body, sent = woo.delivery(first_webhook, seen)
        delivered = client.post(url, data=body, content_type="application/json", headers=sent)
        assert delivered.status_code == 202
        assert restore_subscriptions() == 0  # active: nothing to do

        # Five deliveries failed in a row: WooCommerce switched the webhook off.
        woo.disable_webhook(first_webhook)
        missed = [woo.place_order(), woo.place_order(status="on-hold")]

        assert restore_subscriptions() == 1

        [webhook_id] = woo.webhooks  # the disabled one removed, a new one active
        assert webhook_id != first_webhook
        assert woo.webhooks[webhook_id]["status"] == "active"
        assert woo.webhooks[webhook_id]["delivery_url"] == url
        assert [order["id"] for order in started_bodies(created["id"])] == [
            seen["id"],
            *(order["id"] for order in missed),
        ]
        listed = [r for r in woo.requests if r.method == "GET" and "/orders" in r.path]
        assert "dates_are_gmt=true" in listed[-1].path and "after=" in listed[-1].path

        # The next check finds the new webhook active, and a repeat of the fetch starts nothing.
        assert restore_subscriptions() == 0
        woo.disable_webhook(webhook_id)
        assert restore_subscriptions() == 1
        assert len(started_bodies(created["id"])) == 3

        run_queue()
        outputs = [
            api.get(f"/api/executions/{e.id}").get_json()["steps"][1]["output"]
            for e in db.session.scalars(
                select(Execution)
                .where(Execution.flow_id == created["id"])
                .order_by(Execution.created_at)
            )
        ]
        assert outputs == [{"order": order["id"]} for order in (seen, *missed)]


def test_a_deleted_stripe_endpoint_is_registered_again_and_undelivered_events_run_once(
    api, client, run_queue, app
):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"
    with connected(app, "stripe", FakeStripe()) as stripe:
        graph = flow_document(
            {"id": "paid", "type": "stripe.payment_succeeded", "credential": stripe_account(api)},
            {"id": "fields", "type": "core.map", "params": {"fields": {}},
             "mapping": {"fields.intent": "trigger.data.object.id"}},
        )  # fmt: skip
        created = api.post("/api/flows", json={"name": "Payments", "graph": graph}).get_json()
        url = api.post(f"/api/flows/{created['id']}/activate").get_json()["webhooks"][0]["url"]
        [first_endpoint] = stripe.webhook_endpoints

        def deliver(event: dict, secret: str) -> int:
            body = json.dumps(event).encode()
            return post_json(
                client,
                urlsplit(url).path,
                body,
                **{"Stripe-Signature": stripe_signed(body, secret)},
            ).status_code

        seen = stripe.emit("payment_intent.succeeded", {"id": "pi_seen"})
        assert deliver(seen, stripe.issued_secrets[-1]) == 202
        assert restore_subscriptions() == 0

        # The endpoint was deleted in the dashboard; payments went on meanwhile.
        del stripe.webhook_endpoints[first_endpoint]
        first = stripe.emit("payment_intent.succeeded", {"id": "pi_1"})
        stripe.emit("charge.refunded", {"id": "ch_1"})  # another type: not this trigger's
        second = stripe.emit("payment_intent.succeeded", {"id": "pi_2"})
        # One of them got through after all (Stripe retried it while the endpoint lived).
        assert deliver(second, stripe.issued_secrets[-1]) == 202

        assert restore_subscriptions() == 1

        [(endpoint_id, endpoint)] = stripe.webhook_endpoints.items()
        assert endpoint_id != first_endpoint and endpoint["status"] == "enabled"
        assert endpoint["enabled_events"] == ["payment_intent.succeeded"]
        assert [event["id"] for event in started_bodies(created["id"])] == [
            seen["id"],
            second["id"],
            first["id"],
        ]
        # The new endpoint's secret verifies what Stripe sends from now on.
        later = stripe.emit("payment_intent.succeeded", {"id": "pi_3"})
        assert deliver(later, stripe.issued_secrets[-1]) == 202

        stripe.disable_endpoint(endpoint_id)  # switched off after days of failures
        assert restore_subscriptions() == 1
        assert endpoint_id not in stripe.webhook_endpoints  # removed, not left beside the new
        assert len(started_bodies(created["id"])) == 4  # nothing new was missed

        run_queue()
        intents = sorted(
            api.get(f"/api/executions/{e.id}").get_json()["steps"][1]["output"]["intent"]
            for e in db.session.scalars(select(Execution).where(Execution.flow_id == created["id"]))
        )
        assert intents == ["pi_1", "pi_2", "pi_3", "pi_seen"]


def test_missed_events_that_cannot_be_listed_are_said_so(api, client, app):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"
    with connected(app, "woocommerce", FakeWooCommerce()) as woo:
        graph = flow_document(
            {"id": "gone", "type": "woocommerce.event", "params": {"event": "order.deleted"},
             "credential": woo_account(api)},
        )  # fmt: skip
        created = api.post("/api/flows", json={"name": "Deleted", "graph": graph}).get_json()
        url = api.post(f"/api/flows/{created['id']}/activate").get_json()["webhooks"][0]["url"]
        [webhook_id] = woo.webhooks
        body, sent = woo.delivery(webhook_id, woo.place_order())
        assert (
            client.post(url, data=body, content_type="application/json", headers=sent).status_code
            == 202
        )
        woo.webhooks.clear()  # deleted by someone in WordPress

        assert restore_subscriptions() == 1

    shop = db.session.scalar(select(Execution.merchant_id))
    db.session.add(AlertSettings(merchant_id=shop, emails="ops@acme.de", language="en"))
    db.session.commit()
    alerts.run()
    [mail] = outbox()
    assert "WooCommerce had removed or switched off the webhook" in mail.get_content()
    assert "could not fetch back the events missed meanwhile: its API cannot list" in (
        mail.get_content()
    )


def test_woocommerce_changes_missed_are_listed_once_per_change_after_the_one_seen():
    def at(second: int) -> dict[str, str]:
        stamp = f"2026-12-01T10:00:{second:02d}"
        return {"date_created_gmt": stamp, "date_modified_gmt": stamp}

    with FakeWooCommerce() as woo:
        api = ApiClient(
            woocommerce,
            guarded_session(allow_private=True, timeout=5.0),
            woo.account,
            origin=woo.origin,
        )
        seen = dict(woo.place_order(**at(0)))  # the last order.updated delivery the flow got
        created = woo.place_order(**at(1))  # saving a new order is an update too
        other = woo.place_order(**at(2))
        changed = woo.change_order(seen["id"], status="completed", **at(5))
        woo.change_order(other["id"], status="on-hold", **at(6))
        until = datetime(2026, 12, 1, 10, 0, 10, tzinfo=UTC)

        missed = woo_recovery.missed(api, "order.updated", seen, until)

        assert [record["id"] for _, record in missed] == [created["id"], seen["id"], other["id"]]
        assert missed[1][0] == f"recovered:order:{seen['id']}:{changed['date_modified_gmt']}"
        sent = [r.path for r in woo.requests][-1]
        assert "modified_after=2026-12-01T09%3A59%3A59" in sent and "dates_are_gmt=true" in sent
        assert woo_recovery.missed(api, "order.deleted", seen, until) is None
