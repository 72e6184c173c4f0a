"""Shopware 6: orders and stock through the Admin API, and new orders by polling.

API reference: https://shopware.stoplight.io/docs/admin-api. An integration's access key id
and secret are exchanged for a bearer token (OAuth 2 client credentials, ten minutes), which is
cached per process and fetched again shortly before it expires or when Shopware refuses it.
Requests ask for plain JSON (``Accept: application/json``) rather than JSON:API.

Shopware has no signed webhook a merchant can point at an address without writing an app, so
new orders are found by polling: :func:`new_orders` is one poll, called by the scheduler for the
``shopware.order_placed`` trigger on its schedule (``app/runtime/timed_triggers.py`` runs the poll).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.kit.auth import ClientCredentials
from nodes.kit.base import Connector, NodeContext, ProviderError, account_schema, params_schema
from nodes.kit.client import HINTS, ApiClient
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example

AUTH = account_schema(
    "Shopware 6 shop",
    ["shop_url", "client_id", "client_secret"],
    shop_url={
        "type": "string",
        "title": "Shop address",
        "description": "The address of your shop's administration without /admin, e.g. "
        "https://shop.example.com. HTTPS is required.",
        "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^?#\s]*)?$",
    },
    client_id={
        "type": "string",
        "title": "Access key ID",
        "description": "Settings → System → Integrations → Add integration, with the "
        "administrator role or read/write on orders and products. Starts with SWIA.",
        "minLength": 1,
        "writeOnly": True,
    },
    client_secret={
        "type": "string",
        "title": "Secret access key",
        "description": "Shown once when the integration is created.",
        "minLength": 1,
        "writeOnly": True,
    },
)

shopware = Connector(
    "shopware",
    auth=AUTH,
    base_url=lambda credential: credential["shop_url"].rstrip("/") + "/api",
    auth_type=ClientCredentials("/oauth/token", send="json"),
    headers={"Accept": "application/json"},
    errors=ErrorBody(("errors[].detail", "errors[].title"), code="errors[].code"),
    test=lambda api: api.get("/_info/version"),
)

# What an order is read with: its items, customer, state, deliveries and payments.
ORDER_ASSOCIATIONS = {
    "lineItems": {},
    "orderCustomer": {},
    "stateMachineState": {},
    "deliveries": {},
    "transactions": {},
}
ORDER = {
    "type": "object",
    "required": ["id", "orderNumber"],
    "properties": {
        "id": {"type": "string"},
        "orderNumber": {"type": "string"},
        "amountTotal": {"type": "number", "description": "In the order's currency, e.g. 50.0"},
        "amountNet": {"type": "number"},
        "shippingTotal": {"type": "number"},
        "stateMachineState": {
            "type": "object",
            "properties": {"technicalName": {"type": "string"}, "name": {"type": "string"}},
        },
        "orderCustomer": {"type": "object"},
        "lineItems": {"type": "array", "items": {"type": "object"}},
        "customerComment": {"type": ["string", "null"]},
        "createdAt": {"type": "string"},
    },
}
UUID = {"type": "string", "pattern": "^[0-9a-f]{32}$"}


# Polling trigger

PAGE_SIZE = 100
MAX_PAGES = 10


def new_orders(api: ApiClient, since_cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Orders created after ``since_cursor``, oldest first, and the cursor for the next poll.

    The cursor is ``"<createdAt>|<id>"`` of the newest order seen. Shopware is asked for
    everything from that instant on (orders of the same millisecond included) and the ones
    already seen are dropped here. Without a cursor (the first poll) nothing is returned and
    the cursor starts at the newest order: a flow switched on reacts to orders from then on,
    not to the shop's history.
    """
    if since_cursor is None:
        newest = _search_orders(api, None, order="DESC", limit=1)
        return [], _cursor(newest[0]) if newest else ""
    found: list[dict[str, Any]] = []
    cursor = since_cursor
    for _ in range(MAX_PAGES):
        since = _position_of(cursor)
        page = _search_orders(api, cursor.partition("|")[0] or None, order="ASC", limit=PAGE_SIZE)
        fresh = [o for o in page if since is None or _position(o) > since]
        found += fresh
        if fresh:
            cursor = _cursor(fresh[-1])
        if not fresh or len(page) < PAGE_SIZE:
            break
    return found, cursor


