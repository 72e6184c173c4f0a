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

import base64
import hashlib
import hmac
import secrets
from typing import Any

from nodes.kit.base import Connector, InboundRequest, NodeContext, SignatureError
from nodes.kit.examples import example

AUTH = {
    "type": "object",
    "title": "WooCommerce store",
    "required": ["store_url", "consumer_key", "consumer_secret"],
    "properties": {
        "store_url": {
            "type": "string",
            "title": "Store address",
            "description": "The address of your WordPress site, e.g. https://shop.example.com "
            "(with the folder if WordPress lives in one). HTTPS is required.",
            "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^?#\s]*)?$",
        },
        "consumer_key": {
            "type": "string",
            "title": "Consumer key",
            "description": "WooCommerce → Settings → Advanced → REST API → Add key, with "
            "Read/Write permission. Starts with ck_.",
            "pattern": "^ck_[A-Za-z0-9]+$",
            "writeOnly": True,
        },
        "consumer_secret": {
            "type": "string",
            "title": "Consumer secret",
            "description": "Shown once next to the consumer key. Starts with cs_.",
            "pattern": "^cs_[A-Za-z0-9]+$",
            "writeOnly": True,
        },
        "webhook_secret": {
            "type": "string",
            "title": "Webhook secret",
            "description": "Only if you add the webhook in WooCommerce yourself (Settings → "
            "Advanced → Webhooks): the secret entered there. Shopwire registers webhooks "
            "itself otherwise.",
            "minLength": 1,
            "writeOnly": True,
        },
    },
}


def _authenticate(api, credential: dict[str, Any]) -> dict[str, str]:
    pair = f"{credential['consumer_key']}:{credential['consumer_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def _error_message(body: Any) -> str | None:
    """WooCommerce (WordPress REST) errors: ``{"code", "message", "data": {"status"}}``."""
    if not isinstance(body, dict) or not body.get("message"):
        return None
    code = f" ({body['code']})" if body.get("code") else ""
    return f"WooCommerce says: {body['message']}{code}"


woocommerce = Connector(
    "woocommerce",
    title={"en": "WooCommerce", "de": "WooCommerce"},
    description={
        "en": "WordPress shop: react to new and changed orders and products, update orders "
        "and stock.",
        "de": "WordPress-Shop: auf neue und geänderte Bestellungen und Produkte reagieren, "
        "Bestellungen und Lagerbestand ändern.",
    },
    auth=AUTH,
    base_url=lambda credential: credential["store_url"].rstrip("/") + "/wp-json/wc/v3",
    authenticate=_authenticate,
    error_message=_error_message,
    test=lambda api: api.get("/orders", params={"per_page": 1}),
    docs_url="https://woocommerce.github.io/woocommerce-rest-api-docs/",
)


# Triggers


