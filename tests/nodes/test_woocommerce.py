"""WooCommerce: signed deliveries, the ping, webhook registration, and actions against a fake."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from app.models import Execution, RejectedEvent
from nodes.kit.base import InboundRequest, SignatureError
from nodes.woocommerce import woocommerce
from nodes.woocommerce.fake import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    PREFIX,
    STORE_URL,
    FakeWooCommerce,
    php_json,
)
from tests.conftest import (
    connected,
    create_active_flow,
    create_credential,
    flow_document,
    load_fixture,
    run_now,
)

VECTORS = json.loads(load_fixture("signatures", "woocommerce.json"))
SECRET = "wc-webhook-secret"
ORDER = json.loads(load_fixture("woocommerce", "rest-v3.order.create.response.json"))
PRODUCT = json.loads(load_fixture("woocommerce", "rest-v3.product.retrieve.response.json"))
BODY = php_json(ORDER)  # the bytes WooCommerce sends: wp_json_encode escapes "/" as "\/"
BASIC = "Basic " + base64.b64encode(f"{CONSUMER_KEY}:{CONSUMER_SECRET}".encode()).decode()


def woo_signature(body: bytes, secret: str = SECRET) -> str:
    """WC_Webhook::generate_signature: base64 of the raw (binary) HMAC-SHA256 digest."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def delivery(body: bytes, signature: str | None) -> InboundRequest:
    headers = {"X-WC-Webhook-Signature": signature} if signature else {}
    return InboundRequest(body=body, headers=headers, query={}, payload=json.loads(body))


@pytest.fixture
def woo(app):
    with connected(app, "woocommerce", FakeWooCommerce()) as fake:
        yield fake


def account(api, **data) -> str:
    credential = {
        "store_url": STORE_URL,
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
        **data,
    }
    return create_credential(api, "woocommerce", credential, "Shop")


def headers(topic: str, body: bytes, secret: str = SECRET, delivery_id: str = "d1") -> dict:
    return {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-Signature": woo_signature(body, secret),
        "X-WC-Webhook-ID": "142",
        "X-WC-Webhook-Delivery-ID": delivery_id,
    }


# Signatures


def test_the_documented_scheme_base64_of_the_binary_hmac_over_the_raw_body_passes():
    # WooCommerce publishes no fixed test vector (fixed_test_vector is null in the shared
    # fixtures); the docs' scheme is recomputed on the docs' order body as WooCommerce sends it.
    assert "base64( HMAC-SHA256( webhook secret, payload ) )" in VECTORS["signature"]
    assert b"https:\\/\\/example.com" in BODY
    woocommerce.verify(delivery(BODY, woo_signature(BODY)), {"webhook_secret": SECRET})
    subscribed = {"subscription": {"id": 142, "secret": SECRET}}
    woocommerce.verify(delivery(BODY, woo_signature(BODY)), subscribed)


def test_a_hex_digest_another_secret_a_tampered_body_and_no_header_are_refused():
    hex_digest = hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest()
    tampered = BODY.replace(b'"total":"29.35"', b'"total":"0.01"')
    assert tampered != BODY
    cases = [
        (BODY, hex_digest, "does not match"),
        (BODY, woo_signature(BODY, "another-secret"), "does not match"),
        (tampered, woo_signature(BODY), "does not match"),
        # the same order re-encoded (unescaped slashes): the raw bytes are what is signed
        (json.dumps(ORDER).encode(), woo_signature(BODY), "does not match"),
        (BODY, None, "no X-WC-Webhook-Signature header"),
    ]
    for body, signature, message in cases:
        with pytest.raises(SignatureError, match=message):
            woocommerce.verify(delivery(body, signature), {"webhook_secret": SECRET})


def test_without_a_secret_the_message_says_how_to_get_one():
    with pytest.raises(SignatureError, match="no webhook secret"):
        woocommerce.verify(delivery(BODY, woo_signature(BODY)), {"consumer_key": "ck_x"})


# Ingress with a merchant-entered webhook secret


