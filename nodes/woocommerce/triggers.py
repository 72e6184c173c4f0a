"""WooCommerce's ready-made triggers: named shortcuts for the topics merchants use most. Any
other topic is the ``woocommerce.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.woocommerce import ORDER, PRODUCT, woocommerce

SHORTCUTS = (
    (
        "order.created",
        "rest-v3.order.create.response",
    ),
    (
        "order.updated",
        "rest-v3.order.create.response",
    ),
    (
        "product.updated",
        "rest-v3.product.retrieve.response",
    ),
)

for topic, fixture in SHORTCUTS:
    woocommerce.event_trigger(
        topic.replace(".", "_"),
        event=topic,
        output_schema=ORDER if topic.startswith("order.") else PRODUCT,
        output_example=example("woocommerce", fixture),
    )
