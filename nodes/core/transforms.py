"""Built-in transforms that shape data: map fields, filter items."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, Outcome
from nodes.kit.registry import node


@node(
    "core.map",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["fields"],
        "properties": {
            "fields": {
                "type": "object",
                "title": "Fields",
                "description": "Name of each output field and its value. A fixed text may "
                "include data, e.g. {{ trigger.customer.first_name }} "
                "{{ trigger.customer.last_name }}.",
                "additionalProperties": {"format": "template"},
            }
        },
    },
    output_schema={"type": "object", "description": "The fields, as configured."},
    output_example={"id": 820982911946154508, "email": "jon@example.com", "total": 403.0},
    pure=True,
    describe_output=lambda node, _input: {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            **{name: {} for name in node.get("params", {}).get("fields", {})},
            **{
                path.split(".")[1]: {}
                for path in node.get("mapping", {})
                if path.startswith("fields.")
            },
        },
    },
)
def map_fields(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, Any]:
    return params["fields"]


@node(
    "core.filter",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["condition"],
        "properties": {
            "condition": {
                "title": "Condition",
                "format": "condition",
                "description": "True, a number other than 0 or a non-empty text lets the data "
                "through; false, null, 0 or empty stops it.",
            }
        },
    },
    output_schema={"description": "The data it received, unchanged."},
    output_example={"id": 820982911946154508, "total": 403.0},
    pure=True,
    describe_output=lambda _node, input_schema: input_schema,
)
def filter_items(ctx: NodeContext, params: dict[str, Any], input: Any) -> Outcome:
    passed = truthy(params["condition"])
    return Outcome(input, ports=("main",) if passed else ())


def truthy(value: Any) -> bool:
    """JMESPath's notion of truth, plus 0 and "false" as false, as a merchant would expect."""
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no")
    return bool(value)
