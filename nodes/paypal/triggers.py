"""PayPal's ready-made triggers: named shortcuts for the event types merchants use most. Any
other event type is the ``paypal.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.paypal import EVENT, paypal

SHORTCUTS = (
    (
        "PAYMENT.CAPTURE.COMPLETED",
        "capture_completed",
        {"en": "Payment captured", "de": "Zahlung eingegangen"},
        {
            "en": "Starts when PayPal captured a customer's payment. The capture is in resource "
            "(id, amount.value as a decimal string, supplementary_data.related_ids.order_id).",
            "de": "Startet, wenn PayPal die Zahlung einer Kundin eingezogen hat. Die Zahlung steht "
            "in resource (id, amount.value als Dezimalzahl-Text, "
            "supplementary_data.related_ids.order_id).",
        },
        "webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator",
    ),
    (
        "PAYMENT.CAPTURE.REFUNDED",
        "capture_refunded",
        {"en": "Payment refunded", "de": "Zahlung erstattet"},
        {
            "en": "Starts when a captured PayPal payment was refunded, fully or in part. The "
            "refund is in resource (id, amount.value as a decimal string).",
            "de": "Startet, wenn eine PayPal-Zahlung ganz oder teilweise erstattet wurde. Die "
            "Erstattung steht in resource (id, amount.value als Dezimalzahl-Text).",
        },
        "webhook.PAYMENT.CAPTURE.REFUNDED",
    ),
)

for event, name, title, description, fixture in SHORTCUTS:
    paypal.event_trigger(
        name,
        event=event,
        title=title,
        description=description,
        output_schema={
            **EVENT,
            "properties": {**EVENT["properties"], "event_type": {"const": event}},
        },
        output_example=example("paypal", fixture),
    )
