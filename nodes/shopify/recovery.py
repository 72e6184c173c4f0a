"""Catching up after Shopify dropped a webhook subscription.

Shopify deletes a subscription whose deliveries keep failing (8 tries over 4 hours), and
nothing tells the app: ``webhookSubscription(id:)`` then answers null. The orders placed
meanwhile are fetched with the REST Admin API's ``orders.json`` (``since_id``: those after
the last one seen, oldest first), because it answers in the webhook's own shape, so a flow's
mappings work on a fetched order as on a delivered one; the GraphQL API names fields apart.
"""

from __future__ import annotations

from typing import Any

from nodes.shopify import API_VERSION

SUBSCRIPTION = "query Subscription($id: ID!) { webhookSubscription(id: $id) { id } }"
PAGE = 250  # the most orders.json returns at once
MAX_PAGES = 40  # 10,000 orders: a longer gap is for the merchant to look at, not to replay

# Trigger name → the orders.json filters that select what its topic would have delivered.
MISSED_ORDERS: dict[str, dict[str, str]] = {
    "order_created": {},
    "order_paid": {"financial_status": "paid"},
    "order_fulfilled": {"fulfillment_status": "shipped"},
}


def subscription_alive(api, subscription: dict[str, Any]) -> bool:
    found = api.graphql(SUBSCRIPTION, {"id": subscription["id"]}) or {}
    return found.get("webhookSubscription") is not None


def missed_orders(api, trigger: str, since_id: int) -> list[dict[str, Any]]:
    """The orders after ``since_id`` that the trigger would have received, oldest first."""
    filters = MISSED_ORDERS[trigger]
    url = f"https://{api.credential['shop']}/admin/api/{API_VERSION}/orders.json"
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = api.get(
            url, params={"since_id": since_id, "status": "any", "limit": PAGE, **filters}
        )["orders"]
        found += page
        if len(page) < PAGE:
            break
        since_id = page[-1]["id"]
    return found
