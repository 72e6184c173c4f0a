"""Shopify: shop events as triggers, order, fulfilment, stock and price changes as actions.

Everything goes through the GraphQL Admin API (https://shopify.dev/docs/api/admin-graphql) at
one pinned version, authenticated with the app's Admin API access token. Failures come back in
200 replies: top-level ``errors`` (handled by :meth:`ApiClient.graphql`), ``THROTTLED`` with the
query-cost bucket in ``extensions.cost`` (:func:`throttle_wait`), and a mutation's
``userErrors`` (:func:`mutate`). Deliveries are signed with the app's API secret key
(``X-Shopify-Hmac-Sha256``) and carry their topic and a delivery id in headers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from nodes.kit.base import (
    Connector,
    InboundRequest,
    NodeContext,
    ProviderError,
    SignatureError,
    UserError,
)
from nodes.kit.client import HINTS
from nodes.kit.examples import example

# Pinned: 2026-01 is the version the example payloads come from and the first to accept the
# @idempotent directive on inventoryAdjustQuantities.
API_VERSION = "2026-01"
SHOP_DOMAIN = r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$"

AUTH = {
    "type": "object",
    "title": "Shopify shop",
    "required": ["shop", "access_token"],
    "properties": {
        "shop": {
            "type": "string",
            "title": "Shop domain",
            "description": "The shop's address at Shopify, e.g. acme.myshopify.com (not your "
            "own domain).",
            "pattern": SHOP_DOMAIN,
        },
        "access_token": {
            "type": "string",
            "title": "Admin API access token",
            "description": "Settings → Apps → Develop apps → your app → API credentials: the "
            "token starting with shpat_. The app needs the scopes read_orders, write_orders, "
            "write_merchant_managed_fulfillment_orders, write_inventory, write_products and "
            "read_customers for the steps you use.",
            "minLength": 1,
            "writeOnly": True,
        },
        "api_secret": {
            "type": "string",
            "title": "API secret key",
            "description": "Same page, the app's API secret key. Shopify signs the events it "
            "sends with it; only needed for Shopify triggers.",
            "minLength": 1,
            "writeOnly": True,
        },
    },
}


def _error_message(body: Any) -> str | None:
    """Shopify's errors: a string (bad token, unknown shop) or GraphQL's list of errors."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return f"Shopify says: {errors}"
    if isinstance(errors, list) and errors:
        messages = [
            error.get("message", "") if isinstance(error, dict) else str(error) for error in errors
        ]
        return "Shopify says: " + "; ".join(messages)
    return None


