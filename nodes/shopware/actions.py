"""Shopware: the actions of the connector declared in ``__init__``."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, ProviderError, params_schema
from nodes.kit.client import HINTS
from nodes.kit.examples import example
from nodes.shopware import ORDER, ORDER_ASSOCIATIONS, UUID, shopware


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
        transition={
            "enum": list(TRANSITIONS),
            "title": "Transition",
            "x-enum-titles": {
                "process": {"en": "Start processing", "de": "Bearbeitung beginnen"},
                "complete": {"en": "Complete", "de": "Abschließen"},
                "cancel": {"en": "Cancel", "de": "Stornieren"},
                "reopen": {"en": "Reopen", "de": "Wieder öffnen"},
            },
        },
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