def signature(body: bytes, secret: str) -> str:
    """What WooCommerce sends in X-WC-Webhook-Signature for ``body``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_signature(request: InboundRequest, params: dict, credential: dict | None) -> None:
    credential = credential or {}
    secret = (credential.get("subscription") or {}).get("secret") or credential.get(
        "webhook_secret"
    )
    if not secret:
        raise SignatureError(
            "The WooCommerce trigger has no webhook secret: connect a WooCommerce store and "
            "switch the flow on, or enter the webhook secret in the account."
        )
    sent = request.header("X-WC-Webhook-Signature")
    if not sent:
        raise SignatureError("The request has no X-WC-Webhook-Signature header.")
    if not hmac.compare_digest(signature(request.body, secret).encode(), sent.strip().encode()):
        raise SignatureError(
            "The X-WC-Webhook-Signature does not match the body: the webhook's secret in "
            "WooCommerce differs from the one Shopwire has, or the body was changed."
        )


def _delivery_id(request: InboundRequest, params: dict) -> str | None:
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


def _sent_topic(request: InboundRequest) -> str | None:
    return request.header("X-WC-Webhook-Topic")


def _ping(request: InboundRequest) -> str | None:
    if _is_ping(request):
        return f"WooCommerce's test ping for webhook {request.payload['webhook_id']}."
    return None


def _subscribe(api, url: str, topic: str) -> dict[str, Any] | None:
    if api.credential.get("webhook_secret"):
        return None  # added in WooCommerce by the merchant
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


def _webhook_trigger(topic: str, title: dict[str, str], description: dict[str, str], fixture):
    resource = topic.split(".", 1)[0]
    woocommerce.event_trigger(
        topic.replace(".", "_"),
        event=topic,
        sent_event=_sent_topic,
        ping=_ping,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        verify=verify_signature,
        event_id=_delivery_id,
        title=title,
        description=description,
        output_schema=ORDER if resource == "order" else PRODUCT,
        output_example=example("woocommerce", fixture),
    )


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

_webhook_trigger(
    "order.created",
    {"en": "Order created", "de": "Bestellung eingegangen"},
    {
        "en": "Starts when an order is placed in the store. The order is the trigger's data: "
        "id, status, total (decimal string), billing, line_items.",
        "de": "Startet, wenn im Shop eine Bestellung eingeht. Die Bestellung sind die Daten des "
        "Auslösers: id, status, total (Dezimalzahl als Text), billing, line_items.",
    },
    "rest-v3.order.create.response",
)
_webhook_trigger(
    "order.updated",
    {"en": "Order updated", "de": "Bestellung geändert"},
    {
        "en": "Starts when an order changes, for example its status (processing → completed).",
        "de": "Startet, wenn sich eine Bestellung ändert, etwa ihr Status (processing → "
        "completed).",
    },
    "rest-v3.order.create.response",
)
_webhook_trigger(
    "product.updated",
    {"en": "Product updated", "de": "Produkt geändert"},
    {
        "en": "Starts when a product changes: price, stock_quantity, status.",
        "de": "Startet, wenn sich ein Produkt ändert: Preis, stock_quantity, Status.",
    },
    "rest-v3.product.retrieve.response",
)


# Actions

ID = {"type": "integer", "minimum": 1}
ORDER_ID = {**ID, "title": "Order id", "description": "The order's number in WooCommerce."}
STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]


def _order_params(**extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["order_id", *extra.pop("required", [])],
        "properties": {"order_id": ORDER_ID, **extra},
    }


@woocommerce.action(
    "get_order",
    title={"en": "Get order", "de": "Bestellung abrufen"},
    description={
        "en": "Looks up an order by id: status, total, customer, items. Example: order_id 727 "
        "→ status processing, total 29.35.",
        "de": "Ruft eine Bestellung anhand der Id ab: Status, Summe, Kundin, Artikel. "
        "Beispiel: order_id 727 → status processing, total 29.35.",
    },
    params=_order_params(),
    output_schema=ORDER,
    output_example=example("woocommerce", "rest-v3.order.create.response"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"/orders/{params['order_id']}")


@woocommerce.action(
    "update_order_status",
    title={"en": "Change order status", "de": "Bestellstatus ändern"},
    description={
        "en": "Sets an order's status; WooCommerce sends its usual e-mails for the new status. "
        "Example: order_id 727, status completed.",
        "de": "Setzt den Status einer Bestellung; WooCommerce verschickt die üblichen E-Mails "
        "zum neuen Status. Beispiel: order_id 727, status completed.",
    },
    params=_order_params(status={"enum": STATUSES, "title": "New status"}, required=["status"]),
    output_schema=ORDER,
    output_example=example("woocommerce", "rest-v3.order.create.response"),
)
def update_order_status(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.put(f"/orders/{params['order_id']}", json={"status": params["status"]})


@woocommerce.action(
    "add_order_note",
    title={"en": "Add order note", "de": "Bestellnotiz hinzufügen"},
    description={
        "en": "Adds a note to an order, private or (customer_note) sent to the customer by "
        'e-mail. Example: order_id 727, note "Shipped with DHL".',
        "de": "Fügt einer Bestellung eine Notiz hinzu, privat oder (customer_note) per E-Mail "
        'an die Kundin. Beispiel: order_id 727, note "Mit DHL versendet".',
    },
    params=_order_params(
        note={"type": "string", "minLength": 1, "title": "Note"},
        customer_note={
            "type": "boolean",
            "default": False,
            "title": "Send to the customer",
            "description": "Shown to the customer and e-mailed to them; otherwise private.",
        },
        required=["note"],
    ),
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "note": {"type": "string"},
            "customer_note": {"type": "boolean"},
            "date_created": {"type": "string"},
        },
    },
    output_example=example("woocommerce", "rest-v3.order-note.create.response"),
)
def add_order_note(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    note = {"note": params["note"], "customer_note": params.get("customer_note", False)}
    return ctx.api.post(f"/orders/{params['order_id']}/notes", json=note)


@woocommerce.action(
    "update_stock",
    title={"en": "Set stock", "de": "Lagerbestand setzen"},
    description={
        "en": "Sets a product's (or one variation's) stock quantity and turns on stock "
        "management for it. Example: product_id 794, stock_quantity 12.",
        "de": "Setzt den Lagerbestand eines Produkts (oder einer Variante) und schaltet die "
        "Lagerverwaltung dafür ein. Beispiel: product_id 794, stock_quantity 12.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["product_id", "stock_quantity"],
        "properties": {
            "product_id": {**ID, "title": "Product id"},
            "variation_id": {
                **ID,
                "title": "Variation id",
                "description": "Only for a variable product: the variation whose stock to set.",
            },
            "stock_quantity": {"type": "integer", "title": "Stock quantity"},
        },
    },
    output_schema=PRODUCT,
    output_example=example("woocommerce", "rest-v3.product.retrieve.response"),
)
def update_stock(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    path = f"/products/{params['product_id']}"
    if params.get("variation_id"):
        path += f"/variations/{params['variation_id']}"
    stock = {"manage_stock": True, "stock_quantity": params["stock_quantity"]}
    return ctx.api.put(path, json=stock)
