"""Shopify's actions: orders, fulfilments, stock and prices, through the GraphQL Admin API."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, ProviderError, UserError, params_schema
from nodes.kit.client import HINTS
from nodes.kit.examples import example
from nodes.shopify import gid, mutate, shopify


def _missing(kind: str, global_id: str) -> ProviderError:
    return ProviderError(f"Shopify has no {kind} {global_id}.", hint=HINTS[404])


def _order(ctx: NodeContext, query: str, params: dict[str, Any]) -> dict[str, Any]:
    """The order ``params["order_id"]`` as ``query`` reads it, or Shopify's "not found"."""
    order_id = gid("Order", params["order_id"], "order_id")
    order = ctx.api.graphql(query, {"id": order_id})["order"]
    if order is None:
        raise _missing("order", order_id)
    return order


SHOPIFY_ID = {"type": ["string", "integer"], "minLength": 1, "minimum": 1}


def _id_param(kind: str, title: str) -> dict[str, Any]:
    return {
        **SHOPIFY_ID,
        "title": title,
        "description": f"The number (e.g. from the trigger's id) or gid://shopify/{kind}/….",
    }


GET_ORDER = """
query GetOrder($id: ID!) {
  order(id: $id) {
    id legacyResourceId name email createdAt note tags
    displayFinancialStatus displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    customer { id email firstName lastName }
    lineItems(first: 100) { nodes { id title sku quantity variant { id } } }
  }
}"""


@shopify.action(
    "get_order",
    params=params_schema(["order_id"], order_id=_id_param("Order", "Order")),
    output_example=example("shopify", "graphql.order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order = _order(ctx, GET_ORDER, params)
    return {**order, "lineItems": order["lineItems"]["nodes"]}


TAGS_ADD = """
mutation AddTags($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) {
    node { id ... on Order { note tags } }
    userErrors { field message }
  }
}"""
ORDER_NOTE = """
mutation SetNote($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note tags }
    userErrors { field message }
  }
}"""


@shopify.action(
    "tag_order",
    params=params_schema(
        ["order_id"],
        order_id=_id_param("Order", "Order"),
        tags={
            "type": "array",
            "title": "Tags",
            "items": {"type": "string", "minLength": 1, "maxLength": 255},
            "maxItems": 250,
        },
        note={"type": "string", "title": "Note", "maxLength": 5000},
    ),
    output_example=example("shopify", "graphql.order_update"),
)
def tag_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order_id = gid("Order", params["order_id"], "order_id")
    if not params.get("tags") and "note" not in params:
        raise UserError("Give tags, a note, or both.", field="tags")
    order = None
    if params.get("tags"):
        tagged = mutate(ctx.api, "tagsAdd", TAGS_ADD, {"id": order_id, "tags": params["tags"]})
        order = tagged["node"]
    if "note" in params:
        noted = mutate(
            ctx.api, "orderUpdate", ORDER_NOTE, {"input": {"id": order_id, "note": params["note"]}}
        )
        order = noted["order"]
    return order


FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    fulfillmentOrders(first: 50) { nodes { id status supportedActions { action } } }
  }
}"""
FULFILLMENT_CREATE = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo(first: 10) { number company url } }
    userErrors { field message }
  }
}"""


@shopify.action(
    "create_fulfillment",
    params=params_schema(
        ["order_id", "tracking_number"],
        order_id=_id_param("Order", "Order"),
        tracking_number={"type": "string", "minLength": 1, "title": "Tracking number"},
        carrier={
            "type": "string",
            "title": "Carrier",
            "description": "As Shopify names it (UPS, DHL Express, DPD, Hermes, …): Shopify "
            "then builds the tracking link.",
        },
        tracking_url={"type": "string", "format": "uri", "title": "Tracking link"},
        notify_customer={
            "type": "boolean",
            "title": "Send the shipping e-mail",
            "default": False,
        },
    ),
    output_example=example("shopify", "graphql.fulfillment"),
)
def create_fulfillment(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    order_id = gid("Order", params["order_id"], "order_id")
    order = _order(ctx, FULFILLMENT_ORDERS, params)
    open_orders = [
        fulfillment_order["id"]
        for fulfillment_order in order["fulfillmentOrders"]["nodes"]
        if {"action": "CREATE_FULFILLMENT"} in fulfillment_order["supportedActions"]
    ]
    if not open_orders:
        raise ProviderError(
            f"Order {order_id} has nothing left to fulfil: it is fulfilled, cancelled or on hold.",
            hint="Check the order in Shopify; a fulfilment on hold must be released first.",
        )
    tracking = {"number": params["tracking_number"]}
    if params.get("carrier"):
        tracking["company"] = params["carrier"]
    if params.get("tracking_url"):
        tracking["url"] = params["tracking_url"]
    payload = mutate(
        ctx.api,
        "fulfillmentCreate",
        FULFILLMENT_CREATE,
        {
            "fulfillment": {
                "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": i} for i in open_orders],
                "trackingInfo": tracking,
                "notifyCustomer": params.get("notify_customer", False),
            }
        },
    )
    return payload["fulfillment"]


