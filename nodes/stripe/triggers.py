"""Stripe's ready-made triggers: named shortcuts for the event types merchants use most.
Any other event type is the ``stripe.event`` trigger."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.stripe import EVENT, stripe

SHORTCUTS = (
    (
        "payment_intent.succeeded",
        "payment_succeeded",
        {"en": "Payment succeeded", "de": "Zahlung erfolgreich"},
        {
            "en": "Starts when a customer's payment went through. The payment is in data.object.",
            "de": "Startet, wenn die Zahlung einer Kundin durchgegangen ist. Die Zahlung steht "
            "in data.object.",
        },
    ),
    (
        "checkout.session.completed",
        "checkout_completed",
        {"en": "Checkout completed", "de": "Checkout abgeschlossen"},
        {
            "en": "Starts when a customer finished a Stripe Checkout or payment link.",
            "de": "Startet, wenn eine Kundin einen Stripe-Checkout oder Zahlungslink abschließt.",
        },
    ),
    (
        "charge.refunded",
        "charge_refunded",
        {"en": "Charge refunded", "de": "Zahlung erstattet"},
        {
            "en": "Starts when a payment was refunded, fully or in part (amount_refunded).",
            "de": "Startet, wenn eine Zahlung ganz oder teilweise erstattet wurde "
            "(amount_refunded).",
        },
    ),
    (
        "invoice.paid",
        "invoice_paid",
        {"en": "Invoice paid", "de": "Rechnung bezahlt"},
        {
            "en": "Starts when a Stripe invoice (for example a subscription's) was paid.",
            "de": "Startet, wenn eine Stripe-Rechnung (etwa eines Abonnements) bezahlt wurde.",
        },
    ),
)

for event, name, title, description in SHORTCUTS:
    stripe.event_trigger(
        name,
        event=event,
        title=title,
        description=description,
        output_schema={**EVENT, "properties": {**EVENT["properties"], "type": {"const": event}}},
        output_example=example("stripe", f"event.{event}"),
    )
