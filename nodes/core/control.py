"""Built-in control flow: route, split and aggregate, merge, wait, call another flow, answer a
webhook, and the trigger that receives failed executions.

The engine does the scheduling (see ``docs/flows.md``); these nodes only declare what they need
(``control``, ``ports_from``) and compute their output.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from nodes.core.transforms import truthy
from nodes.kit.base import NodeContext, Outcome, PortsFrom, UserError
from nodes.kit.registry import node

OBJECT = {"type": "object", "additionalProperties": False, "properties": {}}
ORDER = {"id": 820982911946154508, "total": "403.00", "country": "AT"}
LINES = [
    {"sku": "IPOD2008PINK", "quantity": 1, "price": "199.00"},
    {"sku": "KAFFEE-ÄTHIOPIEN", "quantity": 2, "price": "12.50"},
]
MAX_DELAY_SECONDS = 30 * 24 * 3600
RESERVED_PORTS = ["default", "error", "main"]


def same_as_input(_node: dict, input_schema: dict) -> dict:
    return input_schema


@node(
    "core.router",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["branches"],
        "properties": {
            "mode": {
                "enum": ["first", "all"],
                "default": "first",
                "title": "Which branches",
                "description": "Only the first branch whose condition is true, or every "
                "branch whose condition is true.",
                "x-enum-titles": {
                    "first": {"en": "The first that fits", "de": "Der erste passende"},
                    "all": {"en": "Every one that fits", "de": "Jeder passende"},
                },
            },
            "branches": {
                "type": "array",
                "title": "Branches",
                "minItems": 1,
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "condition"],
                    "properties": {
                        "name": {
                            "type": "string",
                            "title": "Branch name",
                            "pattern": "^[A-Za-z0-9_-]{1,40}$",
                            "not": {"enum": RESERVED_PORTS},
                        },
                        "condition": {
                            "type": "string",
                            "title": "Condition (JMESPath)",
                            "format": "jmespath",
                            "description": "True, a number other than 0 or a non-empty text "
                            "matches; false, null, 0 or empty does not.",
                        },
                    },
                },
            },
        },
    },
    ports_from=PortsFrom("branches", "name", ("default",)),
    output_schema={"description": "The data it received, unchanged."},
    output_example=ORDER,
    describe_output=same_as_input,
)
def route(ctx: NodeContext, params: dict[str, Any], input: Any) -> Outcome:
    chosen: list[str] = []
    for position, branch in enumerate(params["branches"]):
        if truthy(ctx.evaluate(branch["condition"], f"branches.{position}.condition")):
            chosen.append(branch["name"])
            if params.get("mode", "first") == "first":
                break
    return Outcome(input, ports=tuple(dict.fromkeys(chosen)) or ("default",))


@node(
    "core.split",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "title": "List",
                "description": "Usually from data, e.g. trigger.line_items.",
            }
        },
    },
    control="split",
    output_schema={"type": "array", "description": "The list, one entry per run."},
    output_example=LINES,
)
def split(ctx: NodeContext, params: dict[str, Any], input: Any) -> list[Any]:
    return params["items"]


@node(
    "core.aggregate",
    kind="transform",
    params=OBJECT,
    control="items",
    output_schema={"type": "array", "description": "One entry per item that got here."},
    output_example=LINES,
)
def aggregate(ctx: NodeContext, params: dict[str, Any], input: list[Any]) -> list[Any]:
    return input


@node(
    "core.merge",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "mode": {
                "enum": ["list", "combine"],
                "default": "list",
                "title": "What goes on",
                "x-enum-titles": {
                    "list": {
                        "en": "A list with what each branch returned",
                        "de": "Eine Liste mit dem Ergebnis jedes Zweigs",
                    },
                    "combine": {
                        "en": "The fields of all branches in one group",
                        "de": "Die Felder aller Zweige in einer Gruppe",
                    },
                },
            }
        },
    },
    control="branches",
    output_schema={"type": ["array", "object"]},
    output_example=[{"id": 820982911946154508}, {"label": "DHL"}],
)
def merge(ctx: NodeContext, params: dict[str, Any], input: list[Any]) -> Any:
    if params.get("mode", "list") == "list":
        return input
    combined: dict[str, Any] = {}
    for position, branch in enumerate(input):
        if not isinstance(branch, dict):
            raise UserError(
                f"Combine needs an object from every branch; branch {position + 1} returned "
                f"{type(branch).__name__}. Use the mode list instead.",
                field="mode",
            )
        combined.update(branch)
    return combined


@node(
    "core.delay",
    kind="transform",
    params={
        "type": "object",
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 1,
        "properties": {
            "seconds": {
                "type": "integer",
                "title": "Seconds",
                "minimum": 1,
                "maximum": MAX_DELAY_SECONDS,
            },
            "until": {
                "type": "string",
                "title": "Until (date and time with time zone)",
                "description": "ISO 8601, e.g. 2026-12-24T09:00:00+01:00.",
            },
        },
    },
    output_schema={"description": "The data it received, unchanged."},
    output_example=ORDER,
    describe_output=same_as_input,
)
def delay(ctx: NodeContext, params: dict[str, Any], input: Any) -> Outcome:
    if "seconds" in params:
        resume_at = datetime.now(UTC) + timedelta(seconds=params["seconds"])
    else:
        resume_at = _moment(params["until"])
    return Outcome(input, resume_at=resume_at)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UserError(
            f'"{text}" is not a date and time; write it like 2026-12-24T09:00:00+01:00.',
            field="until",
        ) from None
    if moment.tzinfo is None:
        raise UserError(
            f'"{text}" has no time zone; add one, e.g. +01:00 or Z.', field="until"
        ) from None
    return moment.astimezone(UTC)


@node(
    "core.call_flow",
    kind="action",
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["flow_id"],
        "properties": {
            "flow_id": {"type": "string", "title": "Flow", "format": "flow"},
            "input": {"title": "Input", "description": "The data the other flow starts with."},
        },
    },
    output_schema={"description": "The output of the last step the other flow ran."},
    output_example={"sku": "IPOD2008PINK", "stock": 12},
)
def call_flow(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    if ctx.call_flow is None:
        raise UserError("Another flow can only be run inside an execution.")
    return ctx.call_flow(params["flow_id"], params.get("input", {}), ctx.idempotency_key)


@node(
    "core.respond_to_webhook",
    kind="action",
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "status": {"type": "integer", "minimum": 200, "maximum": 599, "default": 200},
            "headers": {
                "type": "object",
                "title": "Headers",
                "additionalProperties": {"type": "string", "maxLength": 1000},
                "propertyNames": {"pattern": "^([Cc]ontent-[Tt]ype|[Xx]-[A-Za-z0-9-]+)$"},
                "description": "Content-Type and X-… headers.",
            },
            "body": {"title": "Body", "description": "JSON, or text."},
        },
    },
    output_schema={
        "type": "object",
        "properties": {"status": {"type": "integer"}, "headers": {}, "body": {}},
    },
    output_example={"status": 200, "headers": {}, "body": {"ok": True}},
)
def respond_to_webhook(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, Any]:
    response = {
        "status": params.get("status", 200),
        "headers": params.get("headers", {}),
        "body": params.get("body"),
    }
    ctx.respond(response)
    return response


FAILED_EXECUTION = {
    "flow": {"id": "5f0c8a4e-1d2b-4c3a-9e8f-7a6b5c4d3e2f", "name": "Paid order → invoice"},
    "execution_id": "0b7e5c1a-3f2d-4e6b-8a9c-1d2e3f4a5b6c",
    "failed_node": {"id": "invoice", "name": "Create invoice"},
    "error": {"type": "provider", "message": "Contact not found", "node_id": "invoice"},
}


@node(
    "core.error_trigger",
    kind="trigger",
    params=OBJECT,
    output_schema={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "flow": {"type": "object", "properties": {"id": {}, "name": {}}},
            "execution_id": {"type": "string"},
            "failed_node": {"type": "object", "properties": {"id": {}, "name": {}}},
            "error": {"type": "object"},
        },
    },
    output_example=FAILED_EXECUTION,
)
def error_trigger(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input
