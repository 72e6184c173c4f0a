"""JTL-Wawi's polling triggers: stock levels and order status, compared with the last poll
(the API says what they are now, not when they changed)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.jtl_wawi import jtl_wawi
from nodes.jtl_wawi.actions import every
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.client import ApiClient
from nodes.kit.examples import example
from nodes.kit.polling import changed

SCHEDULE = {**SCHEDULE_SCHEMA, "title": "Check", "default": {"interval_minutes": 10}}
PAGE_SIZE = 100
ORDER_PAGES = 10  # the newest 1,000 orders are watched
STOCK_PAGES = 50  # up to 5,000 storage locations


def _stock_levels(ctx: NodeContext, params: dict[str, Any]) -> list[tuple[str, Any]]:
    query = {"warehouseId": params["warehouse_id"]} if "warehouse_id" in params else {}
    levels: dict[str, float] = defaultdict(float)
    for location in every(ctx.api, "/stocks", query, pages=STOCK_PAGES):
        levels[f"{location['ItemId']}:{location['WarehouseId']}"] += location["QuantityTotal"]
    return [
        (item_id, _level(key, levels[key], before))
        for item_id, key, before in changed(ctx, dict(levels), new=True)
    ]


def _level(key: str, quantity: float, before: float | None) -> dict[str, Any]:
    item, warehouse = key.split(":")
    return {
        "ItemId": int(item),
        "WarehouseId": int(warehouse),
        "Quantity": quantity,
        "PreviousQuantity": before,
    }


@jtl_wawi.trigger(
    "stock_changed",
    params=params_schema(
        ["schedule"],
        schedule=SCHEDULE,
        warehouse_id={"type": "integer", "minimum": 1, "title": "Only this warehouse"},
    ),
    output_schema={
        "type": "object",
        "properties": {
            "ItemId": {"type": "integer"},
            "WarehouseId": {"type": "integer"},
            "Quantity": {"type": "number", "description": "In stock now, all locations"},
            "PreviousQuantity": {
                "type": ["number", "null"],
                "description": "At the last check; null for an item new in the warehouse",
            },
        },
    },
    output_example={"ItemId": 77, "WarehouseId": 1, "Quantity": 23.0, "PreviousQuantity": 25.0},
    poll=_stock_levels,
)
def stock_changed(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input


def status_of(order: dict[str, Any]) -> dict[str, Any]:
    """What changes when an order moves on: paid, shipped, invoiced, cancelled."""
    return {
        "PaymentStatus": (order.get("SalesOrderPaymentDetails") or {}).get("PaymentStatus"),
        "DeliveryStatus": (order.get("SalesOrderShippingDetail") or {}).get("DeliveryStatus"),
        "BillingNumber": order.get("BillingNumber"),
        "IsCancelled": order.get("IsCancelled"),
    }


def recent_orders(api: ApiClient) -> list[dict[str, Any]]:
    """The newest ``ORDER_PAGES`` pages of orders, whichever end of its list JTL puts them
    (the API reference does not say how it sorts)."""

    def page(number: int) -> dict[str, Any]:
        return api.get("/salesOrders", params={"pageNumber": number, "pageSize": PAGE_SIZE})

    first = page(1)
    total = first.get("TotalPages") or 1
    ids = [order["Id"] for order in first["Items"]]
    if ids == sorted(ids, reverse=True):
        numbers = range(1, min(total, ORDER_PAGES) + 1)
    else:
        numbers = range(max(1, total - ORDER_PAGES + 1), total + 1)
    return [order for n in numbers for order in (first if n == 1 else page(n))["Items"]]


def _order_status(ctx: NodeContext, params: dict[str, Any]) -> list[tuple[str, Any]]:
    orders = {str(o["Id"]): o for o in recent_orders(ctx.api)}
    states = {key: status_of(order) for key, order in orders.items()}
    return [
        (item_id, orders[key] | {"Status": states[key], "PreviousStatus": before})
        for item_id, key, before in changed(ctx, states)
    ]


STATUS_EXAMPLE = {
    "PaymentStatus": 2,
    "DeliveryStatus": 0,
    "BillingNumber": "RE-202404-10000",
    "IsCancelled": False,
}


@jtl_wawi.trigger(
    "order_status_changed",
    params=params_schema(["schedule"], schedule=SCHEDULE),
    output_example=example("jtl_wawi", "sales_order")
    | {
        "Status": STATUS_EXAMPLE,
        "PreviousStatus": STATUS_EXAMPLE | {"PaymentStatus": 0, "BillingNumber": None},
    },
    poll=_order_status,
)
def order_status_changed(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
