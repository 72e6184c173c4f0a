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
        {"en": "Order created", "de": "Bestellung eingegangen"},
        {
            "en": "Starts when a customer places an order (paid or not yet). Example: id "
            '820982911946154508, name #9999, tags "vip".',
            "de": "Startet, wenn eine Kundin bestellt (bezahlt oder noch nicht). Beispiel: id "
            '820982911946154508, name #9999, tags "vip".',
        },
        "webhook.orders_create",
    ),
    (
        "orders/paid",
        "order_paid",
        {"en": "Order paid", "de": "Bestellung bezahlt"},
        {
            "en": "Starts when an order is fully paid. The order's fields (id, name, email, "
            "tags, total_price) are in the trigger data.",
            "de": "Startet, wenn eine Bestellung vollständig bezahlt ist. Die Felder der "
            "Bestellung (id, name, email, tags, total_price) stehen in den Trigger-Daten.",
        },
        "webhook.orders_paid",
    ),
    (
        "orders/updated",
        "order_updated",
        {"en": "Order updated", "de": "Bestellung geändert"},
        {
            "en": "Starts whenever an order changes: its tags, note, address, payment or "
            "fulfilment status. The whole order is in the trigger data.",
            "de": "Startet, wenn sich eine Bestellung ändert: Tags, Notiz, Adresse, Zahlungs- "
            "oder Versandstatus. Die ganze Bestellung steht in den Trigger-Daten.",
        },
        "webhook.orders_paid",  # Shopify sends the same Order body for every orders/* topic
    ),
    (
        "orders/fulfilled",
        "order_fulfilled",
        {"en": "Order fulfilled", "de": "Bestellung versendet"},
        {
            "en": "Starts when every item of an order has been fulfilled (shipped).",
            "de": "Startet, wenn alle Artikel einer Bestellung versendet wurden.",
        },
        "webhook.orders_paid",
    ),
    (
        "refunds/create",
        "refund_created",
        {"en": "Refund created", "de": "Erstattung erstellt"},
        {
            "en": "Starts when an order is refunded, fully or in part. order_id says which "
            "order; transactions hold the amounts (decimal text).",
            "de": "Startet, wenn eine Bestellung ganz oder teilweise erstattet wird. order_id "
            "nennt die Bestellung; transactions enthält die Beträge (Dezimaltext).",
        },
        "webhook.refunds_create",
    ),
    (
        "products/update",
        "product_updated",
        {"en": "Product updated", "de": "Produkt geändert"},
        {
            "en": "Starts when a product or one of its variants changes (title, price, "
            'stock). Example: title "Example T-Shirt", variants[0].price "19.99".',
            "de": "Startet, wenn sich ein Produkt oder eine Variante ändert (Titel, Preis, "
            'Bestand). Beispiel: title "Example T-Shirt", variants[0].price "19.99".',
        },
        "webhook.products_update",
    ),
    (
        "customers/create",
        "customer_created",
        {"en": "Customer created", "de": "Kundin angelegt"},
        {
            "en": "Starts when a customer account is created (at checkout or by hand).",
            "de": "Startet, wenn ein Kundenkonto angelegt wird (beim Bestellen oder von Hand).",
        },
        "webhook.customers_create",
    ),
    (
        "carts/update",
        "cart_updated",
        {"en": "Cart updated", "de": "Warenkorb geändert"},
        {
            "en": "Starts when a customer changes a cart in the online store (adds, removes "
            "or changes items). token identifies the cart; line_items hold its items.",
            "de": "Startet, wenn eine Kundin einen Warenkorb im Onlineshop ändert (Artikel "
            "hinzufügt, entfernt oder ändert). token nennt den Warenkorb; line_items enthält "
            "die Artikel.",
        },
        "webhook.carts_update",
    ),
)

for topic, name, title, description, fixture in SHORTCUTS:
    payload = example("shopify", fixture)
    shopify.event_trigger(
        name,
        event=topic,
        title=title,
        description=description,
        output_schema=ORDER if topic.startswith("orders/") else schema_of(payload),
        output_example=payload,
    )