def throttle_wait(response, body: Any) -> float | None:
    """Seconds until the query-cost bucket holds this query's cost again, when THROTTLED.

    Shopify refills ``restoreRate`` points a second; the reply says how many points the
    query needs (``requestedQueryCost``) and how many are left (``currentlyAvailable``).
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    ):
        return None
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.0, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0  # a throttled reply without its numbers: wait a second


shopify = Connector(
    "shopify",
    title={"en": "Shopify", "de": "Shopify"},
    description={
        "en": "Online shop: react to orders, refunds, products and customers; tag orders, "
        "fulfil them, change stock and prices.",
        "de": "Onlineshop: auf Bestellungen, Erstattungen, Produkte und Kundinnen reagieren; "
        "Bestellungen markieren und versenden, Bestand und Preise ändern.",
    },
    auth=AUTH,
    base_url=lambda credential: (
        f"https://{credential['shop']}/admin/api/{API_VERSION}/graphql.json"
    ),
    authenticate=lambda api, credential: {"X-Shopify-Access-Token": credential["access_token"]},
    error_message=_error_message,
    throttled=throttle_wait,
    test=lambda api: api.graphql("query Shop { shop { name } }"),
    docs_url="https://shopify.dev/docs/api/admin-graphql",
)


def gid(kind: str, value: Any, field: str) -> str:
    """A Shopify global id from the number the merchant sees or the gid itself.

    ``820982911946154508`` and ``"gid://shopify/Order/820982911946154508"`` both work; an id
    of another kind (a product's for an order) is refused naming the field.
    """
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return f"gid://shopify/{kind}/{text}"
    if re.fullmatch(rf"gid://shopify/{kind}/\d+", text):
        return text
    raise UserError(
        f'The field "{field}" got {text!r}, which is not a Shopify {kind} id: give its number '
        f"(e.g. 820982911946154508) or gid://shopify/{kind}/….",
        field=field,
    )


def mutate(api, name: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run a mutation; its payload, or a ProviderError with Shopify's ``userErrors``."""
    payload = api.graphql(document, variables)[name] or {}
    problems = payload.get("userErrors") or []
    if problems:
        raise ProviderError(
            "Shopify refused the change: " + "; ".join(map(_user_error, problems)),
            hint=HINTS[422],
        )
    return payload


def _user_error(problem: dict[str, Any]) -> str:
    """``{"field": ["input", "note"], "message": "…"}`` as "… (field input.note)"."""
    field = ".".join(map(str, problem.get("field") or []))
    return problem["message"] + (f" (field {field})" if field else "")


def _missing(kind: str, global_id: str) -> ProviderError:
    return ProviderError(f"Shopify has no {kind} {global_id}.", hint=HINTS[404])


# Triggers


def verify_signature(request: InboundRequest, params: dict, credential: dict | None) -> None:
    """base64(HMAC-SHA256(API secret key, raw body)) in X-Shopify-Hmac-Sha256."""
    secret = (credential or {}).get("api_secret")
    if not secret:
        raise SignatureError(
            "The Shopify trigger cannot check this event: the Shopify account has no API "
            "secret key. Enter it in the account."
        )
    signature = request.header("X-Shopify-Hmac-Sha256")
    if not signature:
        raise SignatureError("The request has no X-Shopify-Hmac-Sha256 header.")
    expected = base64.b64encode(hmac.new(secret.encode(), request.body, hashlib.sha256).digest())
    if not hmac.compare_digest(expected, signature.strip().encode()):
        raise SignatureError(
            "The X-Shopify-Hmac-Sha256 signature does not match the body: the event was changed "
            "on the way, or the account's API secret key belongs to another app."
        )


def _delivery_id(request: InboundRequest, params: dict) -> str | None:
    """Shopify resends a failed delivery with the same X-Shopify-Webhook-Id."""
    return request.header("X-Shopify-Webhook-Id")


SUBSCRIBE = """
mutation Subscribe(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}"""
UNSUBSCRIBE = """
mutation Unsubscribe($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}"""

ORDER_FIELDS = {
    "id": {"type": "integer", "description": "The order's number in Shopify's admin URL."},
    "admin_graphql_api_id": {"type": "string"},
    "name": {"type": "string", "description": "The order number customers see, e.g. #1001."},
    "email": {"type": ["string", "null"]},
    "tags": {"type": "string", "description": 'Comma-separated, e.g. "vip, refund".'},
    "total_price": {"type": "string", "description": "Decimal text in the shop's currency."},
    "currency": {"type": "string"},
    "financial_status": {"type": ["string", "null"]},
    "fulfillment_status": {"type": ["string", "null"]},
    "line_items": {"type": "array"},
    "customer": {"type": ["object", "null"]},
}


def _sent_topic(request: InboundRequest) -> str | None:
    return request.header("X-Shopify-Topic")


def _subscribe(api, url: str, topic: str) -> dict[str, Any]:
    if not api.credential.get("api_secret"):
        raise UserError(
            "The Shopify account has no API secret key, so the events Shopify sends could "
            "not be checked: enter it in the account, then switch the flow on.",
            field="credential",
        )
    created = mutate(
        api,
        "webhookSubscriptionCreate",
        SUBSCRIBE,
        {
            "topic": topic.upper().replace("/", "_"),
            "webhookSubscription": {"uri": url, "format": "JSON"},
        },
    )
    return {"id": created["webhookSubscription"]["id"]}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    mutate(api, "webhookSubscriptionDelete", UNSUBSCRIBE, {"id": subscription["id"]})


def _topic_trigger(topic: str, name: str, title: dict, description: dict, fields: dict, fixture):
    shopify.event_trigger(
        name,
        event=topic,
        sent_event=_sent_topic,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        verify=verify_signature,
        event_id=_delivery_id,
        title=title,
        description=description,
        output_schema={
            "type": "object",
            "required": ["id", "admin_graphql_api_id"],
            "properties": fields,
        },
        output_example=example("shopify", fixture),
    )


_topic_trigger(
    "orders/create",
    "order_created",
    {"en": "Order created", "de": "Bestellung eingegangen"},
    {
        "en": "Starts when a customer places an order (paid or not yet). Example: id "
        '820982911946154508, name #9999, tags "vip".',
        "de": "Startet, wenn eine Kundin bestellt (bezahlt oder noch nicht). Beispiel: id "
        '820982911946154508, name #9999, tags "vip".',
    },
    ORDER_FIELDS,
    "webhook.orders_create",
)
_topic_trigger(
    "orders/paid",
    "order_paid",
    {"en": "Order paid", "de": "Bestellung bezahlt"},
    {
        "en": "Starts when an order is fully paid. The order's fields (id, name, email, tags, "
        "total_price) are in the trigger data.",
        "de": "Startet, wenn eine Bestellung vollständig bezahlt ist. Die Felder der Bestellung "
        "(id, name, email, tags, total_price) stehen in den Trigger-Daten.",
    },
    ORDER_FIELDS,
    "webhook.orders_paid",
)
_topic_trigger(
    "orders/fulfilled",
    "order_fulfilled",
    {"en": "Order fulfilled", "de": "Bestellung versendet"},
    {
        "en": "Starts when every item of an order has been fulfilled (shipped).",
        "de": "Startet, wenn alle Artikel einer Bestellung versendet wurden.",
    },
    ORDER_FIELDS,
    "webhook.orders_paid",  # Shopify sends the same Order body for every orders/* topic
)
_topic_trigger(
    "refunds/create",
    "refund_created",
    {"en": "Refund created", "de": "Erstattung erstellt"},
    {
        "en": "Starts when an order is refunded, fully or in part. order_id says which order; "
        "transactions hold the amounts (decimal text).",
        "de": "Startet, wenn eine Bestellung ganz oder teilweise erstattet wird. order_id nennt "
        "die Bestellung; transactions enthält die Beträge (Dezimaltext).",
    },
    {
        "id": {"type": "integer"},
        "order_id": {"type": "integer"},
        "admin_graphql_api_id": {"type": "string"},
        "note": {"type": ["string", "null"]},
        "refund_line_items": {"type": "array"},
        "transactions": {"type": "array"},
    },
    "webhook.refunds_create",
)
_topic_trigger(
    "products/update",
    "product_updated",
    {"en": "Product updated", "de": "Produkt geändert"},
    {
        "en": "Starts when a product or one of its variants changes (title, price, stock). "
        'Example: title "Example T-Shirt", variants[0].price "19.99".',
        "de": "Startet, wenn sich ein Produkt oder eine Variante ändert (Titel, Preis, "
        'Bestand). Beispiel: title "Example T-Shirt", variants[0].price "19.99".',
    },
    {
        "id": {"type": "integer"},
        "admin_graphql_api_id": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "string"},
        "tags": {"type": "string"},
        "variants": {"type": "array"},
    },
    "webhook.products_update",
)
_topic_trigger(
    "customers/create",
    "customer_created",
    {"en": "Customer created", "de": "Kundin angelegt"},
    {
        "en": "Starts when a customer account is created (at checkout or by hand).",
        "de": "Startet, wenn ein Kundenkonto angelegt wird (beim Bestellen oder von Hand).",
    },
    {
        "id": {"type": "integer"},
        "admin_graphql_api_id": {"type": "string"},
        "email": {"type": ["string", "null"]},
        "first_name": {"type": ["string", "null"]},
        "last_name": {"type": ["string", "null"]},
        "default_address": {"type": ["object", "null"]},
    },
    "webhook.customers_create",
)