def test_deliveries_are_verified_deduplicated_and_the_ping_and_other_topics_ignored(
    api, client, app
):
    trigger = {
        "id": "t",
        "type": "woocommerce.order_created",
        "credential": account(api, webhook_secret=SECRET),
    }
    _, url = create_active_flow(api, flow_document(trigger))

    def post(body: bytes, sent: dict, content_type: str = "application/json"):
        return client.post(url, data=body, content_type=content_type, headers=sent)

    first = post(BODY, headers("order.created", BODY))
    assert first.status_code == 202
    again = post(BODY, headers("order.created", BODY))  # the same delivery, sent twice
    assert again.status_code == 200
    assert again.get_json() == {
        "execution_id": first.get_json()["execution_id"],
        "duplicate": True,
    }

    # WooCommerce's delivery id is a hash of the webhook id and the second: another order
    # delivered in the same second carries the same id, and must run.
    second_order = php_json({**ORDER, "id": 728, "number": "728"})
    same_second = post(second_order, headers("order.created", second_order))
    assert same_second.status_code == 202

    ping = post(b"webhook_id=142", {}, "application/x-www-form-urlencoded")
    assert ping.status_code == 200  # WooCommerce wants exactly 200 for its ping
    assert "ping for webhook 142" in ping.get_json()["ignored"]
    other = post(BODY, headers("order.updated", BODY, delivery_id="d2"))
    assert other.status_code == 200 and "order.updated" in other.get_json()["ignored"]

    missing = post(
        BODY, {**headers("order.created", BODY, delivery_id="d3")} | {"X-WC-Webhook-Signature": ""}
    )
    assert missing.status_code == 401
    tampered = BODY.replace(b'"total":"29.35"', b'"total":"0.01"')
    forged = post(tampered, headers("order.created", BODY, delivery_id="d4"))
    assert forged.status_code == 401 and "does not match" in forged.get_json()["detail"]
    wrong = post(BODY, headers("order.created", BODY, "guessed", delivery_id="d5"))
    assert wrong.status_code == 401

    assert Execution.query.count() == 2
    assert [r.status_code for r in RejectedEvent.query.order_by(RejectedEvent.id)] == [401] * 3


def test_an_http_store_address_is_refused_with_the_field_named(api):
    reply = api.post(
        "/api/credentials",
        json={
            "connector": "woocommerce",
            "name": "Shop",
            "data": {
                "store_url": "http://shop.example.com",
                "consumer_key": CONSUMER_KEY,
                "consumer_secret": CONSUMER_SECRET,
            },
        },
    )
    assert reply.status_code == 422
    assert "store_url" in json.dumps(reply.get_json())


# Webhook registration


def test_switching_on_registers_the_webhook_with_a_fresh_secret_and_off_removes_it(
    api, client, woo
):
    trigger = {"id": "t", "type": "woocommerce.product_updated", "credential": account(api)}
    flow_id, url = create_active_flow(api, flow_document(trigger))

    registered = woo.requests[-1]
    assert (registered.method, registered.path) == ("POST", PREFIX + "/webhooks")
    assert registered.header("Authorization") == BASIC
    sent = registered.json()
    assert sent == {
        "name": "Shopwire: product.updated",
        "topic": "product.updated",
        "delivery_url": url,
        "secret": sent["secret"],
        "status": "active",
    }
    assert len(sent["secret"]) >= 32
    (webhook_id,) = woo.webhooks

    body, sent_headers = woo.delivery(webhook_id, PRODUCT)
    ok = client.post(url, data=body, content_type="application/json", headers=sent_headers)
    assert ok.status_code == 202
    ping_body, ping_headers = woo.ping(webhook_id)
    ping = client.post(
        url,
        data=ping_body,
        content_type="application/x-www-form-urlencoded",
        headers=ping_headers,
    )
    assert ping.status_code == 200 and Execution.query.count() == 1

    assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
    removed = woo.requests[-1]
    assert (removed.method, removed.path) == (
        "DELETE",
        f"{PREFIX}/webhooks/{webhook_id}?force=true",
    )
    assert woo.webhooks == {}
    # WooCommerce pings while the webhook is being created, before the flow is on: the ping
    # still gets its 200, a real delivery to a flow that is off does not run.
    ping = client.post(
        url, data=ping_body, content_type="application/x-www-form-urlencoded", headers=ping_headers
    )
    assert ping.status_code == 200
    off = client.post(url, data=body, content_type="application/json", headers=sent_headers)
    assert off.status_code == 404 and Execution.query.count() == 1


