"""The schedule trigger: start the flow at set times, e.g. every weekday at 8:00 Berlin time."""

from __future__ import annotations

from typing import Any

from nodes.engine.cron import SCHEDULE_SCHEMA
from nodes.kit.base import NodeContext
from nodes.kit.registry import node

SCHEDULED_OUTPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "scheduled_at": {
            "type": "string",
            "description": "The planned time of this run, ISO 8601 in the schedule's zone.",
        },
        "timezone": {"type": "string"},
    },
}


@node(
    "core.schedule",
    kind="trigger",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["schedule"],
        "properties": {"schedule": SCHEDULE_SCHEMA},
    },
    output_schema=SCHEDULED_OUTPUT,
    output_example={"scheduled_at": "2026-03-02T08:00:00+01:00", "timezone": "Europe/Berlin"},
)
def schedule(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
