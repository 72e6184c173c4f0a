"""PayPal's ready-made triggers: named shortcuts for the event types merchants use most. Any
other event type is the ``paypal.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.paypal import EVENT, paypal

SHORTCUTS = (
    (
        "PAYMENT.CAPTURE.COMPLETED",
        "capture_completed",
        "webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator",
    ),
    (
        "PAYMENT.CAPTURE.REFUNDED",
        "capture_refunded",
        "webhook.PAYMENT.CAPTURE.REFUNDED",
    ),
)

for event, name, fixture in SHORTCUTS:
    paypal.event_trigger(
        name,
        event=event,
        output_schema={
            **EVENT,
            "properties": {**EVENT["properties"], "event_type": {"const": event}},
        },
        output_example=example("paypal", fixture),
    )
