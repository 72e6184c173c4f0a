"""Catching up after Shopify dropped a webhook subscription.

Shopify deletes a subscription whose deliveries keep failing (8 tries over 4 hours), and
nothing tells the app: ``webhookSubscription(id:)`` then answers null. The orders placed
meanwhile are fetched with the REST Admin API's ``orders.json`` (``since_id``: those after
the last one seen, oldest first; ``created_at_max``: not those the new subscription delivers),
because it answers in the webhook's own shape, so a flow's mappings work on a fetched order as
on a delivered one; the GraphQL API names fields apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

SUBSCRIPTION = "query Subscription($id: ID!) { webhookSubscription(id: $id) { id } }"
PAGE = 250  # the most orders.json returns at once
MAX_PAGES = 40  # 10,000 orders: a longer gap is for the merchant to look at, not to replay

# Topic → the orders.json filters that select what it would have delivered.
MISSED_ORDERS: dict[str, dict[str, str]] = {
    "orders/create": {},
    "orders/paid": {"financial_status": "paid"},
    "orders/fulfilled": {"fulfillment_status": "shipped"},
}


def subscription_alive(api, subscription: dict[str, Any]) -> bool:
    found = api.graphql(SUBSCRIPTION, {"id": subscription["id"]}) or {}
    return found.get("webhookSubscription") is not None


def missed_orders(api, topic: str, seen: Any, until: datetime) -> list[tuple[str, Any]] | None:
    """The orders after the one ``seen`` that ``topic`` would have delivered, oldest first."""
    filters = MISSED_ORDERS.get(topic)
    if filters is None or not isinstance(seen, dict) or not isinstance(seen.get("id"), int):
        return None
    since_id = seen["id"]
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = api.get(
            "/orders.json",
            params={
                "since_id": since_id,
                "created_at_max": until.isoformat(),
                "status": "any",
                "limit": PAGE,
                **filters,
            },
        )["orders"]
        found += page
        if len(page) < PAGE:
            break
        since_id = page[-1]["id"]
    return [(f"recovered:{order['id']}", order) for order in found]