def _search_orders(api: ApiClient, since: str | None, *, order: str, limit: int) -> list[dict]:
    """One page of ``POST /search/order``, from ``since`` (a createdAt Shopware sent) on."""
    criteria: dict[str, Any] = {
        "limit": limit,
        "associations": ORDER_ASSOCIATIONS,
        "sort": [{"field": "createdAt", "order": order}, {"field": "id", "order": order}],
    }
    if since is not None:
        criteria["filter"] = [{"type": "range", "field": "createdAt", "parameters": {"gte": since}}]
    return api.post("/search/order", json=criteria)["data"]


def _position(order: dict[str, Any]) -> tuple[datetime, str]:
    return datetime.fromisoformat(order["createdAt"]), order["id"]


def _cursor(order: dict[str, Any]) -> str:
    return f"{order['createdAt']}|{order['id']}"


def _position_of(cursor: str) -> tuple[datetime, str] | None:
    """The position a cursor stands for; "" is an empty shop's cursor (no order yet)."""
    if not cursor:
        return None
    created_at, _, order_id = cursor.partition("|")
    return datetime.fromisoformat(created_at), order_id


def _poll_orders(ctx: NodeContext) -> list[tuple[str, Any]]:
    orders, cursor = new_orders(ctx.api, ctx.store.get("cursor"))
    ctx.store.set("cursor", cursor)
    return [(order["id"], order) for order in orders]


@shopware.trigger(
    "order_placed",
    params=params_schema(
        ["schedule"],
        schedule={
            **SCHEDULE_SCHEMA,
            "title": "Check",
            "default": {"interval_minutes": 5},
        },
    ),
    output_schema=ORDER,
    output_example=example("shopware", "order"),
    poll=lambda ctx, params: _poll_orders(ctx),
)
def order_placed(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input


# Actions


@shopware.action(
    "get_order",
    params=params_schema(["id"], id={**UUID, "title": "Order id (32 hex characters)"}),
    output_schema=ORDER,
    output_example=example("shopware", "order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    criteria = {"ids": [params["id"]], "associations": ORDER_ASSOCIATIONS}
    found = ctx.api.post("/search/order", json=criteria)["data"]
    if not found:
        raise ProviderError(
            f"Shopware has no order with id {params['id']}.",
            status=404,
            hint=HINTS[404],
            field="id",
        )
    return found[0]


TRANSITIONS = {
    "process": "in progress",
    "complete": "done",
    "cancel": "cancelled",
    "reopen": "open again",
}


@shopware.action(
    "set_order_state",
    params=params_schema(
        ["id", "transition"],
        id={**UUID, "title": "Order id (32 hex characters)"},
        transition={"enum": list(TRANSITIONS), "title": "Transition"},
    ),
    output_example={"id": "0193a7c1c4b771f6a1d5e3c0b2a4f0bb", "technicalName": "completed"},
)
def set_order_state(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post(f"/_action/order/{params['id']}/state/{params['transition']}", json={})


@shopware.action(
    "update_stock",
    params=params_schema(
        ["id", "stock"],
        id={**UUID, "title": "Product id (32 hex characters)"},
        stock={"type": "integer", "title": "Stock"},
    ),
    output_example={"id": "0193a7c1c4ba71f6a1d5e3c0b2a4f1c3", "stock": 12},
)
def update_stock(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    # Shopware answers 204 without a body: what was written is the step's output.
    ctx.api.patch(f"/product/{params['id']}", json={"stock": params["stock"]})
    return {"id": params["id"], "stock": params["stock"]}
