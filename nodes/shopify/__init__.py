"""Shopify: shop events as triggers, order, fulfilment, stock and price changes as actions.

Everything goes through the GraphQL Admin API (https://shopify.dev/docs/api/admin-graphql) at
one pinned version, authenticated with the app's Admin API access token. Failures come back in
200 replies: top-level ``errors`` (handled by :meth:`ApiClient.graphql`), ``THROTTLED`` with the
query-cost bucket in ``extensions.cost`` (:func:`throttle_wait`), and a mutation's
``userErrors`` (:func:`mutate`). Deliveries are signed with the app's API secret key
(``X-Shopify-Hmac-Sha256``) and carry their topic and a delivery id in headers.
"""

from __future__ import annotations

import re
from typing import Any

from nodes.kit.auth import ApiKey
from nodes.kit.base import Connector, ProviderError, UserError, account_schema
from nodes.kit.client import HINTS
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.webhooks import Hmac, Recovery, Webhooks, header
from nodes.shopify import recovery

# Pinned: 2026-01 is the version the example payloads come from and the first to accept the
# @idempotent directive on inventoryAdjustQuantities.
API_VERSION = "2026-01"
SHOP_DOMAIN = r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$"

AUTH = account_schema(
    "Shopify shop",
    ["shop", "access_token"],
    shop={
        "type": "string",
        "title": "Shop domain",
        "description": "The shop's address at Shopify, e.g. acme.myshopify.com (not your "
        "own domain).",
        "pattern": SHOP_DOMAIN,
    },
    access_token={
        "type": "string",
        "title": "Admin API access token",
        "description": "Settings → Apps → Develop apps → your app → API credentials: the "
        "token starting with shpat_. The app needs the scopes read_orders, write_orders, "
        "write_merchant_managed_fulfillment_orders, write_inventory, write_products and "
        "read_customers for the steps you use.",
        "minLength": 1,
        "writeOnly": True,
    },
    api_secret={
        "type": "string",
        "title": "API secret key",
        "description": "Same page, the app's API secret key. Shopify signs the events it "
        "sends with it; only needed for Shopify triggers.",
        "minLength": 1,
        "writeOnly": True,
    },
)


def throttle_wait(response, body: Any) -> float | None:
    """Seconds until the query-cost bucket holds this query's cost again, when THROTTLED.

    Shopify refills ``restoreRate`` points a second; the reply says how many points the
    query needs (``requestedQueryCost``) and how many are left (``currentlyAvailable``).
    """
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list) or not any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    ):
        return None
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(0.0, missing / float(status["restoreRate"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0  # a throttled reply without its numbers: wait a second


def gid(kind: str, value: Any, field: str) -> str:
    """A Shopify global id from the number the merchant sees or the gid itself.

    ``820982911946154508`` and ``"gid://shopify/Order/820982911946154508"`` both work; an id
    of another kind (a product's for an order) is refused naming the field.
    """
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return f"gid://shopify/{kind}/{text}"
    if re.fullmatch(rf"gid://shopify/{kind}/\d+", text):
        return text
    raise UserError(
        f'The field "{field}" got {text!r}, which is not a Shopify {kind} id: give its number '
        f"(e.g. 820982911946154508) or gid://shopify/{kind}/….",
        field=field,
    )


def mutate(api, name: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Run a mutation; its payload, or a ProviderError with Shopify's ``userErrors``."""
    payload = api.graphql(document, variables)[name] or {}
    problems = payload.get("userErrors") or []
    if problems:
        raise ProviderError(
            "Shopify refused the change: " + "; ".join(map(_user_error, problems)),
            hint=HINTS[422],
        )
    return payload


def _user_error(problem: dict[str, Any]) -> str:
    """``{"field": ["input", "note"], "message": "…"}`` as "… (field input.note)"."""
    field = ".".join(map(str, problem.get("field") or []))
    return problem["message"] + (f" (field {field})" if field else "")


SUBSCRIBE = """
mutation Subscribe(
  $topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!
) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}"""
UNSUBSCRIBE = """
mutation Unsubscribe($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}"""


def _subscribe(api, url: str, topic: str) -> dict[str, Any]:
    if not api.credential.get("api_secret"):
        raise UserError(
            "The Shopify account has no API secret key, so the events Shopify sends could "
            "not be checked: enter it in the account, then switch the flow on.",
            field="credential",
        )
    created = mutate(
        api,
        "webhookSubscriptionCreate",
        SUBSCRIBE,
        {
            "topic": topic.upper().replace("/", "_"),
            "webhookSubscription": {"uri": url, "format": "JSON"},
        },
    )
    return {"id": created["webhookSubscription"]["id"]}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    mutate(api, "webhookSubscriptionDelete", UNSUBSCRIBE, {"id": subscription["id"]})


LOCATIONS = """
query Locations { locations(first: 100) { nodes { id name } } }"""


def _locations(api) -> list[dict[str, Any]]:
    """The shop's locations, for a stock change."""
    found = api.graphql(LOCATIONS)["locations"]["nodes"]
    return [{"value": location["id"], "label": location["name"]} for location in found]


RECORD = {
    "type": "object",
    "required": ["id", "admin_graphql_api_id"],
    "properties": {"id": {"type": "integer"}, "admin_graphql_api_id": {"type": "string"}},
}

shopify = Connector(
    "shopify",
    auth=AUTH,
    base_url=lambda credential: f"https://{credential['shop']}/admin/api/{API_VERSION}",
    graphql_path="/graphql.json",
    auth_type=ApiKey("access_token", header="X-Shopify-Access-Token"),
    errors=ErrorBody(("errors[].message", "errors")),
    throttled=throttle_wait,
    test=lambda api: api.graphql("query Shop { shop { name } }"),
    webhooks=Webhooks(
        events=listed("shopify", "topics.txt"),
        event_type=header("X-Shopify-Topic"),
        signature=Hmac("X-Shopify-Hmac-Sha256", secret="api_secret", subscribed=None),
        # Shopify resends a failed delivery with the same X-Shopify-Webhook-Id.
        event_id=header("X-Shopify-Webhook-Id"),
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        kept_headers=("X-Shopify-Topic", "X-Shopify-Webhook-Id", "X-Shopify-Shop-Domain"),
        schema=RECORD,
        example=example("shopify", "webhook.orders_create"),
        recovery=Recovery(alive=recovery.subscription_alive, missed=recovery.missed_orders),
    ),
    options={"locations": _locations},
)


from nodes.shopify import actions, triggers  # noqa: E402, F401  (they declare the nodes)
