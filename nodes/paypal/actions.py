"""PayPal's actions: refunds and order look-ups."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.examples import example
from nodes.paypal import paypal

OBJECT_ID = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9-]+$"}


@paypal.action(
    "refund_capture",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["capture_id"],
        "dependentRequired": {"amount": ["currency_code"]},
        "properties": {
            "capture_id": {**OBJECT_ID, "title": "Capture id"},
            "amount": {
                "type": "string",
                "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
                "title": "Amount (decimal string, e.g. 10.99)",
                "description": "Leave empty to refund everything that is left.",
            },
            "currency_code": {
                "type": "string",
                "pattern": "^[A-Z]{3}$",
                "title": "Currency (e.g. EUR)",
            },
            "note_to_payer": {"type": "string", "maxLength": 255, "title": "Note to the buyer"},
            "invoice_id": {"type": "string", "maxLength": 127, "title": "Your invoice number"},
        },
    },
    output_example=example("paypal", "api.refund"),
)
def refund_capture(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    body: dict[str, Any] = {
        key: params[key] for key in ("note_to_payer", "invoice_id") if key in params
    }
    if "amount" in params:
        body["amount"] = {"value": params["amount"], "currency_code": params["currency_code"]}
    return ctx.api.post(
        f"/v2/payments/captures/{params['capture_id']}/refund",
        json=body,
        headers={"Prefer": "return=representation"},
    )


@paypal.action(
    "get_order",
    params=params_schema(["order_id"], order_id={**OBJECT_ID, "title": "Order id"}),
    output_example=example("paypal", "api.order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"/v2/checkout/orders/{params['order_id']}")
