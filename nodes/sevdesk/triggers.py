"""sevDesk's polling trigger: invoices that are new or changed since the last poll."""

from __future__ import annotations

from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.examples import example
from nodes.kit.polling import paged
from nodes.sevdesk import sevdesk

PAGE_SIZE = 100
STATUSES = {"draft": "100", "open": "200", "paid": "1000"}
# Each change of an invoice is its own item: the id with the time of the change, so an
# invoice changed twice runs the flow twice, and the same change never twice.
CHANGES = {
    "id_path": "join('@', [id, update])",
    "order_path": "update",
    "order_type": "date",
    "page_param": "offset",
    "newest_first": True,
    "max_pages": 5,
}


def _invoices(ctx: NodeContext, params: dict[str, Any], after: Any, page: int) -> list[Any]:
    """One page of invoices, the most recently changed first."""
    query: dict[str, Any] = {
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
        "orderBy[0][field]": "update",
        "orderBy[0][arrangement]": "desc",
        "embed": "contact",
    }
    if status := params.get("status"):
        query["status"] = STATUSES[status]
    return ctx.api.get("/Invoice", params=query)["objects"]


_changed_invoices = paged(_invoices)


@sevdesk.trigger(
    "invoice_changed",
    params=params_schema(
        ["schedule"],
        schedule={**SCHEDULE_SCHEMA, "title": "Check", "default": {"interval_minutes": 15}},
        status={
            "enum": list(STATUSES),
            "title": "Only invoices that are",
            "description": "draft, open (sent, not paid) or paid; empty: all.",
        },
    ),
    output_example=example("sevdesk", "invoice"),
    poll=lambda ctx, params: _changed_invoices(ctx, params | CHANGES),
)
def invoice_changed(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
