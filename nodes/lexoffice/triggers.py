"""lexoffice's ready-made triggers; any other event type is lexoffice.event.

A delivery names the record only (``resourceId``): map it into an action that reads it."""

from __future__ import annotations

from nodes.kit.examples import example
from nodes.lexoffice import EVENT, lexoffice

for event, name in (
    ("invoice.status.changed", "invoice_status_changed"),
    ("payment.changed", "payment_changed"),
    ("contact.changed", "contact_changed"),
):
    lexoffice.event_trigger(
        name,
        event=event,
        output_schema=EVENT,
        output_example=example("lexoffice", f"webhook.{event}"),
    )
