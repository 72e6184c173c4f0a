"""Stripe's ready-made triggers: named shortcuts for the event types merchants use most.
Any other event type is the ``stripe.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.stripe import EVENT, stripe

SHORTCUTS = (
    (
        "payment_intent.succeeded",
        "payment_succeeded",
    ),
    (
        "checkout.session.completed",
        "checkout_completed",
    ),
    (
        "charge.refunded",
        "charge_refunded",
    ),
    (
        "invoice.paid",
        "invoice_paid",
    ),
)

for event, name in SHORTCUTS:
    stripe.event_trigger(
        name,
        event=event,
        output_schema={**EVENT, "properties": {**EVENT["properties"], "type": {"const": event}}},
        output_example=example("stripe", f"event.{event}"),
    )
