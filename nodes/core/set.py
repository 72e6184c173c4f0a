"""Set: fixed values and text with placeholders, e.g. a tag or an e-mail subject."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, UserError
from nodes.kit.registry import node

EXAMPLE_INPUT = {"id": 820982911946154508, "email": "zoë@example.com", "total_price": "403.00"}


def _names(node: dict[str, Any]) -> dict[str, Any]:
    return {
        **{name: {} for name in node.get("params", {}).get("values", {})},
        **{
            path.split(".", 2)[1]: {}
            for path in node.get("mapping", {})
            if path.startswith("values.")
        },
    }


def describe_set_output(node: dict[str, Any], input_schema: dict[str, Any]) -> dict[str, Any]:
    if node.get("params", {}).get("keep_input"):
        properties = {**input_schema.get("properties", {}), **_names(node)}
        return {**input_schema, "type": "object", "properties": properties}
    return {"type": "object", "additionalProperties": False, "properties": _names(node)}


@node(
    "core.set",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["values"],
        "properties": {
            "values": {
                "type": "object",
                "title": "Values",
                "description": "Each field's name and its value. Text may contain placeholders "
                "like {{ trigger.email }}.",
                "additionalProperties": {"format": "template"},
            },
            "keep_input": {
                "type": "boolean",
                "title": "Keep the input's fields",
                "description": "Output the input's fields too, with these values added or "
                "replaced.",
                "default": False,
            },
        },
    },
    output_schema={"type": "object", "description": "The values, as set."},
    output_example={"subject": "Order 820982911946154508 for zoë@example.com", "tag": "paid"},
    describe_output=describe_set_output,
    pure=True,
)
def set_values(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, Any]:
    # The engine has rendered the placeholders (format "template") before the call.
    if not params.get("keep_input"):
        return params["values"]
    if not isinstance(input, dict):
        raise UserError(
            "The input is not a group of fields, so its fields cannot be kept: switch off "
            '"Keep the input\'s fields".',
            field="keep_input",
        )
    return {**input, **params["values"]}
