"""Shopify's ready-made triggers: named shortcuts for the topics merchants use most. Any
other topic is the ``shopify.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example, schema_of
from nodes.shopify import RECORD, shopify

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


ORDER = {**RECORD, "properties": ORDER_FIELDS}

SHORTCUTS = (
    (
        "orders/create",
        "order_created",
        "webhook.orders_create",
    ),
    (
        "orders/paid",
        "order_paid",
        "webhook.orders_paid",
    ),
    (
        "orders/updated",
        "order_updated",
        "webhook.orders_paid",  # Shopify sends the same Order body for every orders/* topic
    ),
    (
        "orders/fulfilled",
        "order_fulfilled",
        "webhook.orders_paid",
    ),
    (
        "refunds/create",
        "refund_created",
        "webhook.refunds_create",
    ),
    (
        "products/update",
        "product_updated",
        "webhook.products_update",
    ),
    (
        "customers/create",
        "customer_created",
        "webhook.customers_create",
    ),
    (
        "carts/update",
        "cart_updated",
        "webhook.carts_update",
    ),
)

for topic, name, fixture in SHORTCUTS:
    payload = example("shopify", fixture)
    shopify.event_trigger(
        name,
        event=topic,
        output_schema=ORDER if topic.startswith("orders/") else schema_of(payload),
        output_example=payload,
    )
