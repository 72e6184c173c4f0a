"""Shopify: signed deliveries, webhook subscriptions and GraphQL actions against a faithful fake,
and the Shopify orders/paid → Stripe refund flow through the engine."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

import pytest

from app.models import Execution, RejectedEvent
from nodes.kit import registry
from nodes.kit.base import InboundRequest, SignatureError, UserError
from nodes.kit.fakes.provider import form as sent_form
from nodes.shopify import gid, throttle_wait
from nodes.shopify import shopify as connector
from nodes.shopify.fake import (
    ACCESS_TOKEN,
    API_SECRET,
    INVALID_TOKEN,
    INVENTORY_ITEM,
    LOCATION,
    SHOP,
    FakeShopify,
)
from nodes.stripe.fake import API_KEY as STRIPE_KEY
from nodes.stripe.fake import FakeStripe
from tests.conftest import (
    connected,
    create_active_flow,
    create_credential,
    flow_document,
    load_fixture,
    run_now,
)

VECTOR = json.loads(load_fixture("signatures", "shopify.json"))["webhook"][
    "third_party_fixed_vector"
]
ORDER = load_fixture("shopify", "webhook.orders_paid.json")
ORDER_GID = "gid://shopify/Order/820982911946154508"
# The docs sample's id was rounded by a JavaScript scraper (see shared/fixtures/SOURCES.md);
# a real delivery carries the exact id its admin_graphql_api_id names.
EXACT_ORDER = ORDER.replace(b'"id": 820982911946154500', b'"id": 820982911946154508', 1)
ENDPOINT = "/admin/api/2026-01/graphql.json"

TRIGGERS = [
    ("shopify.order_created", "orders/create", "ORDERS_CREATE", "orders_create"),
    ("shopify.order_paid", "orders/paid", "ORDERS_PAID", "orders_paid"),
    ("shopify.order_fulfilled", "orders/fulfilled", "ORDERS_FULFILLED", "orders_paid"),
    ("shopify.refund_created", "refunds/create", "REFUNDS_CREATE", "refunds_create"),
    ("shopify.product_updated", "products/update", "PRODUCTS_UPDATE", "products_update"),
    ("shopify.customer_created", "customers/create", "CUSTOMERS_CREATE", "customers_create"),
    ("shopify.order_updated", "orders/updated", "ORDERS_UPDATED", "orders_paid"),
    ("shopify.cart_updated", "carts/update", "CARTS_UPDATE", "carts_update"),
]


def signed(body: bytes, secret: str = API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(body: bytes, signature: str | None) -> InboundRequest:
    headers = {"X-Shopify-Hmac-Sha256": signature} if signature else {}
    return InboundRequest(body=body, headers=headers, query={}, payload=json.loads(body))


@pytest.fixture
def shopify(app):
    # Shopify only accepts https addresses for webhooks.
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"
    with connected(app, "shopify", FakeShopify()) as fake:
        yield fake


@pytest.fixture
def stripe(app):
    with connected(app, "stripe", FakeStripe()) as fake:
        yield fake


def account(api, **data) -> str:
    data = {"shop": SHOP, "access_token": ACCESS_TOKEN, "api_secret": API_SECRET, **data}
    return create_credential(api, "shopify", data, "Shop")


def graphql_calls(fake: FakeShopify) -> list[dict]:
    """The operations the fake received: query text and variables."""
    return [r.json() for r in fake.requests if r.path == ENDPOINT]


# Signatures


def test_the_published_vector_is_reproduced_and_accepted():
    body = VECTOR["raw_body"].encode()
    assert signed(body, VECTOR["secret"]) == VECTOR["expected_base64"]
    connector.verify(delivery(body, VECTOR["expected_base64"]), {"api_secret": VECTOR["secret"]})


@pytest.mark.parametrize(
    ("body", "signature", "message"),
    [
        (ORDER, None, "no X-Shopify-Hmac-Sha256 header"),
        (ORDER, signed(ORDER, "shpss_other"), "does not match"),
        (ORDER.replace(b"404.95", b"4.95"), signed(ORDER), "does not match"),  # tampered
        (ORDER, signed(ORDER).encode().hex(), "does not match"),  # hex, not base64
    ],
)
def test_missing_wrong_and_tampered_signatures_are_refused(body, signature, message):
    with pytest.raises(SignatureError, match=message):
        connector.verify(delivery(body, signature), {"api_secret": API_SECRET})


def test_an_account_without_the_api_secret_cannot_verify():
    with pytest.raises(SignatureError, match="no API secret key"):
        connector.verify(delivery(ORDER, signed(ORDER)), {"shop": SHOP})


# Triggers: subscription, verification, deduplication, other topics


@pytest.mark.parametrize(("node_type", "topic", "enum", "sample"), TRIGGERS)
def test_each_trigger_subscribes_verifies_deduplicates_and_unsubscribes(
    api, client, shopify, node_type, topic, enum, sample
):
    flow_id, url = create_active_flow(
        api, flow_document({"id": "t", "type": node_type, "credential": account(api)})
    )
    (subscribed,) = graphql_calls(shopify)
    assert "webhookSubscriptionCreate(topic: $topic" in subscribed["query"]
    assert subscribed["variables"] == {
        "topic": enum,
        "webhookSubscription": {"uri": url, "format": "JSON"},
    }
    assert shopify.requests[0].header("X-Shopify-Access-Token") == ACCESS_TOKEN
    (subscription_id,) = shopify.webhook_subscriptions

    body = load_fixture("shopify", f"webhook.{sample}.json")
    hook = urlsplit(url).path

    def post(signature, webhook_id="b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", sent_topic=topic):
        headers = {
            "X-Shopify-Topic": sent_topic,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-API-Version": "2026-01",
            "X-Shopify-Webhook-Id": webhook_id,
        }
        if signature:
            headers["X-Shopify-Hmac-Sha256"] = signature
        return client.post(hook, data=body, content_type="application/json", headers=headers)

    first = post(signed(body))
    assert first.status_code == 202, first.get_json()
    again = post(signed(body))  # Shopify's retry keeps the webhook id
    assert again.status_code == 200
    assert again.get_json() == {"execution_id": first.get_json()["execution_id"], "duplicate": True}
    assert post(None, webhook_id="other-1").status_code == 401
    bad = post(signed(body, "shpss_other"), webhook_id="other-2")
    assert bad.status_code == 401 and "does not match" in bad.get_json()["detail"]
    other = post(signed(body), webhook_id="other-3", sent_topic="app/uninstalled")
    assert other.status_code == 200
    assert other.get_json()["ignored"] == (
        f"This trigger runs for {topic}; Shopify sent app/uninstalled."
    )
    assert Execution.query.count() == 1
    assert RejectedEvent.query.count() == 2
    kept = RejectedEvent.query.first().headers
    assert kept["X-Shopify-Topic"] == topic and kept["X-Shopify-Webhook-Id"] == "other-1"

    assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
    removed = graphql_calls(shopify)[-1]
    assert "webhookSubscriptionDelete(id: $id)" in removed["query"]
    assert removed["variables"] == {"id": subscription_id}
    assert shopify.webhook_subscriptions == {}


def test_any_topic_shopify_documents_can_be_picked(api, shopify):
    topics = registry.get("shopify.event", 1).params["properties"]["event"]["enum"]
    assert {"orders/updated", "carts/update", "inventory_levels/update"} <= set(topics)
    trigger = {
        "id": "t",
        "type": "shopify.event",
        "credential": account(api),
        "params": {"event": "inventory_levels/update"},
    }
    create_active_flow(api, flow_document(trigger))
    (subscribed,) = graphql_calls(shopify)
    assert subscribed["variables"]["topic"] == "INVENTORY_LEVELS_UPDATE"


def test_shopifys_refusal_of_a_subscription_keeps_the_flow_off_with_its_message(api, app, shopify):
    app.config["SHOPWIRE_PUBLIC_URL"] = "http://shopwire.example"
    trigger = {"id": "t", "type": "shopify.order_paid", "credential": account(api)}
    flow_id = api.post(
        "/api/flows", json={"name": "P", "graph": flow_document(trigger)}
    ).get_json()["id"]
    refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    assert (
        "Shopify refused the change: Address protocol http:// is not supported "
        "(field webhookSubscription.uri)" in refused.get_json()["detail"]
    )
    assert api.get(f"/api/flows/{flow_id}").get_json()["active"] is False


def test_a_trigger_needs_the_api_secret_before_it_subscribes(api, shopify):
    credential = api.post(
        "/api/credentials",
        json={
            "connector": "shopify",
            "name": "Shop",
            "data": {"shop": SHOP, "access_token": ACCESS_TOKEN},
        },
    ).get_json()["id"]
    trigger = {"id": "t", "type": "shopify.order_paid", "credential": credential}
    flow_id = api.post(
        "/api/flows", json={"name": "P", "graph": flow_document(trigger)}
    ).get_json()["id"]
    refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    assert "no API secret key" in refused.get_json()["detail"]
    assert graphql_calls(shopify) == []


def test_the_shop_domain_must_be_a_myshopify_address(api):
    reply = api.post(
        "/api/credentials",
        json={
            "connector": "shopify",
            "name": "Shop",
            "data": {"shop": "https://acme.com", "access_token": ACCESS_TOKEN},
        },
    )
    assert reply.status_code == 422
    assert "/data/shop" in json.dumps(reply.get_json())


# Ids and throttling


def test_numbers_and_gids_are_accepted_and_other_ids_refused_naming_the_field():
    assert gid("Order", 820982911946154508, "order_id") == ORDER_GID
    assert gid("Order", "820982911946154508", "order_id") == ORDER_GID
    assert gid("Order", ORDER_GID, "order_id") == ORDER_GID
    for wrong in ("#9999", "gid://shopify/Product/1"):
        with pytest.raises(UserError, match="not a Shopify Order id") as refused:
            gid("Order", wrong, "order_id")
        assert refused.value.field == "order_id"


def test_the_wait_is_what_the_cost_bucket_lacks_over_its_restore_rate():
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 202,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 2,
                    "restoreRate": 100.0,
                },
            }
        },
    }
    assert throttle_wait(None, throttled) == 2.0
    assert throttle_wait(None, {"data": {"shop": {"name": "Acme"}}}) is None


# Actions through the engine


def action_flow(api, node_type: str, credential: str, params=None, mapping=None) -> str:
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "shop",
            "type": node_type,
            "credential": credential,
            "params": params or {},
            "mapping": mapping or {},
        },
    )
    created = api.post("/api/flows", json={"name": node_type, "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_get_order_turns_the_number_into_a_gid_and_flattens_the_items(api, run_queue, shopify):
    flow_id = action_flow(
        api, "shopify.get_order", account(api), mapping={"order_id": "trigger.order"}
    )
    done = run_now(api, run_queue, flow_id, {"order": 820982911946154508})

    assert done["status"] == "succeeded", done
    (call,) = graphql_calls(shopify)
    assert call["query"].lstrip().startswith("query GetOrder($id: ID!)")
    assert call["variables"] == {"id": ORDER_GID}
    order = done["steps"][1]["output"]
    assert order["name"] == "#9999" and order["legacyResourceId"] == "820982911946154508"
    assert order["lineItems"][0]["sku"] == "SKU2006-001"
    assert order["totalPriceSet"]["shopMoney"] == {"amount": "404.95", "currencyCode": "USD"}


def test_an_unknown_order_and_a_malformed_id_say_what_is_wrong(api, run_queue, shopify):
    flow_id = action_flow(
        api, "shopify.get_order", account(api), mapping={"order_id": "trigger.order"}
    )
    missing = run_now(api, run_queue, flow_id, {"order": "gid://shopify/Order/1"})
    error = missing["steps"][1]["error"]
    assert error["type"] == "provider"
    assert error["message"] == "Shopify has no order gid://shopify/Order/1."
    assert error["hint"].startswith("The record was not found")

    calls = len(graphql_calls(shopify))
    malformed = run_now(api, run_queue, flow_id, {"order": "#9999"})
    error = malformed["steps"][1]["error"]
    assert error["type"] == "user" and error["field"] == "order_id"
    assert "'#9999', which is not a Shopify Order id" in error["message"]
    assert len(graphql_calls(shopify)) == calls  # nothing was sent


def test_tags_are_added_and_the_note_set(api, run_queue, shopify):
    flow_id = action_flow(
        api,
        "shopify.tag_order",
        account(api),
        params={"tags": ["refund", "vip"], "note": "Customer asked for a refund"},
        mapping={"order_id": "trigger.order"},
    )
    done = run_now(api, run_queue, flow_id, {"order": "820982911946154508"})

    assert done["status"] == "succeeded", done
    tagged, noted = graphql_calls(shopify)
    assert "tagsAdd(id: $id, tags: $tags)" in tagged["query"]
    assert tagged["variables"] == {"id": ORDER_GID, "tags": ["refund", "vip"]}
    assert "orderUpdate(input: $input)" in noted["query"]
    assert noted["variables"] == {"input": {"id": ORDER_GID, "note": "Customer asked for a refund"}}
    assert done["steps"][1]["output"] == {
        "id": ORDER_GID,
        "note": "Customer asked for a refund",
        "tags": ["refund", "tag1", "tag2", "vip"],
    }


def test_user_errors_reach_the_merchant_naming_shopifys_field(api, run_queue, shopify):
    flow_id = action_flow(
        api,
        "shopify.tag_order",
        account(api),
        params={"tags": ["refund"]},
        mapping={"order_id": "trigger.order"},
    )
    failed = run_now(api, run_queue, flow_id, {"order": 1})

    error = failed["steps"][1]["error"]
    assert error["type"] == "provider"
    assert error["message"] == "Shopify refused the change: Order does not exist (field id)"
    assert error["hint"].startswith("Check the values")
    assert failed["steps"][1]["attempts"] == 1


def test_a_fulfilment_covers_the_open_fulfilment_orders_with_tracking(api, run_queue, shopify):
    flow_id = action_flow(
        api,
        "shopify.create_fulfillment",
        account(api),
        params={"tracking_number": "1Z001985YW99744790", "carrier": "UPS"},
        mapping={"order_id": "trigger.order"},
    )
    done = run_now(api, run_queue, flow_id, {"order": ORDER_GID})

    assert done["status"] == "succeeded", done
    looked_up, fulfilled = graphql_calls(shopify)
    assert "fulfillmentOrders(first: 50)" in looked_up["query"]
    assert looked_up["variables"] == {"id": ORDER_GID}
    assert "fulfillmentCreate(fulfillment: $fulfillment)" in fulfilled["query"]
    assert fulfilled["variables"] == {
        "fulfillment": {
            "lineItemsByFulfillmentOrder": [
                {"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/1046000778"}
            ],
            "trackingInfo": {"number": "1Z001985YW99744790", "company": "UPS"},
            "notifyCustomer": False,
        }
    }
    output = done["steps"][1]["output"]
    assert output["status"] == "SUCCESS"
    assert output["trackingInfo"][0]["number"] == "1Z001985YW99744790"

    again = run_now(api, run_queue, flow_id, {"order": ORDER_GID})
    assert "has nothing left to fulfil" in again["steps"][1]["error"]["message"]
    assert len(shopify.fulfillments) == 1


def inventory_flow(api, credential: str, item: str = INVENTORY_ITEM) -> str:
    return action_flow(
        api,
        "shopify.adjust_inventory",
        credential,
        params={"inventory_item_id": item, "location_id": LOCATION, "reason": "damaged"},
        mapping={"delta": "trigger.delta"},
    )


def test_stock_is_adjusted_once_with_the_steps_idempotency_key(api, run_queue, shopify):
    flow_id = inventory_flow(api, account(api))
    done = run_now(api, run_queue, flow_id, {"delta": -2})

    assert done["status"] == "succeeded", done
    (call,) = graphql_calls(shopify)
    assert (
        "inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey)"
        in (call["query"])
    )
    assert call["variables"] == {
        "input": {
            "name": "available",
            "reason": "damaged",
            "changes": [{"delta": -2, "inventoryItemId": INVENTORY_ITEM, "locationId": LOCATION}],
        },
        "idempotencyKey": f"{done['id']}:shop",
    }
    assert shopify.stock[(INVENTORY_ITEM, LOCATION)] == {"available": 73, "on_hand": 73}
    assert done["steps"][1]["output"]["changes"] == [
        {"name": "available", "delta": -2, "quantityAfterChange": None}
    ]


def test_a_throttled_request_waits_for_the_bucket_and_succeeds(api, run_queue, shopify):
    flow_id = inventory_flow(api, account(api))
    shopify.rate_limit_next(retry_after=1)  # 200 with THROTTLED and the cost bucket 1 s short
    done = run_now(api, run_queue, flow_id, {"delta": 5})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    keys = {call["variables"]["idempotencyKey"] for call in graphql_calls(shopify)}
    assert keys == {f"{done['id']}:shop"}
    assert shopify.stock[(INVENTORY_ITEM, LOCATION)]["available"] == 80


def test_an_unknown_inventory_item_is_named_in_the_error(api, run_queue, shopify):
    flow_id = inventory_flow(api, account(api), item="gid://shopify/InventoryItem/1")
    failed = run_now(api, run_queue, flow_id, {"delta": 1})

    assert failed["steps"][1]["error"]["message"] == (
        "Shopify refused the change: The specified inventory item could not be found. "
        "(field input.changes.0.inventoryItemId)"
    )


def test_a_variants_price_is_updated_on_its_product(api, run_queue, shopify):
    variant = "gid://shopify/ProductVariant/642667041472713922"
    flow_id = action_flow(
        api,
        "shopify.update_variant_price",
        account(api),
        params={"price": "17.99"},
        mapping={"variant_id": "trigger.variant"},
    )
    done = run_now(api, run_queue, flow_id, {"variant": "642667041472713922"})

    assert done["status"] == "succeeded", done
    looked_up, updated = graphql_calls(shopify)
    assert looked_up["variables"] == {"id": variant}
    assert (
        "productVariantsBulkUpdate(productId: $productId, variants: $variants)"
        in (updated["query"])
    )
    assert updated["variables"] == {
        "productId": "gid://shopify/Product/788032119674292922",
        "variants": [{"id": variant, "price": "17.99"}],
    }
    assert done["steps"][1]["output"] == {
        "id": variant,
        "price": "17.99",
        "compareAtPrice": "24.99",
    }


def test_a_wrong_token_and_a_missing_scope_come_with_shopifys_message_and_a_hint(
    api, run_queue, shopify
):
    flow_id = action_flow(
        api, "shopify.get_order", account(api), mapping={"order_id": "trigger.order"}
    )
    shopify.fail_next(401, shopify.error(401, ""))
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_GID})
    error = failed["steps"][1]["error"]
    assert INVALID_TOKEN in error["message"] and error["status"] == 401
    assert "enter it again" in error["hint"]

    denied = "Access denied for order field. Required access: `read_orders` access scope."
    shopify.fail_next(
        200, {"errors": [{"message": denied, "extensions": {"code": "ACCESS_DENIED"}}]}
    )
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_GID})
    error = failed["steps"][1]["error"]
    assert error["message"] == f"Shopify says: {denied}"
    assert "missing a permission" in error["hint"]
    assert failed["steps"][1]["attempts"] == 1


# The flow the issue names: Shopify orders/paid → filter on a tag → Stripe refund


def test_a_paid_order_tagged_refund_is_refunded_in_stripe_with_its_exact_id(
    api, client, run_queue, shopify, stripe
):
    (intent_id,) = stripe.payment_intents
    stripe_account = api.post(
        "/api/credentials",
        json={"connector": "stripe", "name": "Stripe", "data": {"api_key": STRIPE_KEY}},
    ).get_json()["id"]
    graph = flow_document(
        {"id": "paid", "type": "shopify.order_paid", "credential": account(api)},
        {
            "id": "tagged",
            "type": "core.filter",
            "mapping": {"condition": "contains(trigger.tags, 'refund')"},
        },
        {
            "id": "refund",
            "type": "stripe.create_refund",
            "credential": stripe_account,
            "params": {"payment_intent": intent_id, "reason": "requested_by_customer"},
            "mapping": {
                "metadata.shopify_order_id": "to_string(trigger.id)",
                "metadata.shopify_order": "trigger.name",
            },
        },
    )
    _, url = create_active_flow(api, graph, name="Refund tagged orders")

    def deliver(body: bytes, webhook_id: str):
        headers = {
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Webhook-Id": webhook_id,
            "X-Shopify-Hmac-Sha256": signed(body),
        }
        reply = client.post(
            urlsplit(url).path, data=body, content_type="application/json", headers=headers
        )
        assert reply.status_code == 202, reply.get_json()
        run_queue()
        return api.get(f"/api/executions/{reply.get_json()['execution_id']}").get_json()

    untagged = deliver(EXACT_ORDER, "delivery-1")  # tags "tag1, tag2"
    assert untagged["status"] == "succeeded"
    assert [r for r in stripe.requests if r.path == "/v1/refunds"] == []

    tagged = deliver(EXACT_ORDER.replace(b'"tag1, tag2"', b'"refund, tag2"'), "delivery-2")
    assert tagged["status"] == "succeeded", tagged
    (refund,) = [r for r in stripe.requests if r.path == "/v1/refunds"]
    assert sent_form(refund) == {
        "payment_intent": intent_id,
        "reason": "requested_by_customer",
        "metadata[shopify_order_id]": "820982911946154508",
        "metadata[shopify_order]": "#9999",
    }
    steps = {step["node_id"]: step for step in tagged["steps"]}
    assert steps["refund"]["output"]["metadata"]["shopify_order_id"] == "820982911946154508"
    assert steps["paid"]["output"]["id"] == 820982911946154508


def test_an_internal_error_in_a_200_reply_is_retried(api, run_queue, shopify):
    flow_id = action_flow(
        api, "shopify.get_order", account(api), mapping={"order_id": "trigger.order"}
    )
    internal = "Internal error. Looks like something went wrong on our end."
    shopify.fail_next(
        200, {"errors": [{"message": internal, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    )
    done = run_now(api, run_queue, flow_id, {"order": ORDER_GID})
    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2


def test_tagging_without_tags_or_note_is_refused_before_sending(api, run_queue, shopify):
    flow_id = action_flow(
        api,
        "shopify.tag_order",
        account(api),
        params={"tags": []},
        mapping={"order_id": "trigger.order"},
    )
    failed = run_now(api, run_queue, flow_id, {"order": ORDER_GID})
    error = failed["steps"][1]["error"]
    assert (error["type"], error["field"]) == ("user", "tags")
    assert error["message"] == "Give tags, a note, or both."
    assert graphql_calls(shopify) == []
