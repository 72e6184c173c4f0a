"""Shopify's GraphQL Admin API, as far as Shopwire calls it, answering from Shopify's samples.

Documented behaviour kept: one endpoint ``POST /admin/api/<version>/graphql.json``; the
``X-Shopify-Access-Token`` header (401 ``{"errors": "[API] Invalid API key or access token
…"}``); operations answered by their root field; variables checked as GraphQL would (a missing
or malformed ``ID`` is a top-level error); failures of a mutation in its ``userErrors``;
every reply's query cost in ``extensions.cost``, and a ``THROTTLED`` error when the cost
bucket is empty; ``@idempotent(key:)`` on inventoryAdjustQuantities books a key once.

Beside it, the REST Admin API's ``GET /admin/api/<version>/orders.json`` (legacy, still served)
answers with orders in the webhook's own shape: ``since_id`` (orders with a higher id, oldest
first), ``created_at_max``, ``status`` (``open`` unless ``any``), ``financial_status``,
``fulfillment_status`` and ``limit`` (50 by default, at most 250).
:meth:`FakeShopify.place_order` adds an order; :meth:`FakeShopify.delete_subscriptions`
does what Shopify does to a subscription whose deliveries kept failing: it is gone, and
``webhookSubscription(id:)`` answers null.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

ACCESS_TOKEN = "shpat_0123456789abcdef0123456789abcdef"
API_SECRET = "shpss_0123456789abcdef0123456789abcdef"
SHOP = "acme.myshopify.com"
VERSION = "2026-01"
INVENTORY_ITEM = "gid://shopify/InventoryItem/30322695"
LOCATION = "gid://shopify/Location/124656943"
BUCKET = {"maximumAvailable": 2000.0, "restoreRate": 100.0}
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
# "query Name($a: T) {" or "mutation Name(...) {" then the operation's root field
ROOT_FIELD = re.compile(r"^\s*(query|mutation)?\s*\w*\s*(\([^)]*\))?\s*\{\s*(\w+)", re.S)


def webhook(topic: str) -> dict:
    return example("shopify", f"webhook.{topic}")


def number(global_id: str) -> str:
    return global_id.rsplit("/", 1)[-1]


def _order(sample: dict) -> dict:
    """The REST-style webhook order in the GraphQL Admin API's field names."""
    money = sample["total_price_set"]["shop_money"]
    customer = sample.get("customer")
    return {
        "id": sample["admin_graphql_api_id"],
        "legacyResourceId": number(sample["admin_graphql_api_id"]),
        "name": sample["name"],
        "email": sample["email"],
        "createdAt": sample["created_at"],
        "note": sample["note"],
        "tags": [tag.strip() for tag in sample["tags"].split(",") if tag.strip()],
        "displayFinancialStatus": (sample["financial_status"] or "").upper() or None,
        "displayFulfillmentStatus": (sample["fulfillment_status"] or "unfulfilled").upper(),
        "totalPriceSet": {
            "shopMoney": {"amount": money["amount"], "currencyCode": money["currency_code"]}
        },
        "customer": customer
        and {
            "id": customer["admin_graphql_api_id"],
            "email": customer.get("email"),
            "firstName": customer.get("first_name"),
            "lastName": customer.get("last_name"),
        },
        "lineItems": {
            "nodes": [
                {
                    "id": item["admin_graphql_api_id"],
                    "title": item["title"],
                    "sku": item["sku"],
                    "quantity": item["quantity"],
                    "variant": item["variant_id"]
                    and {"id": f"gid://shopify/ProductVariant/{item['variant_id']}"},
                }
                for item in sample["line_items"]
            ]
        },
    }


class GraphQLError(Exception):
    """A top-level error of the reply (bad variables, unknown field)."""

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.body = {"errors": [{"message": message, "extensions": extensions}]}