# Actions

SHOPIFY_ID = {"type": ["string", "integer"], "minLength": 1, "minimum": 1}


def _id_param(kind: str, title: str) -> dict[str, Any]:
    return {
        **SHOPIFY_ID,
        "title": title,
        "description": f"The number (e.g. from the trigger's id) or gid://shopify/{kind}/….",
    }


def _params(required: list[str], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


GET_ORDER = """
query GetOrder($id: ID!) {
  order(id: $id) {
    id legacyResourceId name email createdAt note tags
    displayFinancialStatus displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    customer { id email firstName lastName }
    lineItems(first: 100) { nodes { id title sku quantity variant { id } } }
  }
}"""


@shopify.action(
    "get_order",
    title={"en": "Get order", "de": "Bestellung abrufen"},
    description={
        "en": "Looks up an order by its id: number, e-mail, tags, status, total and items. "
        "Example: order 820982911946154508 → name #9999, totalPriceSet.shopMoney.amount "
        '"404.95".',
        "de": "Ruft eine Bestellung anhand ihrer Id ab: Nummer, E-Mail, Tags, Status, Summe und "
        "Artikel. Beispiel: Bestellung 820982911946154508 → name #9999, "
        'totalPriceSet.shopMoney.amount "404.95".',
    },
    params=_params(["order_id"], order_id=_id_param("Order", "Order")),
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "legacyResourceId": {"type": "string"},
            "name": {"type": "string"},
            "email": {"type": ["string", "null"]},
            "note": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "displayFinancialStatus": {"type": ["string", "null"]},
            "displayFulfillmentStatus": {"type": "string"},
            "totalPriceSet": {"type": "object"},
            "customer": {"type": ["object", "null"]},
            "lineItems": {"type": "array"},
        },
    },
    output_example=example("shopify", "graphql.order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order_id = gid("Order", params["order_id"], "order_id")
    order = ctx.api.graphql(GET_ORDER, {"id": order_id})["order"]
    if order is None:
        raise _missing("order", order_id)
    return {**order, "lineItems": order["lineItems"]["nodes"]}


TAGS_ADD = """
mutation AddTags($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id ... on Order { note tags } }
    userErrors { field message }
  }
}"""
ORDER_NOTE = """
mutation SetNote($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note tags }
    userErrors { field message }
  }
}"""


@shopify.action(
    "tag_order",
    title={"en": "Add tags and a note to an order", "de": "Bestellung markieren und notieren"},
    description={
        "en": "Adds tags to an order (existing tags stay) and, if given, sets its note (it "
        'replaces the current note). Example: tags ["refund"], note "Customer called".',
        "de": "Fügt einer Bestellung Tags hinzu (vorhandene bleiben) und setzt, falls angegeben, "
        'ihre Notiz (sie ersetzt die bisherige). Beispiel: tags ["refund"], note '
        '"Kundin hat angerufen".',
    },
    params=_params(
        ["order_id"],
        order_id=_id_param("Order", "Order"),
        tags={
            "type": "array",
            "title": "Tags",
            "items": {"type": "string", "minLength": 1, "maxLength": 255},
            "maxItems": 250,
        },
        note={"type": "string", "title": "Note", "maxLength": 5000},
    ),
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "note": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    },
    output_example=example("shopify", "graphql.order_update"),
)
def tag_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order_id = gid("Order", params["order_id"], "order_id")
    if not params.get("tags") and "note" not in params:
        raise UserError("Give tags, a note, or both.", field="tags")
    order = None
    if params.get("tags"):
        tagged = mutate(ctx.api, "tagsAdd", TAGS_ADD, {"id": order_id, "tags": params["tags"]})
        order = tagged["node"]
    if "note" in params:
        noted = mutate(
            ctx.api, "orderUpdate", ORDER_NOTE, {"input": {"id": order_id, "note": params["note"]}}
        )
        order = noted["order"]
    return order


FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 50) { nodes { id status supportedActions { action } } }
  }
}"""
FULFILLMENT_CREATE = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 10) { number company url } }
    userErrors { field message }
  }
}"""


@shopify.action(
    "create_fulfillment",
    title={"en": "Fulfil an order", "de": "Bestellung versenden"},
    description={
        "en": "Marks everything still open in an order as shipped, with the tracking number "
        "and carrier. Example: tracking 1Z001985YW99744790, carrier UPS.",
        "de": "Markiert alles noch Offene einer Bestellung als versendet, mit Sendungsnummer "
        "und Versanddienst. Beispiel: Sendungsnummer 1Z001985YW99744790, Versanddienst UPS.",
    },
    params=_params(
        ["order_id", "tracking_number"],
        order_id=_id_param("Order", "Order"),
        tracking_number={"type": "string", "minLength": 1, "title": "Tracking number"},
        carrier={
            "type": "string",
            "title": "Carrier",
            "description": "As Shopify names it (UPS, DHL Express, DPD, Hermes, …): Shopify "
            "then builds the tracking link.",
        },
        tracking_url={"type": "string", "format": "uri", "title": "Tracking link"},
        notify_customer={
            "type": "boolean",
            "title": "Send the shipping e-mail",
            "default": False,
        },
    ),
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string"},
            "trackingInfo": {"type": "array"},
        },
    },
    output_example=example("shopify", "graphql.fulfillment"),
)
def create_fulfillment(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order_id = gid("Order", params["order_id"], "order_id")
    order = ctx.api.graphql(FULFILLMENT_ORDERS, {"id": order_id})["order"]
    if order is None:
        raise _missing("order", order_id)
    open_orders = [
        fulfillment_order["id"]
        for fulfillment_order in order["fulfillmentOrders"]["nodes"]
        if {"action": "CREATE_FULFILLMENT"} in fulfillment_order["supportedActions"]
    ]
    if not open_orders:
        raise ProviderError(
            f"Order {order_id} has nothing left to fulfil: it is fulfilled, cancelled or on hold.",
            hint="Check the order in Shopify; a fulfilment on hold must be released first.",
        )
    tracking = {"number": params["tracking_number"]}
    if params.get("carrier"):
        tracking["company"] = params["carrier"]
    if params.get("tracking_url"):
        tracking["url"] = params["tracking_url"]
    payload = mutate(
        ctx.api,
        "fulfillmentCreate",
        FULFILLMENT_CREATE,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": i} for i in open_orders],
                "trackingInfo": tracking,
                "notifyCustomer": params.get("notify_customer", False),
            }
        },
    )
    return payload["fulfillment"]


