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
    title={"en": "Refund a payment", "de": "Zahlung erstatten"},
    description={
        "en": "Refunds a payment fully, or the amount you give (in cents). "
        "Example: payment_intent pi_123, amount 500 → a refund of 5.00.",
        "de": "Erstattet eine Zahlung ganz oder den angegebenen Betrag (in Cent). "
        "Beispiel: payment_intent pi_123, amount 500 → eine Erstattung über 5,00.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["payment_intent"],
        "properties": {
            "payment_intent": {**OBJECT_ID, "title": "Payment (pi_…)"},
            "amount": {
                "type": "integer",
                "minimum": 1,
                "title": "Amount in cents",
                "description": "Leave empty to refund everything that is left.",
            },
            "reason": {
                "enum": ["requested_by_customer", "duplicate", "fraudulent"],
                "title": "Reason",
            },
            "metadata": METADATA,
        },
    },
    output_example=example("stripe", "openapi-fixture.refund"),
)
def create_refund(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/refunds", data=form(params))


@stripe.action(
    "create_payment_link",
    title={"en": "Create a payment link", "de": "Zahlungslink erstellen"},
    description={
        "en": "Creates a link your customer can pay with, for prices you set up in Stripe. "
        "Example: price price_123, quantity 2 → url https://buy.stripe.com/…",
        "de": "Erstellt einen Link, mit dem Ihre Kundin bezahlen kann, für Preise aus Stripe. "
        "Beispiel: price price_123, quantity 2 → url https://buy.stripe.com/…",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["line_items"],
        "properties": {
            "line_items": {
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
            "metadata": METADATA,
        },
    },
    output_example=example("stripe", "openapi-fixture.payment_link"),
)
def create_payment_link(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/payment_links", data=form(params))


def _retrieve(resource: str, prefix: str, title: dict, description: dict, fixture: str):
    """Declare ``get_<object>``: one GET of ``/v1/<resource>/<id>``."""

    def run(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
        return ctx.api.get(f"/v1/{resource}/{params['id']}")

    stripe.action(
        f"get_{resource.removesuffix('s')}",
        title=title,
        description=description,
        params=params_schema(["id"], id={**OBJECT_ID, "title": f"Id ({prefix}…)"}),
        output_example=example("stripe", fixture),
    )(run)


_retrieve(
    "customers",
    "cus_",
    {"en": "Get customer", "de": "Kundin abrufen"},
    {
        "en": "Looks up a customer by id (cus_…): e-mail, name, address.",
        "de": "Ruft eine Kundin anhand der Id (cus_…) ab: E-Mail, Name, Adresse.",
    },
    "openapi-fixture.customer",
)
_retrieve(
    "payment_intents",
    "pi_",
    {"en": "Get payment", "de": "Zahlung abrufen"},
    {
        "en": "Looks up a payment by id (pi_…): amount, currency, status, customer.",
        "de": "Ruft eine Zahlung anhand der Id (pi_…) ab: Betrag, Währung, Status, Kundin.",
    },
    "openapi-fixture.payment_intent",
)
