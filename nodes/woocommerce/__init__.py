"""WooCommerce: order and product webhooks as triggers, orders and stock as actions.

API reference: https://woocommerce.github.io/woocommerce-rest-api-docs/ (REST API v3). Requests
go to ``<store>/wp-json/wc/v3`` over HTTPS with the consumer key and secret as HTTP Basic auth.
Deliveries carry ``X-WC-Webhook-Signature``: base64 of the HMAC-SHA256 of the raw body, keyed
with the webhook's secret. When Shopwire registers the webhook it chooses that secret itself
and keeps it, encrypted, with the subscription.

WooCommerce sends a ping (form body ``webhook_id=<id>``, no signature) when a webhook is
created; it is answered 200 and runs nothing. WooCommerce does not retry failed deliveries,
so duplicates come from resends of one delivery (a proxy's retry, a queue running an action
twice); see :func:`_delivery_id` for how they are recognised.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from nodes.kit.auth import Basic
from nodes.kit.base import Connector, InboundRequest, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.webhooks import Hmac, Recovery, Webhooks, header
from nodes.woocommerce import recovery

AUTH = account_schema(
    "WooCommerce store",
    ["store_url", "consumer_key", "consumer_secret"],
    store_url={
        "type": "string",
        "title": "Store address",
        "description": "The address of your WordPress site, e.g. https://shop.example.com "
        "(with the folder if WordPress lives in one). HTTPS is required.",
        "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^?#\s]*)?$",
    },
    consumer_key={
        "type": "string",
        "title": "Consumer key",
        "description": "WooCommerce → Settings → Advanced → REST API → Add key, with "
        "Read/Write permission. Starts with ck_.",
        "pattern": "^ck_[A-Za-z0-9]+$",
        "writeOnly": True,
    },
    consumer_secret={
        "type": "string",
        "title": "Consumer secret",
        "description": "Shown once next to the consumer key. Starts with cs_.",
        "pattern": "^cs_[A-Za-z0-9]+$",
        "writeOnly": True,
    },
    webhook_secret={
        "type": "string",
        "title": "Webhook secret",
        "description": "Only if you add the webhook in WooCommerce yourself (Settings → "
        "Advanced → Webhooks): the secret entered there. Shopwire registers webhooks "
        "itself otherwise.",
        "minLength": 1,
        "writeOnly": True,
    },
)


SIGNATURE = Hmac("X-WC-Webhook-Signature", secret="webhook_secret")


def _delivery_id(request: InboundRequest) -> str | None:
    """The delivery id together with a hash of the body.

    WooCommerce derives X-WC-Webhook-Delivery-ID from the webhook's id and the current second
    (``wp_hash($id . strtotime('now'))``), so two different orders delivered within the same
    second share it; only a repeat of the same delivery has the same id and the same body.
    """
    delivery = request.header("X-WC-Webhook-Delivery-ID")
    if not delivery:
        return None
    return f"{delivery}:{hashlib.sha256(request.body).hexdigest()}"


def _is_ping(request: InboundRequest) -> bool:
    payload = request.payload
    return (
        request.header("X-WC-Webhook-Topic") is None
        and isinstance(payload, dict)
        and set(payload) == {"webhook_id"}
    )


def _ping(request: InboundRequest) -> str | None:
    if _is_ping(request):
        return f"WooCommerce's test ping for webhook {request.payload['webhook_id']}."
    return None


def _subscribe(api, url: str, topic: str) -> dict[str, Any]:
    secret = secrets.token_urlsafe(32)
    webhook = api.post(
        "/webhooks",
        json={
            "name": f"Shopwire: {topic}",
            "topic": topic,
            "delivery_url": url,
            "secret": secret,
            "status": "active",
        },
    )
    return {"id": webhook["id"], "secret": secret}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/webhooks/{subscription['id']}", params={"force": "true"})


ORDER = {
    "type": "object",
    "required": ["id", "status"],
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string"},
        "status": {"type": "string"},
        "currency": {"type": "string"},
        "total": {"type": "string", "description": "Decimal string, e.g. 29.35"},
        "customer_id": {"type": "integer"},
        "customer_note": {"type": "string"},
        "billing": {"type": "object"},
        "shipping": {"type": "object"},
        "payment_method": {"type": "string"},
        "line_items": {"type": "array", "items": {"type": "object"}},
        "meta_data": {"type": "array"},
    },
}
PRODUCT = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "sku": {"type": "string"},
        "price": {"type": "string", "description": "Decimal string, e.g. 21.99"},
        "status": {"type": "string"},
        "manage_stock": {"type": "boolean"},
        "stock_quantity": {"type": ["integer", "null"]},
        "stock_status": {"type": "string"},
    },
}


woocommerce = Connector(
    "woocommerce",
    auth=AUTH,
    base_url=lambda credential: credential["store_url"].rstrip("/") + "/wp-json/wc/v3",
    auth_type=Basic("consumer_key", "consumer_secret"),
    errors=ErrorBody("message", code="code"),
    test=lambda api: api.get("/orders", params={"per_page": 1}),
    webhooks=Webhooks(
        events=listed("woocommerce", "topics.txt"),
        event_type=header("X-WC-Webhook-Topic"),
        signature=SIGNATURE,
        event_id=_delivery_id,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        manual="webhook_secret",
        ping=_ping,
        kept_headers=("X-WC-Webhook-Topic", "X-WC-Webhook-Delivery-ID", "X-WC-Webhook-Source"),
        schema={"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
        example=example("woocommerce", "rest-v3.order.create.response"),
        recovery=Recovery(alive=recovery.webhook_alive, missed=recovery.missed),
    ),
)

from nodes.woocommerce import actions, triggers  # noqa: E402, F401  (they declare the nodes)
