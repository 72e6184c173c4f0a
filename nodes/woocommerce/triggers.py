"""WooCommerce's ready-made triggers: named shortcuts for the topics merchants use most. Any
other topic is the ``woocommerce.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.woocommerce import ORDER, PRODUCT, woocommerce

SHORTCUTS = (
    (
        "order.created",
        {"en": "Order created", "de": "Bestellung eingegangen"},
        {
            "en": "Starts when an order is placed in the store. The order is the trigger's data: "
            "id, status, total (decimal string), billing, line_items.",
            "de": "Startet, wenn im Shop eine Bestellung eingeht. Die Bestellung sind die Daten "
            "des Auslösers: id, status, total (Dezimalzahl als Text), billing, line_items.",
        },
        "rest-v3.order.create.response",
    ),
    (
        "order.updated",
        {"en": "Order updated", "de": "Bestellung geändert"},
        {
            "en": "Starts when an order changes, for example its status (processing → completed).",
            "de": "Startet, wenn sich eine Bestellung ändert, etwa ihr Status (processing → "
            "completed).",
        },
        "rest-v3.order.create.response",
    ),
    (
        "product.updated",
        {"en": "Product updated", "de": "Produkt geändert"},
        {
            "en": "Starts when a product changes: price, stock_quantity, status.",
            "de": "Startet, wenn sich ein Produkt ändert: Preis, stock_quantity, Status.",
        },
        "rest-v3.product.retrieve.response",
    ),
)

for topic, title, description, fixture in SHORTCUTS:
    woocommerce.event_trigger(
        topic.replace(".", "_"),
        event=topic,
        title=title,
        description=description,
        output_schema=ORDER if topic.startswith("order.") else PRODUCT,
        output_example=example("woocommerce", fixture),
    )
