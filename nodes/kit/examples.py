"""Real example payloads shipped with the connectors (copied from vendors' docs and SDK tests).

Each connector package keeps them in its ``examples/`` folder, with a ``SOURCES.md`` that says
where every file comes from. They are the triggers' and actions' ``output_example`` (the
editor's sample data before a flow has run) and what the connector's fake answers with.
"""

from __future__ import annotations

import json
from functools import cache, reduce
from importlib import resources
from typing import Any


@cache
def example_bytes(connector: str, filename: str) -> bytes:
    """The bytes of ``nodes/<connector>/examples/<filename>``, exactly as stored."""
    return resources.files(f"nodes.{connector}").joinpath("examples", filename).read_bytes()


def example(connector: str, name: str) -> Any:
    """A fresh copy of ``nodes/<connector>/examples/<name>.json``."""
    return json.loads(example_bytes(connector, f"{name}.json"))


JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def schema_of(value: Any) -> dict[str, Any]:
    """A JSON Schema a node's output example fits: the output schema of a node that writes
    none. Objects list their fields, lists what all their items share; a null, or fields
    whose items disagree, say nothing (they may hold anything)."""
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: schema_of(v) for k, v in value.items()}}
    if isinstance(value, list):
        items = [schema_of(item) for item in value]
        return {"type": "array", "items": reduce(_common, items)} if items else {"type": "array"}
    kind = JSON_TYPES.get(type(value))
    return {"type": kind} if kind else {}


def _common(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """What two derived schemas share: objects their fields (each field's common schema)."""
    if one == other:
        return one
    if one.get("type") == other.get("type") == "object":
        fields = {**other["properties"], **one["properties"]}
        return {
            "type": "object",
            "properties": {
                name: _common(one["properties"].get(name, {}), other["properties"].get(name, {}))
                for name in fields
            },
        }
    return {}


def listed(connector: str, filename: str) -> tuple[str, ...]:
    """The lines of ``nodes/<connector>/<filename>`` that are not blank or comments: the
    event types a provider documents."""
    text = resources.files(f"nodes.{connector}").joinpath(filename).read_text()
    return tuple(line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#"))
