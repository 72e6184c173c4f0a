"""Klarna: the actions of the connector declared in ``__init__``."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.examples import example
from nodes.klarna import MINOR_UNITS, ORDER_ID, ORDERS, klarna


@klarna.action(
    "get_order",
    params=params_schema(["order_id"], order_id=ORDER_ID),
    output_example=example("klarna", "api.order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"{ORDERS}/{params['order_id']}")


def _created(ctx: NodeContext, path: str, body: dict[str, Any], kind: str) -> dict[str, Any]:
    """POST a capture or refund; Klarna answers 201 with the new id only in the headers."""
    response = ctx.api.request("POST", path, json=body)
    return {
        f"{kind}_id": response.headers.get(f"{kind.capitalize()}-Id"),
        "location": response.headers.get("Location"),
    }


TEXT = {"type": "string", "maxLength": 255}
SHIPPING = {
    "shipping_company": {"type": "string", "maxLength": 100, "title": "Carrier"},
    "tracking_number": {"type": "string", "maxLength": 100, "title": "Tracking number"},
}


def _moves_money(name: str, kind: str, amount: str, shipping: dict[str, Any]) -> None:
    """Declare the action that captures or refunds an amount of an order (in cents):
    POST ``/<order>/<kind>s``; Klarna answers with the new id in the headers."""

    def run(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
        body = {key: params[key] for key in (amount, "description", "reference") if key in params}
        if sent := {key: params[key] for key in shipping if key in params}:
            body["shipping_info"] = [sent]
        order_id = params["order_id"]
        created = _created(ctx, f"{ORDERS}/{order_id}/{kind}s", body, kind)
        return {"order_id": order_id, amount: params[amount], **created}

    klarna.action(
        name,
        params=params_schema(
            ["order_id", amount],
            order_id=ORDER_ID,
            **{amount: {**MINOR_UNITS, "title": "Amount in cents"}},
            description={**TEXT, "title": "Description"},
            reference={**TEXT, "title": "Your reference"},
            **shipping,
        ),
        output_example=example("klarna", f"api.{kind}"),
    )(run)


_moves_money("capture_order", "capture", "captured_amount", SHIPPING)
_moves_money("refund_order", "refund", "refunded_amount", {})
