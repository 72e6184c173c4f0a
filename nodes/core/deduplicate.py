"""Deduplicate: let an item through only the first time its key is seen within a window."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from nodes.engine.mapping import MappingError, evaluate
from nodes.kit import store
from nodes.kit.base import NodeContext, Outcome, UserError
from nodes.kit.registry import node

EXAMPLE = [{"id": 1001, "email": "zoë@example.com"}, {"id": 1002, "email": "jon@example.com"}]


def item_key(expression: str, item: Any, position: int | None) -> str:
    """The item's key as canonical JSON text, so 1001 and "1001" stay different keys."""
    where = "" if position is None else f" (item {position + 1})"
    try:
        key = evaluate(expression, item)
    except MappingError as error:
        raise UserError(
            f"The key `{expression}` could not be evaluated{where}: {error.message}", field="key"
        ) from None
    if key is None or key == "":
        raise UserError(
            f"The key `{expression}` found nothing{where}, so it cannot tell whether the item "
            "was seen before.",
            field="key",
        )
    return json.dumps(key, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@node(
    "core.deduplicate",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["key"],
        "properties": {
            "key": {
                "type": "string",
                "format": "jmespath",
                "title": "Key",
                "description": "What makes an item the same item, read from each item, e.g. "
                "id, or [email, sku] for a combination.",
                "default": "id",
            },
            "window_hours": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 8760,
                "title": "Remember for (hours)",
                "description": "An item seen longer ago than this counts as new again.",
                "default": 168,
            },
        },
    },
    output_schema={"description": "The item, or the list of new items."},
    output_example=EXAMPLE,
    describe_output=lambda _node, input_schema: input_schema,
)
def deduplicate(ctx: NodeContext, params: dict[str, Any], input: Any) -> Outcome:
    window = timedelta(hours=params.get("window_hours", 168))
    items = input if isinstance(input, list) else [input]
    keys = [
        item_key(params["key"], item, i if items is input else None) for i, item in enumerate(items)
    ]
    distinct = list(dict.fromkeys(keys))  # a key twice in one list: only its first item is new
    new = dict(
        zip(distinct, store.seen_items().first_sightings(ctx, distinct, window), strict=True)
    )
    kept, taken = [], set()
    for key, item in zip(keys, items, strict=True):
        if new[key] and key not in taken:
            kept.append(item)
            taken.add(key)
    if not isinstance(input, list):
        return Outcome(input, ports=("main",) if kept else ())
    return Outcome(kept, ports=("main",) if kept else ())
