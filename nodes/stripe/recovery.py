"""Catching up after Stripe disabled or lost the webhook endpoint Shopwire registered.

Stripe disables an endpoint whose deliveries keep failing (and e-mails the account owner, not
Shopwire); a merchant may delete it. ``GET /v1/webhook_endpoints/<id>`` then answers a
``status`` other than ``enabled``, or 404 ``resource_missing``.

What the endpoint missed is read from ``GET /v1/events`` (the last 30 days): the events of
the trigger's type created since the last one the flow received. That covers both events
Stripe tried and failed to deliver (``delivery_success=false`` would list only those) and
events created while the endpoint was disabled, which Stripe never tried to deliver. An event
keeps its id, which is also what a delivery is deduplicated by, so an event both delivered
and fetched runs once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nodes.kit.webhooks import still_active

PAGE = 100  # the most /v1/events lists at once
MAX_PAGES = 100  # 10,000 events: a longer gap is for the merchant to look at, not to replay


def endpoint_alive(api, subscription: dict[str, Any]) -> bool:
    return still_active(api, f"/v1/webhook_endpoints/{subscription['id']}", "enabled")


def missed(api, event_type: str, seen: Any, until: datetime) -> list[tuple[str, Any]] | None:
    """The events of ``event_type`` after the event ``seen``, oldest first."""
    if not isinstance(seen, dict) or not isinstance(seen.get("created"), int):
        return None
    params = {
        "type": event_type,
        "created[gte]": seen["created"],  # the same second as the one seen: kept, by id
        "created[lte]": int(until.timestamp()),
        "limit": PAGE,
    }
    found: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = api.get("/v1/events", params=params)
        found += page["data"]
        if not page.get("has_more") or not page["data"]:
            break
        params["starting_after"] = page["data"][-1]["id"]  # newest first: older ones next
    found.reverse()
    return [(event["id"], event) for event in found if event["id"] != seen.get("id")]
