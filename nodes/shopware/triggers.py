"""Shopware: the triggers of the connector declared in ``__init__``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.client import ApiClient
from nodes.kit.examples import example
from nodes.shopware import ORDER, ORDER_ASSOCIATIONS, shopware

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
