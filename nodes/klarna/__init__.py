"""Klarna: look up, capture and refund orders with the Order Management API.

API reference: https://docs.klarna.com/api/ordermanagement/. Requests use HTTP Basic auth with
the merchant's API username and password, per region (Europe, North America, Oceania) and
playground; amounts are integers in minor units (cents). Captures and refunds answer 201 with
an empty body: the new id comes in the Capture-Id / Refund-Id header and the Location. POSTs
carry Klarna-Idempotency-Key. Errors are ``{"error_code", "error_messages", "correlation_id"}``.
Klarna has no webhook for order events in this API, so the connector has actions only.
"""

from __future__ import annotations

from typing import Any

from nodes.kit.auth import Basic
from nodes.kit.base import Connector, NodeContext, account_schema, params_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example

HOSTS = {
    "eu": "https://api.klarna.com",
    "na": "https://api-na.klarna.com",
    "oc": "https://api-oc.klarna.com",
    "playground-eu": "https://api.playground.klarna.com",
    "playground-na": "https://api-na.playground.klarna.com",
    "playground-oc": "https://api-oc.playground.klarna.com",
}
ORDERS = "/ordermanagement/v1/orders"

AUTH = account_schema(
    "Klarna account",
    ["username", "password", "region"],
    username={
        "type": "string",
        "title": "API username",
        "description": "Klarna Merchant Portal → Settings → Klarna API keys (e.g. K123456_…"
        " or PK12345_…).",
        "minLength": 1,
    },
    password={
        "type": "string",
        "title": "API password",
        "minLength": 1,
        "writeOnly": True,
    },
    region={
        "enum": list(HOSTS),
        "title": "Region",
        "description": "Where your Klarna account lives: eu (Europe), na (North America), "
        "oc (Oceania); playground-… for test accounts.",
        "default": "eu",
    },
)


klarna = Connector(
    "klarna",
    auth=AUTH,
    base_url=lambda credential: HOSTS[credential.get("region", "eu")],
    auth_type=Basic("username", "password"),
    errors=ErrorBody(
        ("error_messages", "error_code"), code="error_code", reference="correlation_id"
    ),
    hints={
        403: "Klarna does not allow this for the order in its current state (for example "
        "more than is left to capture or refund): check the order in the Merchant Portal.",
    },
    idempotency_header="Klarna-Idempotency-Key",
)

ORDER_ID = {"type": "string", "pattern": "^[A-Za-z0-9-]+$", "title": "Klarna order id"}
MINOR_UNITS = {"type": "integer", "minimum": 1}


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
