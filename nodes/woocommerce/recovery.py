"""Catching up after WooCommerce disabled or lost a webhook Shopwire registered.

WooCommerce sets a webhook to ``disabled`` after five deliveries in a row failed
(``woocommerce_max_webhook_delivery_failures``), and a merchant may delete it; nothing tells
Shopwire. ``GET /webhooks/<id>`` then answers a status other than ``active``, or 404.

What the webhook missed is listed with the REST API itself, because a webhook's body is the
resource's REST representation: ``created`` topics by creation time (``after``/``before``),
``updated`` topics by modification time (``modified_after``/``modified_before``), both in
GMT (``dates_are_gmt``), page by page (``per_page`` at most 100).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nodes.kit.webhooks import still_active

PER_PAGE = 100  # the most WooCommerce lists at once
MAX_PAGES = 100  # 10,000 records: a longer gap is for the merchant to look at, not to replay
COLLECTIONS = {"order": "/orders", "product": "/products"}
# Topic event → the record's time stamp and the list filters that bound it.
EVENTS = {
    "created": ("date_created_gmt", "after", "before"),
    "updated": ("date_modified_gmt", "modified_after", "modified_before"),
}
STAMP = "%Y-%m-%dT%H:%M:%S"


def webhook_alive(api, subscription: dict[str, Any]) -> bool:
    return still_active(api, f"/webhooks/{subscription['id']}", "active")


def missed(api, topic: str, seen: Any, until: datetime) -> list[tuple[str, Any]] | None:
    """The records ``topic`` would have delivered after the delivery ``seen``, oldest first."""
    resource, _, event = topic.partition(".")
    if resource not in COLLECTIONS or event not in EVENTS or not isinstance(seen, dict):
        return None
    stamp, since, before = EVENTS[event]
    if not seen.get(stamp):
        return None
    # A second earlier: a record of the same second as the one seen is not lost to an
    # exclusive bound.
    start = datetime.fromisoformat(seen[stamp]) - timedelta(seconds=1)
    # The bounds are exclusive and to the second: a second later, not to miss what was made
    # in the second of ``until``.
    end = until + timedelta(seconds=1)
    params = {
        since: start.strftime(STAMP),
        before: end.strftime(STAMP),
        "dates_are_gmt": "true",
        "orderby": "id",
        "order": "asc",
        "per_page": PER_PAGE,
    }
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        records = api.get(COLLECTIONS[resource], params={**params, "page": page})
        found += records
        if len(records) < PER_PAGE:
            break
    # After the one seen in (time, id) order: the time alone is to the second.
    position = (seen[stamp], seen.get("id", 0))
    later = sorted(
        (record for record in found if (record.get(stamp) or "", record["id"]) > position),
        key=lambda record: (record[stamp], record["id"]),
    )
    return [(_key(resource, event, record), record) for record in later]


def _key(resource: str, event: str, record: dict[str, Any]) -> str:
    """Once per record created; once per change of a record updated."""
    if event == "created":
        return f"recovered:{resource}:{record['id']}"
    return f"recovered:{resource}:{record['id']}:{record.get('date_modified_gmt')}"
