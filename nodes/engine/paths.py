"""Which data paths a JMESPath expression reads, and whether they can exist.

On save, every mapping expression is checked against what the steps before it are declared to
return, so ``input.totl`` after a step that returns ``total`` is flagged before the flow runs.
Only paths into schemas that are closed (``additionalProperties: false``) can be judged; an
open schema, like a webhook's body, may hold anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nodes.engine.mapping import compile_expression

# Node types whose first child is evaluated against the document the expression starts from;
# the other children see the elements it produces.
ROOTED_FIRST_CHILD = {
    "projection",
    "filter_projection",
    "value_projection",
    "flatten",
    "pipe",
    "index_expression",
}
ALL_CHILDREN_ROOTED = {
    "comparator",
    "and_expression",
    "or_expression",
    "not_expression",
    "function_expression",
    "multi_select_list",
    "multi_select_dict",
    "key_val_pair",
}


def closed_object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "additionalProperties": False}


def root_paths(expression: str) -> list[list[str]]:
    """The field paths the expression reads from its starting document, e.g.
    ``to_number(input.total) > `0``` reads ``["input", "total"]``."""
    return list(_paths(compile_expression(expression).parsed))


def _paths(node: dict[str, Any]) -> Iterator[list[str]]:
    kind, children = node["type"], node.get("children", [])
    if kind == "field":
        yield [node["value"]]
    elif kind == "subexpression":
        names = []
        for child in children:
            if child["type"] == "field":
                names.append(child["value"])
                continue
            if child["type"] == "index_expression" and child["children"][0]["type"] == "field":
                names.append(child["children"][0]["value"])
            break
        if names:
            yield names
        else:
            yield from _paths(children[0])
    elif kind in ROOTED_FIRST_CHILD and children:
        yield from _paths(children[0])
    elif kind in ALL_CHILDREN_ROOTED:
        for child in children:
            yield from _paths(child)


def missing_path(names: list[str], schema: dict[str, Any]) -> tuple[str, list[str]] | None:
    """The first prefix of ``names`` that cannot exist in ``schema``, with what could be there
    instead; None if the path may exist."""
    for depth, name in enumerate(names):
        if schema.get("additionalProperties") is not False or "properties" not in schema:
            return None
        properties = schema["properties"]
        if name not in properties:
            return ".".join(names[: depth + 1]), sorted(properties)
        schema = properties[name]
    return None