INVENTORY_ADJUST = """
mutation AdjustStock($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { createdAt reason changes { name delta quantityAfterChange } }
    userErrors { field message }
  }
}"""
INVENTORY_REASONS = [
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "other",
    "promotion",
    "quality_control",
    "received",
    "restock",
    "safety_stock",
    "shrinkage",
]


@shopify.action(
    "adjust_inventory",
    params=params_schema(
        ["inventory_item_id", "location_id", "delta"],
        inventory_item_id=_id_param("InventoryItem", "Inventory item"),
        location_id={**_id_param("Location", "Location"), "x-options": {"source": "locations"}},
        delta={"type": "integer", "not": {"const": 0}, "title": "Change in pieces"},
        quantity={
            "enum": ["available", "on_hand"],
            "default": "available",
            "title": "Which quantity",
            "x-enum-titles": {
                "available": {"en": "Available to sell", "de": "Verfügbar zum Verkauf"},
                "on_hand": {"en": "On hand (in the warehouse)", "de": "Vorrätig (im Lager)"},
            },
        },
        reason={"enum": INVENTORY_REASONS, "default": "correction", "title": "Reason"},
    ),
    output_example=example("shopify", "graphql.inventory_adjustment"),
)
def adjust_inventory(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    change = {
        "delta": params["delta"],
        "inventoryItemId": gid("InventoryItem", params["inventory_item_id"], "inventory_item_id"),
        "locationId": gid("Location", params["location_id"], "location_id"),
    }
    payload = mutate(
        ctx.api,
        "inventoryAdjustQuantities",
        INVENTORY_ADJUST,
        {
            "input": {
                "name": params.get("quantity", "available"),
                "reason": params.get("reason", "correction"),
                "changes": [change],
            },
            # The step's key: a retried step is booked once (Shopify keeps the first result).
            "idempotencyKey": ctx.api.idempotency_key,
        },
    )
    return payload["inventoryAdjustmentGroup"]


VARIANT_PRODUCT = """
query VariantProduct($id: ID!) {
  productVariant(id: $id) { id product { id } }
}"""
VARIANT_PRICE = """
mutation SetPrice($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {
    productVariants { id price compareAtPrice }
    userErrors { field message }
  }
}"""
PRICE = {"type": "string", "pattern": r"^\d+(\.\d+)?$"}


@shopify.action(
    "update_variant_price",
    params=params_schema(
        ["variant_id", "price"],
        variant_id=_id_param("ProductVariant", "Variant"),
        price={**PRICE, "title": "Price (decimal text)"},
        compare_at_price={**PRICE, "title": "Compare-at price (decimal text)"},
    ),
    output_example=example("shopify", "graphql.variant"),
)
def update_variant_price(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    variant_id = gid("ProductVariant", params["variant_id"], "variant_id")
    variant = ctx.api.graphql(VARIANT_PRODUCT, {"id": variant_id})["productVariant"]
    if variant is None:
        raise _missing("product variant", variant_id)
    change = {"id": variant_id, "price": params["price"]}
    if "compare_at_price" in params:
        change["compareAtPrice"] = params["compare_at_price"]
    payload = mutate(
        ctx.api,
        "productVariantsBulkUpdate",
        VARIANT_PRICE,
        {"productId": variant["product"]["id"], "variants": [change]},
    )
    return payload["productVariants"][0]