class FakeShopify(FakeProvider):
    account = {"shop": SHOP, "access_token": ACCESS_TOKEN, "api_secret": API_SECRET}
    sample_call = (
        "POST",
        "/graphql.json",
        {"query": "query Shop { shop { name } }"},
    )

    def __init__(self, *, http_addresses: bool = False) -> None:
        """``http_addresses``: accept webhook addresses without https, which Shopify refuses;
        `make run`'s demo serves at http://localhost and must be able to switch its flow on."""
        super().__init__()
        self.http_addresses = http_addresses
        sample = webhook("orders_paid")
        order = _order(sample)
        self.orders = {order["id"]: order}
        self.rest_orders = [sample]  # the REST Admin API's (and the webhooks') shape
        self.fulfillment_orders = {
            order["id"]: [
                {
                    "id": "gid://shopify/FulfillmentOrder/1046000778",
                    "status": "OPEN",
                    "supportedActions": [{"action": "CREATE_FULFILLMENT"}, {"action": "HOLD"}],
                }
            ]
        }
        product = webhook("products_update")
        self.variants = {
            variant["admin_graphql_api_id"]: {
                "id": variant["admin_graphql_api_id"],
                "price": variant["price"],
                "compareAtPrice": variant["compare_at_price"],
                "product": {"id": product["admin_graphql_api_id"]},
            }
            for variant in product["variants"]
        }
        quantity = product["variants"][0]["inventory_quantity"]
        self.stock = {(INVENTORY_ITEM, LOCATION): {"available": quantity, "on_hand": quantity}}
        self.adjustments: dict[str, dict] = {}  # by idempotency key
        self.fulfillments: list[dict] = []
        self.webhook_subscriptions: dict[str, dict] = {}
        self._next_id = 1

    # the vendor's conventions

    def authorized(self, request: Recorded) -> bool:
        return request.header("X-Shopify-Access-Token") == ACCESS_TOKEN

    def error(self, status: int, message: str) -> dict:
        return {"errors": INVALID_TOKEN if status == 401 else message}

    def rate_limited(self, retry_after: int):
        """GraphQL throttling: 200, THROTTLED, and a bucket ``retry_after`` seconds short."""
        requested = 110
        return (
            200,
            {
                "errors": [
                    {
                        "message": "Throttled",
                        "extensions": {
                            "code": "THROTTLED",
                            "documentation": "https://shopify.dev/api/usage/limits#rate-limiting",
                        },
                    }
                ],
                "extensions": {
                    "cost": {
                        "requestedQueryCost": requested,
                        "actualQueryCost": None,
                        "throttleStatus": {
                            **BUCKET,
                            "currentlyAvailable": requested - retry_after * BUCKET["restoreRate"],
                        },
                    }
                },
            },
            {},
        )

    # the endpoint

    @route("POST", "/admin/api/{version}/graphql.json")
    def graphql(self, request: Recorded, version: str):
        if version != VERSION:
            return 404, self.error(404, "Not Found")
        sent = request.json()
        match = ROOT_FIELD.match(sent["query"])
        kind, field = (match.group(1) or "query", match.group(3)) if match else ("query", "")
        handler = getattr(self, f"_{kind}_{field}", None)
        if handler is None:
            root = "Mutation" if kind == "mutation" else "QueryRoot"
            return 200, GraphQLError(
                f"Field '{field}' doesn't exist on type '{root}'", code="undefinedField"
            ).body
        try:
            data = handler(sent.get("variables") or {}, sent["query"])
        except GraphQLError as error:
            return 200, error.body
        cost = 10 if kind == "mutation" else 1
        return 200, {
            "data": {field: data},
            "extensions": {
                "cost": {
                    "requestedQueryCost": cost,
                    "actualQueryCost": cost,
                    "throttleStatus": {**BUCKET, "currentlyAvailable": 2000.0 - cost},
                }
            },
        }

    @route("GET", "/admin/api/{version}/orders.json")
    def rest_orders_list(self, request: Recorded, version: str):
        if version != VERSION:
            return 404, self.error(404, "Not Found")
        given = query(request)
        limit = int(given.get("limit", 50))
        if not 1 <= limit <= 250:
            return 400, {"errors": {"limit": ["must be between 1 and 250"]}}
        since_id = int(given.get("since_id", 0))
        found = sorted(
            (order for order in self.rest_orders if order["id"] > since_id),
            key=lambda order: order["id"],
        )
        if "created_at_max" in given:
            latest = datetime.fromisoformat(given["created_at_max"])
            found = [o for o in found if datetime.fromisoformat(o["created_at"]) <= latest]
        if given.get("status", "open") == "open":
            found = [order for order in found if order.get("closed_at") is None]
        for field in ("financial_status", "fulfillment_status"):
            if field in given:
                wanted = None if given[field] == "unshipped" else given[field]
                found = [order for order in found if order.get(field) == wanted]
        return 200, {"orders": found[:limit]}

    def place_order(self, **changes: Any) -> dict:
        """A new order (the sample with a new id and ``changes``), as the shop would take it."""
        number_id = max(order["id"] for order in self.rest_orders) + 1
        order = {
            **self.rest_orders[0],
            "id": number_id,
            "admin_graphql_api_id": f"gid://shopify/Order/{number_id}",
            "name": f"#{1000 + len(self.rest_orders)}",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **changes,
        }
        self.rest_orders.append(order)
        self.orders[order["admin_graphql_api_id"]] = _order(order)
        return order

    def delete_subscriptions(self) -> None:
        self.webhook_subscriptions.clear()

    def _new_id(self, kind: str) -> str:
        self._next_id += 1
        return f"gid://shopify/{kind}/{1000000 + self._next_id}"

    # queries

    def _query_shop(self, variables, query):
        return {"name": "Acme"}

    def _query_locations(self, variables, query):
        return {"nodes": [{"id": LOCATION, "name": "Shop location"}]}

    def _query_order(self, variables, query):
        order = self.orders.get(_id(variables, "id"))
        if order is None:
            return None
        if "fulfillmentOrders" in query:
            return {"fulfillmentOrders": {"nodes": self.fulfillment_orders[order["id"]]}}
        return order

    def _query_webhookSubscription(self, variables, query):
        return self.webhook_subscriptions.get(_id(variables, "id"))

    def _query_productVariant(self, variables, query):
        variant = self.variants.get(_id(variables, "id"))
        return variant and {"id": variant["id"], "product": variant["product"]}

    # mutations

    def _mutation_webhookSubscriptionCreate(self, variables, query):
        topic = _required(variables, "topic")
        subscription = _required(variables, "webhookSubscription")
        uri = subscription.get("uri") or subscription.get("callbackUrl") or ""
        if not uri.startswith("https://") and not self.http_addresses:
            protocol = uri.split("//", 1)[0] + "//"
            return _refused(
                ["webhookSubscription", "uri"], f"Address protocol {protocol} is not supported"
            )
        if any(
            s["topic"] == topic and s["uri"] == uri for s in self.webhook_subscriptions.values()
        ):
            return _refused(
                ["webhookSubscription", "uri"], "Address for this topic has already been taken"
            )
        created = {
            "id": self._new_id("WebhookSubscription"),
            "topic": topic,
            "uri": uri,
            "format": subscription.get("format", "JSON"),
        }
        self.webhook_subscriptions[created["id"]] = created
        return {"webhookSubscription": created, "userErrors": []}

    def _mutation_webhookSubscriptionDelete(self, variables, query):
        subscription_id = _id(variables, "id")
        if self.webhook_subscriptions.pop(subscription_id, None) is None:
            return _refused(["id"], "Webhook subscription does not exist")
        return {"deletedWebhookSubscriptionId": subscription_id, "userErrors": []}

    def _mutation_tagsAdd(self, variables, query):
        order = self.orders.get(_id(variables, "id"))
        if order is None:
            return _refused(["id"], "Order does not exist")
        tags = _required(variables, "tags")
        order["tags"] = sorted(set(order["tags"]) | set(tags))
        return {
            "node": {"id": order["id"], "note": order["note"], "tags": order["tags"]},
            "userErrors": [],
        }

    def _mutation_orderUpdate(self, variables, query):
        given = _required(variables, "input")
        order = self.orders.get(_id(given, "id"))
        if order is None:
            return _refused(["id"], "Order does not exist")
        order["note"] = given.get("note", order["note"])
        return {
            "order": {"id": order["id"], "note": order["note"], "tags": order["tags"]},
            "userErrors": [],
        }

    def _mutation_fulfillmentCreate(self, variables, query):
        given = _required(variables, "fulfillment")
        wanted = [group["fulfillmentOrderId"] for group in given["lineItemsByFulfillmentOrder"]]
        open_ones = {
            fo["id"]: fo
            for fos in self.fulfillment_orders.values()
            for fo in fos
            if fo["status"] == "OPEN"
        }
        if not wanted or any(fo_id not in open_ones for fo_id in wanted):
            return _refused(["fulfillment"], "Fulfillment order is not in an open state.")
        for fo_id in wanted:
            open_ones[fo_id]["status"] = "CLOSED"
            open_ones[fo_id]["supportedActions"] = []
        tracking = given.get("trackingInfo") or {}
        fulfillment = {
            "id": self._new_id("Fulfillment"),
            "status": "SUCCESS",
            "trackingInfo": [
                {
                    "number": tracking.get("number"),
                    "company": tracking.get("company"),
                    "url": tracking.get("url"),
                }
            ],
        }
        self.fulfillments.append(fulfillment)
        return {"fulfillment": fulfillment, "userErrors": []}

    def _mutation_inventoryAdjustQuantities(self, variables, query):
        key = _required(variables, "idempotencyKey")
        if "@idempotent(key: $idempotencyKey)" not in query:
            raise GraphQLError("Variable $idempotencyKey is declared by AdjustStock but not used")
        if key in self.adjustments:
            return self.adjustments[key]
        given = _required(variables, "input")
        changes = []
        for index, change in enumerate(given["changes"]):
            item = _id(change, "inventoryItemId")
            location = _id(change, "locationId")
            levels = self.stock.get((item, location))
            if levels is None:
                field = ["input", "changes", str(index), "inventoryItemId"]
                return _refused(field, "The specified inventory item could not be found.")
            levels[given["name"]] += change["delta"]
            if given["name"] == "available":
                levels["on_hand"] += change["delta"]
            changes.append(
                {"name": given["name"], "delta": change["delta"], "quantityAfterChange": None}
            )
        result = {
            "inventoryAdjustmentGroup": {
                "createdAt": "2026-01-15T10:00:00Z",
                "reason": given["reason"],
                "changes": changes,
            },
            "userErrors": [],
        }
        self.adjustments[key] = result
        return result

    def _mutation_productVariantsBulkUpdate(self, variables, query):
        product_id = _id(variables, "productId")
        updated = []
        for index, change in enumerate(_required(variables, "variants")):
            variant = self.variants.get(_id(change, "id"))
            if variant is None or variant["product"]["id"] != product_id:
                return _refused(["variants", str(index), "id"], "Product variant does not exist")
            variant["price"] = change.get("price", variant["price"])
            variant["compareAtPrice"] = change.get("compareAtPrice", variant["compareAtPrice"])
            updated.append({k: variant[k] for k in ("id", "price", "compareAtPrice")})
        return {"productVariants": updated, "userErrors": []}


def _required(variables: dict, name: str) -> Any:
    if variables.get(name) is None:
        raise GraphQLError(
            f"Variable ${name} was provided invalid value",
            value=None,
            problems=[{"path": [], "explanation": "Expected value to not be null"}],
        )
    return variables[name]


def _id(variables: dict, name: str) -> str:
    """An ``ID!`` variable: Shopify refuses anything but a global id (of any kind)."""
    value = _required(variables, name)
    if not isinstance(value, str) or not re.fullmatch(r"gid://shopify/\w+/\d+", value):
        raise GraphQLError(
            f"Variable ${name} of type ID! was provided invalid value",
            value=value,
            problems=[{"path": [], "explanation": f"Invalid global id '{value}'"}],
        )
    return value


def _refused(field: list[str], message: str) -> dict:
    return {"userErrors": [{"field": field, "message": message}]}
