"""Every starter template, installed into a shop as a merchant would and run through the engine
against the connector fakes (a local receiver stands in for the ERP, a local SMTP server for the
installation's mail server)."""

from __future__ import annotations

import json

from app.flows.templates import STARTERS, install_starters
from nodes.shopify import fake as shopify
from nodes.stripe import fake as stripe
from nodes.woocommerce import fake as woocommerce
from tests.conftest import connected, create_credential, flow_document, load_fixture, run_now
from tests.flows.conftest import install, shopify_account, starter_id, stripe_account

ERP_TOKEN = "erp-token-9a8b7c6d5e"


def secret_account(api, secret: str) -> str:
    return create_credential(api, "core", {"secret": secret}, "Token")


def test_the_starters_are_in_the_gallery_once_however_often_setup_runs(app, api, gallery):
    install_starters()
    items = api.get("/api/templates").get_json()["items"]
    starters = [i for i in items if i["starter"]]
    files = [json.loads(path.read_text()) for path in STARTERS.glob("*.json")]
    assert len(starters) == len(files) >= 5
    assert {i["version"] for i in starters} == {1}
    assert {i["category"] for i in starters} == {f["category"] for f in files}


def test_refund_on_tag_refunds_the_payment_of_a_tagged_order_only(app, api, run_queue, gallery):
    with connected(app, "stripe", stripe.FakeStripe()) as payments:
        (payment_intent,) = payments.payment_intents
        flow_id = install(
            api,
            starter_id(gallery, "shopify-refund-on-tag"),
            {"shopify": shopify_account(api), "stripe": stripe_account(api)},
        )
        order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))
        order["note_attributes"] = [{"name": "stripe_payment_intent", "value": payment_intent}]

        untagged = run_now(api, run_queue, flow_id, order)
        order["tags"] = "refund, vip"
        tagged = run_now(api, run_queue, flow_id, order)

    assert untagged["status"] == tagged["status"] == "succeeded", tagged
    (refund,) = [r for r in payments.requests if r.path == "/v1/refunds"]
    sent = dict(pair.split("=", 1) for pair in refund.body.decode().split("&"))
    assert sent["payment_intent"] == payment_intent
    assert sent["metadata%5Bshopify_order_id%5D"] == str(order["id"])


def test_paid_order_to_erp_posts_the_order_with_the_token(app, api, run_queue, gallery, receiver):
    flow_id = install(
        api,
        starter_id(gallery, "paid-order-to-erp"),
        {"shopify": shopify_account(api), "core": secret_account(api, ERP_TOKEN)},
        {"erp_url": receiver.url("/orders")},
    )
    order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))

    done = run_now(api, run_queue, flow_id, order)

    assert done["status"] == "succeeded", done.get("error") or done
    (delivery,) = receiver.requests
    assert delivery.path == "/orders"
    assert delivery.header("Authorization") == f"Bearer {ERP_TOKEN}"
    assert delivery.json()["email"] == order["email"]
    assert delivery.json()["skus"] == [item["sku"] for item in order["line_items"]]


def test_a_new_woocommerce_order_e_mails_the_merchant(app, api, run_queue, gallery, mail_server):
    account = create_credential(
        api,
        "woocommerce",
        {
            "store_url": woocommerce.STORE_URL,
            "consumer_key": woocommerce.CONSUMER_KEY,
            "consumer_secret": woocommerce.CONSUMER_SECRET,
        },
        "Store",
    )
    template = starter_id(gallery, "woocommerce-order-email")
    slots = api.get(f"/api/templates/{template}").get_json()["credential_slots"]
    assert [slot["connector"] for slot in slots] == ["woocommerce"]  # no mail account needed
    flow_id = install(api, template, {"woocommerce": account}, {"recipient": "owner@acme.de"})
    order = json.loads(load_fixture("woocommerce", "rest-v3.order.create.response.json"))

    done = run_now(api, run_queue, flow_id, order)

    assert done["status"] == "succeeded", done.get("error") or done
    [sent] = mail_server.received
    assert sent.recipients == ["owner@acme.de"]
    message = sent.message
    assert message["From"] == "Shopwire <no-reply@shopwire.example>"
    assert message["Reply-To"] == order["billing"]["email"]
    assert message["Subject"] == f"New order #{order['number']}: {order['total']} USD"
    text = message.get_body(("plain",)).get_content()
    assert f"{order['billing']['first_name']} {order['billing']['last_name']}" in text
    assert order["billing"]["email"] in text


def test_a_failed_execution_sends_an_alert(app, api, run_queue, gallery, mail_server):
    template = starter_id(gallery, "failed-execution-alert")
    assert api.get(f"/api/templates/{template}").get_json()["credential_slots"] == []
    alert = install(api, template, {}, {"recipient": "ops@acme.de"})
    assert api.post(f"/api/flows/{alert}/activate").status_code == 200
    failing = api.post(
        "/api/flows",
        json={
            "name": "Orders to the old ERP",
            "graph": flow_document(
                {"id": "hook", "type": "core.webhook"},
                {
                    "id": "old",
                    "type": "core.placeholder",
                    "name": "Old ERP step",
                    "params": {"source": "n8n", "original_type": "n8n-nodes-base.erp"},
                },
            ),
        },
    ).get_json()["id"]

    failed = run_now(api, run_queue, failing, {"id": 1})
    run_queue()

    assert failed["status"] == "failed"
    [sent] = mail_server.received
    assert sent.recipients == ["ops@acme.de"]
    assert sent.message["Subject"] == "Flow failed: Orders to the old ERP"
    text = sent.message.get_body(("plain",)).get_content()
    assert "The step Old ERP step of the flow Orders to the old ERP failed:" in text
    assert failed["id"] in text


def test_a_refunded_charge_tags_the_shopify_order_it_names(app, api, run_queue, gallery):
    with connected(app, "shopify", shopify.FakeShopify()) as shop:
        (order_gid,) = shop.orders
        flow_id = install(
            api,
            starter_id(gallery, "stripe-refund-mark-order"),
            {"stripe": stripe_account(api), "shopify": shopify_account(api)},
        )
        event = json.loads(load_fixture("stripe", "event.charge.refunded.json"))
        event["data"]["object"]["metadata"] = {"shopify_order_id": shopify.number(order_gid)}

        done = run_now(api, run_queue, flow_id, event)

    assert done["status"] == "succeeded", done.get("error") or done
    assert "refunded" in shop.orders[order_gid]["tags"]
