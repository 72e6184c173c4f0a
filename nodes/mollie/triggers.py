"""Mollie: the triggers of the connector declared in ``__init__``."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import (
    InboundRequest,
    NodeContext,
    Outcome,
    UserError,
    params_schema,
)
from nodes.kit.examples import example
from nodes.mollie import PAYMENT_ID, STATUSES, mollie


def _ignore(request: InboundRequest, params: dict) -> str | None:
    payment_id = request.payload.get("id") if isinstance(request.payload, dict) else None
    if isinstance(payment_id, str) and PAYMENT_ID.match(payment_id):
        return None
    return "Mollie sends a payment id (id=tr_…); this delivery has none."


@mollie.trigger(
    "payment_status_changed",
    params=params_schema(
        statuses={
            "type": "array",
            "title": "Start for these statuses",
            "items": {"enum": STATUSES},
            "minItems": 1,
            "uniqueItems": True,
            "default": ["paid"],
        }
    ),
    output_example=example("mollie", "api.payment_single.response"),
    webhook=True,
    fetches=True,
    fetched_event_id=lambda payment: f"{payment['id']}:{payment['status']}",
    ignore=_ignore,
    setup={
        "en": "Mollie has no API to register webhooks for payments: the address goes with each "
        "payment as its webhookUrl. Copy the address above and (1) enter it as the webhook URL "
        "of the 'Create a payment link' step, or (2) send it as webhookUrl when your own "
        "system creates payments with Mollie's API. Payments made through a shop plugin use "
        "the plugin's own webhook; start such flows with the shop's trigger instead.",
        "de": "Mollie hat keine Schnittstelle, um Webhooks für Zahlungen anzumelden: Die "
        "Adresse wird mit jeder Zahlung als webhookUrl übergeben. Kopieren Sie die Adresse "
        "oben und (1) tragen Sie sie als Webhook-URL im Schritt „Zahlungslink erstellen“ ein, "
        "oder (2) übergeben Sie sie als webhookUrl, wenn Ihr eigenes System Zahlungen über "
        "die Mollie-API anlegt. Zahlungen über ein Shop-Plugin nutzen dessen eigenen Webhook; "
        "starten Sie solche Abläufe mit dem Auslöser des Shops.",
    },
)
def payment_status_changed(ctx: NodeContext, params: dict[str, Any], delivery: Any) -> Any:
    payment_id = delivery.get("id") if isinstance(delivery, dict) else None
    if not isinstance(payment_id, str) or not PAYMENT_ID.match(payment_id):
        raise UserError("Mollie sends a payment id (id=tr_…); this delivery has none.")
    payment = ctx.api.get(f"/v2/payments/{payment_id}")
    if payment.get("status") not in params.get("statuses", ["paid"]):
        return Outcome(payment, ports=())
    return payment
