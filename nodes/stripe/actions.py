"""Stripe's actions: refunds, payment links and look-ups."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.examples import example
from nodes.stripe import form, stripe

OBJECT_ID = {"type": "string", "minLength": 1}
METADATA = {
    "type": "object",
    "title": "Metadata",
    "description": "Your own keys and values stored with the object, e.g. the shop's order number.",
    "additionalProperties": {"type": "string"},
}


@stripe.action(
    "create_refund",
    params=params_schema(
        ["payment_intent"],
        payment_intent={**OBJECT_ID, "title": "Payment (pi_…)"},
        amount={
            "type": "integer",
            "minimum": 1,
            "title": "Amount in cents",
            "description": "Leave empty to refund everything that is left.",
        },
        reason={
            "enum": ["requested_by_customer", "duplicate", "fraudulent"],
            "title": "Reason",
            "x-enum-titles": {
                "requested_by_customer": {
                    "en": "The customer asked for it",
                    "de": "Auf Wunsch des Kunden",
                },
                "duplicate": {"en": "Paid twice", "de": "Doppelt bezahlt"},
                "fraudulent": {"en": "Fraud", "de": "Betrug"},
            },
        },
        metadata=METADATA,
    ),
    output_example=example("stripe", "openapi-fixture.refund"),
)
def create_refund(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/refunds", data=form(params))


@stripe.action(
    "create_payment_link",
    params=params_schema(
        ["line_items"],
        line_items={
            "type": "array",
            "title": "Items",
            "minItems": 1,
            "maxItems": 20,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["price", "quantity"],
                "properties": {
                    "price": {
                        **OBJECT_ID,
                        "title": "Price (price_…)",
                        "x-options": {"source": "prices"},
                    },
                    "quantity": {"type": "integer", "minimum": 1, "title": "Quantity"},
                },
            },
        },
        metadata=METADATA,
    ),
    output_example=example("stripe", "openapi-fixture.payment_link"),
)
def create_payment_link(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/payment_links", data=form(params))


def _retrieve(resource: str, prefix: str, fixture: str) -> None:
    """Declare ``get_<object>``: one GET of ``/v1/<resource>/<id>``."""

    def run(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
        return ctx.api.get(f"/v1/{resource}/{params['id']}")

    stripe.action(
        f"get_{resource.removesuffix('s')}",
        params=params_schema(["id"], id={**OBJECT_ID, "title": f"Id ({prefix}…)"}),
        output_example=example("stripe", fixture),
    )(run)


_retrieve("customers", "cus_", "openapi-fixture.customer")
_retrieve("payment_intents", "pi_", "openapi-fixture.payment_intent")
