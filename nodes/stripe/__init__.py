"""Stripe: payment events as triggers, refunds, payment links and look-ups as actions.

API reference: https://docs.stripe.com/api. Requests are form-encoded with bracketed keys,
authenticated with the secret key as a Bearer token; every POST carries an Idempotency-Key.
Deliveries are signed with the endpoint's signing secret (``Stripe-Signature: t=…,v1=…``);
when Shopwire registers the endpoint itself, Stripe returns that secret once and it is kept
encrypted with the subscription.
"""

from __future__ import annotations

from typing import Any

from nodes.kit.auth import Bearer
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.webhooks import Recovery, TimestampedHmac, Webhooks, field
from nodes.stripe import recovery

API_VERSION = "2024-06-20"

AUTH = account_schema(
    "Stripe account",
    ["api_key"],
    api_key={
        "type": "string",
        "title": "Secret key",
        "description": "Dashboard → Developers → API keys. A key starting with sk_test_ "
        "works in test mode, sk_live_ with real payments. A restricted key (rk_) needs "
        "write access to refunds, payment links and webhook endpoints.",
        "pattern": "^(sk|rk)_(test|live)_[A-Za-z0-9]+$",
        "writeOnly": True,
    },
    webhook_secret={
        "type": "string",
        "title": "Webhook signing secret",
        "description": "Only if you add the webhook in the Stripe dashboard yourself: "
        "the whsec_… secret shown there. Shopwire registers webhooks itself otherwise.",
        "pattern": "^whsec_",
        "writeOnly": True,
    },
)

EVENT = {
    "type": "object",
    "required": ["id", "type", "data"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string"},
        "created": {"type": "integer"},
        "livemode": {"type": "boolean"},
        "data": {"type": "object", "properties": {"object": {"type": "object"}}},
    },
}


def form(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested objects and lists as ``a[b][0][c]=…`` pairs."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            pairs += form(value, name)
        elif isinstance(value, list):
            pairs += form(dict(enumerate(value)), name)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


def _subscribe(api, url: str, event: str) -> dict[str, Any]:
    endpoint = api.post(
        "/v1/webhook_endpoints",
        data=form({"url": url, "enabled_events": [event], "description": "Shopwire"}),
    )
    return {"id": endpoint["id"], "secret": endpoint.get("secret")}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/v1/webhook_endpoints/{subscription['id']}")


def _prices(api) -> list[dict[str, Any]]:
    """The account's active prices, named by their product and amount."""
    prices = api.get(
        "/v1/prices", params={"active": "true", "limit": 100, "expand[]": "data.product"}
    )["data"]
    return [{"value": price["id"], "label": _price_label(price)} for price in prices]


def _price_label(price: dict[str, Any]) -> str:
    product = price.get("product")
    name = price.get("nickname") or (product.get("name") if isinstance(product, dict) else None)
    amount = price.get("unit_amount")
    money = f"{amount / 100:.2f} {price['currency'].upper()}" if amount is not None else ""
    return " · ".join(part for part in (name or price["id"], money) if part)


stripe = Connector(
    "stripe",
    auth=AUTH,
    base_url=lambda credential: "https://api.stripe.com",
    auth_type=Bearer("api_key"),
    headers={"Stripe-Version": API_VERSION},
    errors=ErrorBody("error.message", field="error.param"),
    idempotency_header="Idempotency-Key",
    test=lambda api: api.get("/v1/balance"),
    encode_body=lambda body: {"data": form(body)} if isinstance(body, dict) else {"data": body},
    webhooks=Webhooks(
        events=listed("stripe", "events.txt"),
        event_type=field("type"),
        signature=TimestampedHmac("Stripe-Signature", secret="webhook_secret"),
        event_id=field("id"),
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        manual="webhook_secret",
        schema=EVENT,
        example=example("stripe", "event.payment_intent.succeeded"),
        recovery=Recovery(alive=recovery.endpoint_alive, missed=recovery.missed),
    ),
    options={"prices": _prices},
)

from nodes.stripe import actions, triggers  # noqa: E402, F401  (they declare the nodes)
