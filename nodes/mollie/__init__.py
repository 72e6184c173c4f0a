"""Mollie: payment status changes as a trigger, payment links and refunds as actions.

API reference: https://docs.mollie.com/reference. Requests carry the API key as a Bearer token
and POSTs an Idempotency-Key; amounts are ``{"currency", "value"}`` with the value a decimal
string; errors are ``{"status", "title", "detail", "field"}`` (application/hal+json).

Mollie's webhook carries nothing but ``id=tr_…`` (a form body, unsigned) and there is no API to
register it: the URL is given with each payment (``webhookUrl``). So the trigger trusts nothing
in the delivery: the worker fetches the payment from Mollie with the merchant's key as the
execution's first step (``fetches``), and the flow goes on only for the chosen statuses. A
forged id fetches nothing (the execution fails with Mollie's "not found") or a real payment of
this merchant in its real state, so it can start nothing that a real status change would not.

No deduplication at ingress: Mollie calls once per status change with the same body, so the
only id in a delivery repeats legitimately, and the status is unknown until fetched. After the
fetch, "<payment id>:<status>" is the event (``fetched_event_id``): the flow runs once per
payment and status, so Mollie's later calls about a paid payment (a refund or chargeback
leaves its status "paid") and two calls fetched late in the same state end quietly.
"""

from __future__ import annotations

import re
from typing import Any

from nodes.kit.auth import Bearer
from nodes.kit.base import (
    Connector,
    InboundRequest,
    NodeContext,
    Outcome,
    UserError,
    account_schema,
    params_schema,
)
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example

PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]+$")
STATUSES = ["open", "pending", "authorized", "paid", "canceled", "expired", "failed"]

AUTH = account_schema(
    "Mollie account",
    ["api_key"],
    api_key={
        "type": "string",
        "title": "API key",
        "description": "Mollie Dashboard → Developers → API keys. A key starting with test_ "
        "works with test payments, live_ with real ones.",
        "pattern": "^(test|live)_[A-Za-z0-9]+$",
        "writeOnly": True,
    },
)


mollie = Connector(
    "mollie",
    auth=AUTH,
    base_url=lambda credential: "https://api.mollie.com",
    auth_type=Bearer("api_key"),
    errors=ErrorBody("detail", field="field"),
    idempotency_header="Idempotency-Key",
    test=lambda api: api.get("/v2/methods"),
)

AMOUNT = {
    "type": "object",
    "properties": {"currency": {"type": "string"}, "value": {"type": "string"}},
}
MONEY_VALUE = {
    "type": "string",
    "pattern": r"^[0-9]+(\.[0-9]{2})?$",
    "title": "Amount (decimal string with 2 decimals, e.g. 10.00)",
}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "title": "Currency (e.g. EUR)"}


# Trigger


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


# Actions


def _with_amount(params: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """Mollie's body: the amount as ``{currency, value}`` and the given params under
    Mollie's names (``names``: param → field)."""
    body = {field: params[param] for param, field in names.items() if param in params}
    return {"amount": {"currency": params["currency"], "value": params["amount"]}, **body}


@mollie.action(
    "create_payment_link",
    params=params_schema(
        ["amount", "currency", "description"],
        amount=MONEY_VALUE,
        currency=CURRENCY,
        description={"type": "string", "minLength": 1, "maxLength": 255},
        redirect_url={
            "type": "string",
            "format": "uri",
            "title": "Page after paying",
            "description": "Where the customer lands after paying, e.g. your shop's "
            "thank-you page.",
        },
        webhook_url={
            "type": "string",
            "format": "uri",
            "title": "Webhook URL",
            "description": "The address of a flow with the 'Payment status changed' "
            "trigger, to react when the link is paid.",
        },
        expires_at={
            "type": "string",
            "format": "date-time",
            "title": "Expires at",
        },
    ),
    output_example=example("mollie", "api.payment_link"),
)
def create_payment_link(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    names = {"description": "description", "redirect_url": "redirectUrl"}
    names |= {"webhook_url": "webhookUrl", "expires_at": "expiresAt"}
    return ctx.api.post("/v2/payment-links", json=_with_amount(params, names))


@mollie.action(
    "create_refund",
    params=params_schema(
        ["payment_id", "amount", "currency"],
        payment_id={"type": "string", "pattern": PAYMENT_ID.pattern, "title": "Payment"},
        amount=MONEY_VALUE,
        currency=CURRENCY,
        description={"type": "string", "maxLength": 140, "title": "Description"},
        metadata={
            "type": "object",
            "title": "Metadata",
            "description": "Your own keys and values stored with the refund.",
        },
    ),
    output_example=example("mollie", "api.refund_single.response"),
)
def create_refund(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    body = _with_amount(params, {"description": "description", "metadata": "metadata"})
    return ctx.api.post(f"/v2/payments/{params['payment_id']}/refunds", json=body)
