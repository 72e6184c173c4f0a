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
    title={"en": "Router", "de": "Verzweigung"},
    description={
        "en": "Sends the data on the branches whose condition is true: the first match only, "
        'or every match. If none matches, the data goes on the "default" branch. Each '
        "condition is a JMESPath expression over the data of this step (input, trigger, "
        "steps, item). Example: branches express = `input.total > `100`` and abroad = "
        '`input.country != \'DE\'`, input {"total": "403.00", "country": "AT"}, mode '
        "all: the unchanged input goes out on express and abroad.",
        "de": "Schickt die Daten auf die Zweige, deren Bedingung zutrifft: nur den ersten "
        "Treffer oder alle Treffer. Trifft keine zu, gehen die Daten auf den Zweig "
        '"default". Jede Bedingung ist ein JMESPath-Ausdruck über die Daten dieses '
        "Schritts (input, trigger, steps, item). Beispiel: Zweige express = "
        "`input.total > `100`` und ausland = `input.country != 'DE'`, Eingang "
        '{"total": "403.00", "country": "AT"}, Modus alle: der unveränderte Eingang '
        "geht auf express und ausland.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["branches"],
        "properties": {
            "mode": {
                "enum": ["first", "all"],
                "default": "first",
                "title": "Which branches",
                "description": "first: only the first branch whose condition is true; "
                "all: every branch whose condition is true.",
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
    title={"en": "Split into items", "de": "In Einträge aufteilen"},
    description={
        "en": "Runs the following steps once for each entry of a list, e.g. each order line. "
        "Inside, `item` is the current entry and `input` the step before. An Aggregate "
        "collects the results back into one list. Example: list `trigger.line_items` = "
        '[{"sku": "A"}, {"sku": "B"}]: the next steps run twice, with item '
        '{"sku": "A"}, then {"sku": "B"}. An empty list runs them not at all.',
        "de": "Führt die folgenden Schritte für jeden Eintrag einer Liste einmal aus, z. B. "
        "für jede Bestellposition. Darin ist `item` der aktuelle Eintrag und `input` der "
        "Schritt davor. Ein Sammeln-Schritt fasst die Ergebnisse wieder zu einer Liste "
        'zusammen. Beispiel: Liste `trigger.line_items` = [{"sku": "A"}, {"sku": '
        '"B"}]: die nächsten Schritte laufen zweimal, mit item {"sku": "A"}, dann '
        '{"sku": "B"}. Eine leere Liste führt sie gar nicht aus.',
    },
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
    title={"en": "Aggregate items", "de": "Einträge sammeln"},
    description={
        "en": "Collects what the steps after a Split returned for each item back into one "
        "list, in the order of the items. Items whose branch ended early (a filter) are left "
        'out. Example: after a split of 2 lines and a step that returned {"sku": "A", '
        '"ok": true} and {"sku": "B", "ok": true}, the output is the list of both.',
        "de": "Sammelt, was die Schritte nach einem Aufteilen für jeden Eintrag ergeben "
        "haben, wieder in einer Liste, in der Reihenfolge der Einträge. Einträge, deren Zweig "
        "vorher endete (Filter), fehlen. Beispiel: nach dem Aufteilen von 2 Positionen und "
        'einem Schritt, der {"sku": "A", "ok": true} und {"sku": "B", "ok": '
        "true} ergab, ist die Ausgabe die Liste beider.",
    },
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
    title={"en": "Merge branches", "de": "Zweige zusammenführen"},
    description={
        "en": "Waits until every branch leading here has finished, then goes on once. "
        "list: a list of what each branch that ran returned, in connection order; combine: "
        "one object with the fields of all (later branches win). Example (combine): "
        '{"id": 1} and {"label": "DHL"} give {"id": 1, "label": "DHL"}.',
        "de": "Wartet, bis jeder hierher führende Zweig fertig ist, und macht dann einmal "
        "weiter. Liste: was jeder gelaufene Zweig ergab, in der Reihenfolge der "
        "Verbindungen; zusammenfassen: ein Objekt mit den Feldern aller (spätere Zweige "
        'gewinnen). Beispiel (zusammenfassen): {"id": 1} und {"label": "DHL"} ergeben '
        '{"id": 1, "label": "DHL"}.',
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {"mode": {"enum": ["list", "combine"], "default": "list"}},
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
    title={"en": "Wait", "de": "Warten"},
    description={
        "en": "Pauses the flow for a number of seconds or until a time, then goes on with "
        "the data unchanged. No worker is held while waiting; the execution shows as "
        "waiting. A time in the past goes on at once. Example: seconds 3600 with input "
        '{"id": 1}: an hour later the next step gets {"id": 1}.',
        "de": "Hält den Ablauf für einige Sekunden oder bis zu einem Zeitpunkt an und macht "
        "dann mit unveränderten Daten weiter. Beim Warten wird kein Worker belegt; die "
        "Ausführung steht auf wartend. Ein Zeitpunkt in der Vergangenheit geht sofort "
        'weiter. Beispiel: 3600 Sekunden mit Eingang {"id": 1}: eine Stunde später '
        'erhält der nächste Schritt {"id": 1}.',
    },
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
    title={"en": "Run another flow", "de": "Anderen Ablauf ausführen"},
    description={
        "en": "Runs another of your flows with an input and goes on with its result: the "
        "output of the last step it ran. The other flow starts with a Manual run or Webhook "
        "trigger whose data is this input. A flow cannot call itself, directly or through "
        'others. Example: input {"sku": "A"} to a flow that looks up stock returns e.g. '
        '{"sku": "A", "stock": 12}.',
        "de": "Führt einen anderen Ihrer Abläufe mit einer Eingabe aus und macht mit dessen "
        "Ergebnis weiter: der Ausgabe seines letzten gelaufenen Schritts. Der andere Ablauf "
        "beginnt mit einem Auslöser Manueller Start oder Webhook, dessen Daten diese "
        "Eingabe sind. Ein Ablauf kann sich nicht selbst aufrufen, weder direkt noch über "
        'andere. Beispiel: Eingabe {"sku": "A"} an einen Ablauf, der den Bestand '
        'nachschlägt, ergibt z. B. {"sku": "A", "stock": 12}.',
    },
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
    title={"en": "Respond to webhook", "de": "Auf Webhook antworten"},
    description={
        "en": "Sets the reply to the webhook call that started this flow, when its Webhook "
        "trigger waits for the flow's answer. Without one, the sender got 202 already. "
        'Example: status 200, body {"ok": true} replies HTTP 200 with that JSON.',
        "de": "Legt die Antwort auf den Webhook-Aufruf fest, der diesen Ablauf gestartet "
        "hat, wenn dessen Webhook-Auslöser auf die Antwort des Ablaufs wartet. Sonst hat der "
        'Absender schon 202 erhalten. Beispiel: Status 200, Inhalt {"ok": true} antwortet '
        "HTTP 200 mit diesem JSON.",
    },
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
    title={"en": "When a flow fails", "de": "Wenn ein Ablauf fehlschlägt"},
    description={
        "en": "Starts this flow whenever another of your flows fails for good (after its "
        "retries), e.g. to send an alert. Failures of flows that start this way do not "
        "start it again.",
        "de": "Startet diesen Ablauf, wenn ein anderer Ihrer Abläufe endgültig fehlschlägt "
        "(nach seinen Wiederholungen), z. B. um eine Warnung zu senden. Fehler von Abläufen "
        "mit diesem Auslöser starten ihn nicht erneut.",
    },
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
