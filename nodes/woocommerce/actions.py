"""WooCommerce's actions: orders and stock through the REST API v3."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.examples import example
from nodes.woocommerce import ORDER, PRODUCT, woocommerce

ID = {"type": "integer", "minimum": 1}
ORDER_ID = {**ID, "title": "Order id", "description": "The order's number in WooCommerce."}
STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]
# As WooCommerce's admin names them.
STATUS_WORDS = {
    "pending": {"en": "Pending payment", "de": "Zahlung ausstehend"},
    "processing": {"en": "Processing", "de": "In Bearbeitung"},
    "on-hold": {"en": "On hold", "de": "In Wartestellung"},
    "completed": {"en": "Completed", "de": "Fertiggestellt"},
    "cancelled": {"en": "Cancelled", "de": "Storniert"},
    "refunded": {"en": "Refunded", "de": "Rückerstattet"},
    "failed": {"en": "Failed", "de": "Fehlgeschlagen"},
}


def _order_params(**extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["order_id", *extra.pop("required", [])],
        "properties": {"order_id": ORDER_ID, **extra},
    }


@woocommerce.action(
    "get_order",
    params=_order_params(),
    output_schema=ORDER,
    output_example=example("woocommerce", "rest-v3.order.create.response"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"/orders/{params['order_id']}")


@woocommerce.action(
    "update_order_status",
    params=_order_params(
        status={"enum": STATUSES, "title": "New status", "x-enum-titles": STATUS_WORDS},
        required=["status"],
    ),
    output_schema=ORDER,
    output_example=example("woocommerce", "rest-v3.order.create.response"),
)
def update_order_status(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.put(f"/orders/{params['order_id']}", json={"status": params["status"]})


@woocommerce.action(
    "add_order_note",
    params=_order_params(
        note={"type": "string", "minLength": 1, "title": "Note"},
        customer_note={
            "type": "boolean",
            "default": False,
            "title": "Send to the customer",
            "description": "Shown to the customer and e-mailed to them; otherwise private.",
        },
        required=["note"],
    ),
    output_example=example("woocommerce", "rest-v3.order-note.create.response"),
)
def add_order_note(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    note = {"note": params["note"], "customer_note": params.get("customer_note", False)}
    return ctx.api.post(f"/orders/{params['order_id']}/notes", json=note)


@woocommerce.action(
    "update_order_meta",
    params=_order_params(
        meta={
            "type": "object",
            "title": "Fields",
            "description": "Custom fields of the order by name, e.g. tracking_number. A field "
            "that exists is changed, others are added.",
            "minProperties": 1,
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        required=["meta"],
    ),
    output_schema=ORDER,
    output_example=example("woocommerce", "rest-v3.order.create.response"),
)
def update_order_meta(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    fields = [{"key": key, "value": value} for key, value in params["meta"].items()]
    return ctx.api.put(f"/orders/{params['order_id']}", json={"meta_data": fields})


@woocommerce.action(
    "update_stock",
    params=params_schema(
        ["product_id", "stock_quantity"],
        product_id={**ID, "title": "Product id"},
        variation_id={
            **ID,
            "title": "Variation id",
            "description": "Only for a variable product: the variation whose stock to set.",
        },
        stock_quantity={"type": "integer", "title": "Stock quantity"},
    ),
    output_schema=PRODUCT,
    output_example=example("woocommerce", "rest-v3.product.retrieve.response"),
)
def update_stock(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    path = f"/products/{params['product_id']}"
    if params.get("variation_id"):
        path += f"/variations/{params['variation_id']}"
    stock = {"manage_stock": True, "stock_quantity": params["stock_quantity"]}
    return ctx.api.put(path, json=stock)
