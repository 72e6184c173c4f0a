"""Mollie: the actions of the connector declared in ``__init__``."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import (
    NodeContext,
    params_schema,
)
from nodes.kit.examples import example
from nodes.mollie import CURRENCY, MONEY_VALUE, PAYMENT_ID, mollie


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