def test_a_second_flow_gets_its_own_secret(api, woo):
    credential = account(api)
    for _ in range(2):
        trigger = {"id": "t", "type": "woocommerce.order_updated", "credential": credential}
        create_active_flow(api, flow_document(trigger))
    first, second = woo.webhook_secrets.values()
    assert first != second


def test_with_a_hand_made_webhook_nothing_is_registered(api, woo):
    trigger = {
        "id": "t",
        "type": "woocommerce.order_created",
        "credential": account(api, webhook_secret=SECRET),
    }
    create_active_flow(api, flow_document(trigger))
    assert woo.requests == [] and woo.webhooks == {}


def test_a_refused_registration_keeps_the_flow_off_with_woocommerces_message(api, woo):
    woo.fail_next(401, woo.error(401, ""))
    trigger = {"id": "t", "type": "woocommerce.order_created", "credential": account(api)}
    flow_id = api.post(
        "/api/flows", json={"name": "W", "graph": flow_document(trigger)}
    ).get_json()["id"]
    refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    detail = refused.get_json()["detail"]
    assert "WooCommerce says: Consumer key is invalid." in detail
    assert "enter it again" in detail
    assert api.get(f"/api/flows/{flow_id}").get_json()["active"] is False


# Actions through the engine


def action_flow(api, credential: str, node_type: str, mapping: dict, params=None) -> str:
    graph = flow_document(
        {"id": "t", "type": "core.manual"},
        {
            "id": "step",
            "type": node_type,
            "credential": credential,
            "params": params or {},
            "mapping": mapping,
        },
    )
    created = api.post("/api/flows", json={"name": node_type, "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def test_get_order_reads_the_order_with_basic_auth(api, run_queue, woo):
    flow_id = action_flow(api, account(api), "woocommerce.get_order", {"order_id": "trigger.id"})
    done = run_now(api, run_queue, flow_id, {"id": 727})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["output"]["total"] == "29.35"
    (sent,) = woo.requests
    assert (sent.method, sent.path) == ("GET", PREFIX + "/orders/727")
    assert sent.header("Authorization") == BASIC


def test_a_status_change_is_a_put_of_the_status(api, run_queue, woo):
    flow_id = action_flow(
        api,
        account(api),
        "woocommerce.update_order_status",
        {"order_id": "trigger.id"},
        {"status": "completed"},
    )
    done = run_now(api, run_queue, flow_id, {"id": 727})

    assert done["steps"][1]["output"]["status"] == "completed"
    (sent,) = woo.requests
    assert (sent.method, sent.path, sent.json()) == (
        "PUT",
        PREFIX + "/orders/727",
        {"status": "completed"},
    )
    assert woo.orders[727]["status"] == "completed"


def test_custom_fields_are_changed_by_key_and_added_when_new(api, run_queue, woo):
    flow_id = action_flow(
        api,
        account(api),
        "woocommerce.update_order_meta",
        {"order_id": "trigger.id", "meta.tracking_number": "trigger.number"},
        {"meta": {"_download_permissions_granted": "no"}},
    )
    done = run_now(api, run_queue, flow_id, {"id": 727, "number": "00340434292135100056"})

    assert done["status"] == "succeeded", done
    (sent,) = woo.requests
    assert (sent.method, sent.path) == ("PUT", PREFIX + "/orders/727")
    assert sorted(sent.json()["meta_data"], key=lambda m: m["key"]) == [
        {"key": "_download_permissions_granted", "value": "no"},
        {"key": "tracking_number", "value": "00340434292135100056"},
    ]
    meta = {m["key"]: m["value"] for m in woo.orders[727]["meta_data"]}
    assert meta == {
        "_download_permissions_granted": "no",
        "tracking_number": "00340434292135100056",
    }
    assert len(woo.orders[727]["meta_data"]) == 2


def test_stock_is_set_with_stock_management_on_for_products_and_variations(api, run_queue, woo):
    woo.variations[(794, 795)] = {"id": 795, "stock_quantity": 1}
    flow_id = action_flow(
        api,
        account(api),
        "woocommerce.update_stock",
        {"product_id": "trigger.product", "variation_id": "trigger.variation"},
        {"stock_quantity": 12},
    )
    done = run_now(api, run_queue, flow_id, {"product": 794, "variation": 795})
    assert done["status"] == "succeeded", done
    simple = action_flow(
        api,
        account(api),
        "woocommerce.update_stock",
        {"product_id": "trigger.product"},
        {"stock_quantity": 3},
    )
    assert run_now(api, run_queue, simple, {"product": 794})["status"] == "succeeded"

    variation, product = woo.requests
    assert (variation.method, variation.path) == ("PUT", PREFIX + "/products/794/variations/795")
    assert variation.json() == {"manage_stock": True, "stock_quantity": 12}
    assert (product.path, product.json()) == (
        PREFIX + "/products/794",
        {"manage_stock": True, "stock_quantity": 3},
    )
    assert woo.products[794]["stock_quantity"] == 3


def test_an_unknown_order_reaches_the_merchant_as_woocommerces_message(api, run_queue, woo):
    flow_id = action_flow(
        api,
        account(api),
        "woocommerce.add_order_note",
        {"order_id": "trigger.id"},
        {"note": "Hello"},
    )
    failed = run_now(api, run_queue, flow_id, {"id": 1})

    assert failed["status"] == "failed"
    error = failed["steps"][1]["error"]
    assert error["type"] == "provider" and error["status"] == 404
    assert (
        "WooCommerce says: Invalid ID. (woocommerce_rest_shop_order_invalid_id)" in error["message"]
    )
    assert error["hint"].startswith("The record was not found")
    assert failed["steps"][1]["attempts"] == 1


def test_a_rate_limited_request_is_retried_after_retry_after(api, run_queue, woo):
    flow_id = action_flow(api, account(api), "woocommerce.get_order", {"order_id": "trigger.id"})
    woo.rate_limit_next(retry_after=1)
    done = run_now(api, run_queue, flow_id, {"id": 727})

    assert done["status"] == "succeeded", done
    assert done["steps"][1]["attempts"] == 2
    assert [r.path for r in woo.requests] == [PREFIX + "/orders/727"] * 2


def test_a_wrong_key_says_so(api, run_queue, woo):
    credential = account(api, consumer_secret="cs_wrong")
    flow_id = action_flow(api, credential, "woocommerce.get_order", {"order_id": "trigger.id"})
    failed = run_now(api, run_queue, flow_id, {"id": 727})
    error = failed["steps"][1]["error"]
    assert "Consumer key is invalid." in error["message"]
    assert "enter it again" in error["hint"]


# End to end


def test_a_new_order_webhook_adds_a_thank_you_note_through_the_engine(api, client, run_queue, woo):
    graph = flow_document(
        {"id": "t", "type": "woocommerce.order_created", "credential": account(api)},
        {
            "id": "note",
            "type": "woocommerce.add_order_note",
            "credential": account(api),
            "params": {"customer_note": True},
            "mapping": {
                "order_id": "trigger.id",
                "note": "join('', ['Thank you, ', trigger.billing.first_name, '!'])",
            },
        },
    )
    _, url = create_active_flow(api, graph)
    (webhook_id,) = woo.webhooks
    body, sent_headers = woo.delivery(webhook_id, ORDER)
    accepted = client.post(url, data=body, content_type="application/json", headers=sent_headers)
    assert accepted.status_code == 202
    run_queue()

    done = api.get(f"/api/executions/{accepted.get_json()['execution_id']}").get_json()
    assert done["status"] == "succeeded", done
    (note,) = woo.notes[727]
    assert (note["note"], note["customer_note"]) == ("Thank you, John!", True)
    sent = woo.requests[-1]
    assert (sent.method, sent.path) == ("POST", PREFIX + "/orders/727/notes")
    assert sent.json() == {"note": "Thank you, John!", "customer_note": True}
    assert done["steps"][1]["output"]["id"] == note["id"]


def test_test_connection_lists_one_order(app, woo):
    from app.runtime.provider_http import api_client
    from nodes.kit.registry import connector

    woocommerce = connector("woocommerce")
    credential = {
        "store_url": STORE_URL + "/shop/",
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
    }
    assert woocommerce.test(api_client(woocommerce, credential))[0]["id"] == 727
    (sent,) = woo.requests
    # WordPress in a folder: the folder is kept in the API's path
    assert sent.path == "/shop" + PREFIX + "/orders?per_page=1"
