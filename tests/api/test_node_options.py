"""What the editor learns about connectors beyond the catalog: a parameter's choices loaded
with the merchant's account (Shopify locations and Stripe prices from their fakes, refusals in
plain words, another shop's account not found), and the connectors that are unavailable."""

from __future__ import annotations

import pytest

from nodes.kit import registry
from nodes.shopify.fake import ACCESS_TOKEN, LOCATION, SHOP, FakeShopify
from nodes.stripe.fake import API_KEY, FakeStripe
from tests.conftest import connected, create_credential

PRICES = "/api/nodes/stripe.create_payment_link/options/prices"
LOCATIONS = "/api/nodes/shopify.adjust_inventory/options/locations"


@pytest.fixture
def stripe(app):
    with connected(app, "stripe", FakeStripe()) as fake:
        yield fake


def test_stripe_prices_are_offered_by_product_and_amount(api, stripe):
    credential = create_credential(api, "stripe", {"api_key": API_KEY}, "Stripe")
    reply = api.get(f"{PRICES}?credential={credential}")
    assert reply.status_code == 200, reply.get_json()
    (price,) = reply.get_json()["items"]
    assert price["value"].startswith("price_")
    assert price["label"].endswith("USD")
    (sent,) = stripe.requests
    assert sent.path.startswith("/v1/prices?")
    assert "expand%5B%5D=data.product" in sent.path
    assert sent.header("Authorization") == f"Bearer {API_KEY}"


def test_shopify_locations_are_offered_by_name(api, app):
    with connected(app, "shopify", FakeShopify()):
        data = {"shop": SHOP, "access_token": ACCESS_TOKEN}
        credential = create_credential(api, "shopify", data, "Shop")
        reply = api.get(f"{LOCATIONS}?credential={credential}")
    assert reply.get_json() == {"items": [{"value": LOCATION, "label": "Shop location"}]}


def test_a_refusal_says_what_the_provider_said_without_the_key(api, stripe):
    credential = create_credential(api, "stripe", {"api_key": API_KEY}, "Stripe")
    stripe.fail_next(401, stripe.error(401, ""))
    reply = api.get(f"{PRICES}?credential={credential}")
    assert reply.status_code == 502
    assert reply.content_type == "application/problem+json"
    detail = reply.get_json()["detail"]
    assert "Stripe says: Invalid API Key provided" in detail
    assert "open the account and enter it again" in detail
    assert API_KEY not in detail


def test_the_account_must_be_the_merchants_own_and_of_the_steps_system(api, other_api, stripe):
    theirs = create_credential(other_api, "stripe", {"api_key": API_KEY}, "Theirs")
    assert api.get(f"{PRICES}?credential={theirs}").status_code == 404
    core = create_credential(api, "core", {"secret": "s" * 24}, "Hook key")
    wrong = api.get(f"{PRICES}?credential={core}")
    assert wrong.status_code == 400
    assert "needs a Stripe account" in wrong.get_json()["detail"]
    assert api.get(PRICES).status_code == 400
    assert (
        api.get(f"/api/nodes/stripe.create_refund/options/nope?credential={core}").status_code
        == 404
    )
    assert stripe.requests == []


def test_the_catalog_lists_unavailable_connectors_with_the_reason(api, monkeypatch):
    reason = "sapb1_connector cannot be imported: No module named 'pyodata'"
    monkeypatch.setitem(registry._unavailable, "sapb1", reason)
    catalog = api.get("/api/nodes").get_json()
    assert catalog["unavailable"] == {"sapb1": reason}
    assert not [n for n in catalog["nodes"] if n["connector"] == "sapb1"]
