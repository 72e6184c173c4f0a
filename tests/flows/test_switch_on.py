"""Switching a flow on when the provider cannot register its webhook: the real cause, and the
webhook set up by hand in the shop's admin with the signing secret the shop shows."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlsplit

import pytest

from nodes.shopify.fake import ACCESS_TOKEN, API_SECRET, SHOP, FakeShopify
from tests.conftest import connected, create_credential, flow_document, load_fixture

ORDER = load_fixture("shopify", "webhook.orders_paid.json")
SHOP_SECRET = "the secret the shop admin shows"


@pytest.fixture
def shopify(app):
    app.config["SHOPWIRE_PUBLIC_URL"] = "http://localhost:5000"  # like `make run`
    with connected(app, "shopify", FakeShopify()) as fake:  # https addresses only, as Shopify
        yield fake


def _flow(api, credential: str | None = None) -> str:
    trigger = {"id": "paid", "type": "shopify.order_paid"}
    if credential:
        trigger["credential"] = credential
    graph = flow_document(trigger, {"id": "note", "type": "core.map", "params": {"fields": {}}})
    return api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()["id"]


def _account(api) -> str:
    data = {"shop": SHOP, "access_token": ACCESS_TOKEN, "api_secret": API_SECRET}
    return create_credential(api, "shopify", data)


def _deliver(client, url: str, secret: str):
    signature = base64.b64encode(hmac.new(secret.encode(), ORDER, hashlib.sha256).digest())
    return client.post(
        urlsplit(url).path,
        data=ORDER,
        content_type="application/json",
        headers={
            "X-Shopify-Hmac-Sha256": signature.decode(),
            "X-Shopify-Topic": "orders/paid",
            "X-Shopify-Webhook-Id": f"delivery-{secret}",
        },
    )


def test_a_refused_http_address_offers_the_webhook_set_up_by_hand(api, client, shopify):
    flow_id = _flow(api, _account(api))
    refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    problem = refused.get_json()
    assert "public https:// address" in problem["detail"]
    by_hand = problem["set_up_by_hand"]
    assert by_hand["node_id"] == "paid" and by_hand["url"].startswith("http://localhost:5000/")

    switched = api.post(f"/api/flows/{flow_id}/activate", json={"signing_secret": SHOP_SECRET})
    assert switched.status_code == 200, switched.get_json()
    assert switched.get_json()["active"] is True
    assert switched.get_json()["webhooks"][0]["url"] == by_hand["url"]
    assert shopify.webhook_subscriptions == {}  # nothing registered at Shopify
    assert SHOP_SECRET not in switched.get_data(as_text=True)

    assert _deliver(client, by_hand["url"], SHOP_SECRET).status_code == 202
    # The app's own secret no longer signs this webhook: the shop's admin does.
    assert _deliver(client, by_hand["url"], API_SECRET).status_code == 401


def test_without_an_account_the_step_asks_for_one_and_the_way_by_hand_needs_none(
    api, client, shopify
):
    flow_id = _flow(api)
    refused = api.post(f"/api/flows/{flow_id}/activate").get_json()
    assert refused["detail"].startswith("Choose the account of your shop for this step")
    assert "API secret key" not in refused["detail"]
    assert refused["errors"][0]["pointer"] == "/graph/nodes/0/credential"
    url = refused["set_up_by_hand"]["url"]

    switched = api.post(f"/api/flows/{flow_id}/activate", json={"signing_secret": SHOP_SECRET})
    assert switched.status_code == 200
    assert _deliver(client, url, SHOP_SECRET).status_code == 202


def test_a_webhook_set_up_by_hand_is_kept_while_the_flow_is_off(api, client, shopify):
    flow_id = _flow(api, _account(api))
    api.post(f"/api/flows/{flow_id}/activate", json={"signing_secret": SHOP_SECRET})
    assert api.post(f"/api/flows/{flow_id}/deactivate").status_code == 200
    again = api.post(f"/api/flows/{flow_id}/activate")  # no secret needed again
    assert again.status_code == 200, again.get_json()
    assert _deliver(client, again.get_json()["webhooks"][0]["url"], SHOP_SECRET).status_code == 202
    assert api.delete(f"/api/flows/{flow_id}").status_code == 204
    assert json.dumps(shopify.webhook_subscriptions) == "{}"
    assert not [r for r in shopify.requests if "webhookSubscriptionDelete" in r.body.decode()]


def test_a_replaced_trigger_keeps_the_flows_webhook_address(api, client):
    hook = {"id": "order", "type": "core.webhook"}
    step = {"id": "note", "type": "core.map", "params": {"fields": {}}}
    flow_id = api.post(
        "/api/flows", json={"name": "Orders", "graph": flow_document(hook, step)}
    ).get_json()["id"]
    before = api.post(f"/api/flows/{flow_id}/activate").get_json()["webhooks"][0]["url"]

    # The merchant deleted the trigger and added a new one (a new step id).
    replaced = {"id": "new_order", "type": "core.webhook", "params": {"respond": "immediately"}}
    saved = api.put(f"/api/flows/{flow_id}", json={"graph": flow_document(replaced, step)})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["webhooks"] == [{"node_id": "new_order", "url": before}]
    delivered = client.post(urlsplit(before).path, json={"id": 1})
    assert delivered.status_code == 202