INVENTORY_ADJUST = """
mutation AdjustStock($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { createdAt reason changes { name delta quantityAfterChange } }
    userErrors { field message }
  }
}"""
INVENTORY_REASONS = [
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "other",
    "promotion",
    "quality_control",
    "received",
    "restock",
    "safety_stock",
    "shrinkage",
]


@shopify.action(
    "adjust_inventory",
    title={"en": "Adjust stock", "de": "Bestand anpassen"},
    description={
        "en": "Changes an item's stock at one location by a number of pieces: +5 adds, -2 "
        "removes. Sent once even when the step is retried.",
        "de": "Ändert den Bestand eines Artikels an einem Lagerort um eine Stückzahl: +5 fügt "
        "hinzu, -2 zieht ab. Wird auch bei Wiederholungen nur einmal gebucht.",
    },
    params=_params(
        ["inventory_item_id", "location_id", "delta"],
        inventory_item_id=_id_param("InventoryItem", "Inventory item"),
        location_id=_id_param("Location", "Location"),
        delta={"type": "integer", "not": {"const": 0}, "title": "Change in pieces"},
        quantity={
            "enum": ["available", "on_hand"],
            "default": "available",
            "title": "Which quantity",
        },
        reason={"enum": INVENTORY_REASONS, "default": "correction", "title": "Reason"},
    ),
    output_schema={
        "type": "object",
        "properties": {
            "createdAt": {"type": "string"},
            "reason": {"type": "string"},
            "changes": {"type": "array"},
        },
    },
    output_example=example("shopify", "graphql.inventory_adjustment"),
)
def adjust_inventory(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    change = {
        "delta": params["delta"],
        "inventoryItemId": gid("InventoryItem", params["inventory_item_id"], "inventory_item_id"),
        "locationId": gid("Location", params["location_id"], "location_id"),
    }
    payload = mutate(
        ctx.api,
        "inventoryAdjustQuantities",
        INVENTORY_ADJUST,
        {
            "input": {
                "name": params.get("quantity", "available"),
                "reason": params.get("reason", "correction"),
                "changes": [change],
            },
            # The step's key: a retried step is booked once (Shopify keeps the first result).
            "idempotencyKey": ctx.api.idempotency_key,
        },
    )
    return payload["inventoryAdjustmentGroup"]


VARIANT_PRODUCT = """
query VariantProduct($id: ID!) {
  productVariant(id: $id) { id product { id } }
}"""
VARIANT_PRICE = """
mutation SetPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message }
  }
}"""
PRICE = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}


@shopify.action(
    "update_variant_price",
    title={"en": "Change a variant's price", "de": "Preis einer Variante ändern"},
    description={
        "en": "Sets the price of one product variant, as decimal text in the shop's currency. "
        'Example: price "17.99", compare-at price "24.99" (shown struck through).',
        "de": "Setzt den Preis einer Produktvariante, als Dezimaltext in der Shop-Währung. "
        'Beispiel: price "17.99", Vergleichspreis "24.99" (durchgestrichen angezeigt).',
    },
    params=_params(
        ["variant_id", "price"],
        variant_id=_id_param("ProductVariant", "Variant"),
        price={**PRICE, "title": "Price (decimal text)"},
        compare_at_price={**PRICE, "title": "Compare-at price (decimal text)"},
    ),
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "price": {"type": "string"},
            "compareAtPrice": {"type": ["string", "null"]},
        },
    },
    output_example=example("shopify", "graphql.variant"),
)
def update_variant_price(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    variant_id = gid("ProductVariant", params["variant_id"], "variant_id")
    variant = ctx.api.graphql(VARIANT_PRODUCT, {"id": variant_id})["productVariant"]
    if variant is None:
        raise _missing("product variant", variant_id)
    change = {"id": variant_id, "price": params["price"]}
    if "compare_at_price" in params:
        change["compareAtPrice"] = params["compare_at_price"]
    payload = mutate(
        ctx.api,
        "productVariantsBulkUpdate",
        VARIANT_PRICE,
        {"productId": variant["product"]["id"], "variants": [change]},
    )
    return payload["productVariants"][0]
