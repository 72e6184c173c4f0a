"""Turning an n8n workflow (its exported JSON) into a Shopwire flow, and saying what did not fit.

Each n8n node type with a Shopwire counterpart becomes that step (see :data:`CONVERTERS`).
n8n expressions that are plain field references (``{{$json.a.b}}``, ``{{$json["a"]}}``,
``{{$node["Trigger"].json.id}}``) become JMESPath (or a placeholder in a text template); a step
with anything else — another node type, an expression with arithmetic or code — becomes a
``core.placeholder`` step that keeps the original settings, and a note says what to do. The
n8n credentials, pinned data and settings are never carried over.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nodes.engine.schema_errors import Problem

PREFIX = "n8n-nodes-base."
PLACEHOLDER_TRIGGER = "a manual trigger holds the place of n8n's trigger"


class Unconvertible(Exception):
    """A setting of a step that has no Shopwire form; the step becomes a placeholder."""


@dataclass
class Converted:
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    # n8n output index -> Shopwire port
    ports: dict[int, str] = field(default_factory=dict)
    note: str | None = None


def is_workflow(document: dict[str, Any]) -> bool:
    return isinstance(document.get("nodes"), list) and isinstance(document.get("connections"), dict)


# Expressions

_NAME = r"[A-Za-z_$][A-Za-z0-9_$]*"
_ACCESS = rf"(?:\.{_NAME}|\[\s*(?:\"[^\"]*\"|'[^']*'|\d+)\s*\])"
_SOURCE = (
    r"(?:\$json"
    r"|\$node\[\s*(?:\"(?P<q1>[^\"]+)\"|'(?P<q2>[^']+)')\s*\]\.json"
    r"|\$\(\s*(?:\"(?P<q3>[^\"]+)\"|'(?P<q4>[^']+)')\s*\)\.(?:item|first\(\))\.json)"
)
_REFERENCE = re.compile(rf"^\s*(?P<source>{_SOURCE})(?P<path>(?:{_ACCESS})*)\s*$")
_PART = re.compile(rf"\.({_NAME})|\[\s*(?:\"([^\"]*)\"|'([^']*)'|(\d+))\s*\]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SEGMENT = re.compile(r"\{\{(.*?)\}\}", re.S)


class Expressions:
    """Converts n8n expressions given the ids the workflow's nodes get in Shopwire."""

    def __init__(self, ids: dict[str, str], trigger_name: str | None):
        self.ids = ids
        self.trigger_name = trigger_name

    def reference(self, text: str) -> list[str | int]:
        """The path of a plain field reference as [base, key or index, …]."""
        found = _REFERENCE.match(text)
        if found is None:
            raise Unconvertible(f"the expression {{{{{text.strip()}}}}} is more than a field")
        node_name = next((found[g] for g in ("q1", "q2", "q3", "q4") if found[g]), None)
        if node_name is None:
            base: list[str | int] = ["input"]
        elif node_name == self.trigger_name:
            base = ["trigger"]
        elif node_name in self.ids:
            base = ["steps", self.ids[node_name]]
        else:
            raise Unconvertible(f"the expression refers to a step “{node_name}” that is missing")
        parts: list[str | int] = []
        for name, double, single, index in _PART.findall(found["path"]):
            parts.append(int(index) if index else (name or double or single))
        return base + parts

    def jmespath(self, text: str) -> str:
        path = self.reference(text)
        out = str(path[0])
        for part in path[1:]:
            if isinstance(part, int):
                out += f"[{part}]"
            elif _IDENTIFIER.match(part):
                out += f".{part}"
            else:
                out += "." + json.dumps(part)
        return out

    def jinja(self, text: str) -> str:
        path = self.reference(text)
        out = str(path[0])
        for part in path[1:]:
            if isinstance(part, int):
                out += f"[{part}]"
            elif _IDENTIFIER.match(part):
                out += f".{part}"
            else:
                out += f"[{json.dumps(part)}]"
        return out

    def value(self, value: Any) -> tuple[str, Any]:
        """("fixed", value) or ("mapped", JMESPath) for a parameter value of n8n."""
        if not (isinstance(value, str) and value.startswith("=")):
            return "fixed", value
        text = value[1:]
        pieces = _SEGMENT.split(text)
        if len(pieces) == 1:
            return "fixed", text
        if len(pieces) == 3 and not pieces[0] and not pieces[2]:
            return "mapped", self.jmespath(pieces[1])
        parts = []
        for position, piece in enumerate(pieces):
            if position % 2:
                parts.append(f"to_string({self.jmespath(piece)})")
            elif piece:
                parts.append(_raw_string(piece))
        return "mapped", "join('', [" + ", ".join(parts) + "])"

    def template(self, value: Any) -> Any:
        """A text for a Shopwire template field (``{{ input.a }}``)."""
        if not (isinstance(value, str) and value.startswith("=")):
            return value
        pieces = _SEGMENT.split(value[1:])
        return "".join(
            "{{ " + self.jinja(piece) + " }}" if position % 2 else piece
            for position, piece in enumerate(pieces)
        )


def _raw_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _literal(value: Any) -> str:
    return "`" + json.dumps(value) + "`"


# Node types


def _webhook(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    respond = params.get("responseMode") == "responseNode"
    return Converted("core.webhook", {"respond": "from_flow"} if respond else {})


SHOPIFY_TOPICS = {
    "orders/create": "shopify.order_created",
    "orders/paid": "shopify.order_paid",
    "orders/fulfilled": "shopify.order_fulfilled",
    "refunds/create": "shopify.refund_created",
    "products/update": "shopify.product_updated",
    "customers/create": "shopify.customer_created",
}
WOOCOMMERCE_EVENTS = {
    "order.created": "woocommerce.order_created",
    "order.updated": "woocommerce.order_updated",
    "product.updated": "woocommerce.product_updated",
}
STRIPE_EVENTS = {
    "payment_intent.succeeded": "stripe.payment_succeeded",
    "charge.refunded": "stripe.charge_refunded",
    "checkout.session.completed": "stripe.checkout_completed",
    "invoice.paid": "stripe.invoice_paid",
    "invoice.payment_succeeded": "stripe.invoice_paid",
}


def _event_trigger(table: dict[str, str], setting: str) -> Callable[[dict, Expressions], Converted]:
    def convert(node: dict, x: Expressions) -> Converted:
        given = (node.get("parameters") or {}).get(setting)
        events = given if isinstance(given, list) else [given]
        known = [e for e in events if e in table]
        if not known:
            raise Unconvertible(f"the event {', '.join(map(str, events))} has no Shopwire trigger")
        note = None
        if len(events) > 1:
            note = f"n8n listened to {', '.join(events)}; this step listens to {known[0]} only."
        elif known[0] == "invoice.payment_succeeded":
            note = (
                "n8n listened to invoice.payment_succeeded; this step listens to invoice.paid, "
                "which Stripe sends for the same payments (and for invoices marked paid by hand)."
            )
        return Converted(table[known[0]], note=note)

    return convert


def _manual(node: dict, x: Expressions) -> Converted:
    return Converted("core.manual")


def _set(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    values: dict[str, Any] = {}
    if "assignments" in params:  # version 3.3 and later
        for item in (params["assignments"] or {}).get("assignments", []):
            values[item["name"]] = x.template(item.get("value"))
        keep = bool(params.get("includeOtherFields", False))
    else:
        for kind in ("string", "number", "boolean"):
            for item in (params.get("values") or {}).get(kind, []):
                values[item["name"]] = x.template(item.get("value"))
        keep = not params.get("keepOnlySet", False)
    return Converted("core.set", {"values": values, "keep_input": keep})


OPERATIONS = {
    "equal": "{a} == {b}",
    "equals": "{a} == {b}",
    "notEqual": "{a} != {b}",
    "notEquals": "{a} != {b}",
    "larger": "to_number({a}) > {b}",
    "gt": "to_number({a}) > {b}",
    "largerEqual": "to_number({a}) >= {b}",
    "gte": "to_number({a}) >= {b}",
    "smaller": "to_number({a}) < {b}",
    "lt": "to_number({a}) < {b}",
    "smallerEqual": "to_number({a}) <= {b}",
    "lte": "to_number({a}) <= {b}",
    "contains": "contains({a}, {b})",
    "notContains": "!contains({a}, {b})",
    "startsWith": "starts_with({a}, {b})",
    "endsWith": "ends_with({a}, {b})",
    "isEmpty": "!{a}",
    "empty": "!{a}",
    "isNotEmpty": "!!{a}",
    "notEmpty": "!!{a}",
    "true": "{a} == `true`",
    "false": "{a} == `false`",
}


def _operand(value: Any, x: Expressions) -> str:
    kind, converted = x.value(value)
    return converted if kind == "mapped" else _literal(converted)


def _condition(left: Any, operation: str, right: Any, x: Expressions) -> str:
    if operation not in OPERATIONS:
        raise Unconvertible(f"the comparison “{operation}” has no Shopwire form")
    return OPERATIONS[operation].format(a=_operand(left, x), b=_operand(right, x))


def _conditions(params: dict, x: Expressions) -> str:
    conditions = params.get("conditions") or {}
    if isinstance(conditions.get("conditions"), list):  # version 2
        parts = [
            _condition(
                c.get("leftValue"),
                (c.get("operator") or {}).get("operation", ""),
                c.get("rightValue"),
                x,
            )
            for c in conditions["conditions"]
        ]
        joiner = " || " if conditions.get("combinator") == "or" else " && "
    else:
        parts = [
            _condition(c.get("value1"), c.get("operation", "equal"), c.get("value2"), x)
            for kind in ("string", "number", "boolean", "dateTime")
            for c in conditions.get(kind, [])
        ]
        joiner = " || " if params.get("combineOperation") == "any" else " && "
    if not parts:
        raise Unconvertible("the condition is empty")
    return joiner.join(f"({p})" for p in parts) if len(parts) > 1 else parts[0]


def _if(node: dict, x: Expressions) -> Converted:
    condition = _conditions(node.get("parameters") or {}, x)
    return Converted(
        "core.router",
        {"mode": "first", "branches": [{"name": "true", "condition": condition}]},
        ports={0: "true", 1: "default"},
    )


def _switch(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    rules = (params.get("rules") or {}).get("rules")
    if not isinstance(rules, list) or params.get("mode", "rules") != "rules":
        raise Unconvertible("only switches with rules on one value can be converted")
    branches, ports = [], {}
    for position, rule in enumerate(rules):
        output = int(rule.get("output", position))
        name = f"output_{output}"
        condition = _condition(
            params.get("value1"), rule.get("operation", "equal"), rule.get("value2"), x
        )
        branches.append({"name": name, "condition": condition})
        ports[output] = name
    fallback = params.get("fallbackOutput")
    if isinstance(fallback, int) and fallback >= 0:
        ports[fallback] = "default"
    return Converted("core.router", {"mode": "first", "branches": branches}, ports=ports)


def _merge(node: dict, x: Expressions) -> Converted:
    mode = (node.get("parameters") or {}).get("mode", "append")
    if mode == "append":
        return Converted("core.merge", {"mode": "list"})
    return Converted(
        "core.merge",
        {"mode": "combine"},
        note=f"n8n merged by “{mode}”; this step combines the inputs' fields. Check the result.",
    )


def _split_out(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    field_name = params.get("fieldToSplitOut")
    if not isinstance(field_name, str) or not field_name or "," in field_name:
        raise Unconvertible("only splitting one field can be converted")
    path = ".".join(
        part if _IDENTIFIER.match(part) else json.dumps(part) for part in field_name.split(".")
    )
    return Converted("core.split", mapping={"items": f"input.{path}"})


def _pairs(container: Any, *keys: str) -> list[dict]:
    for key in keys:
        if isinstance(container, dict) and isinstance(container.get(key), list):
            return container[key]
    return []


def _http_request(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    converted = Converted("core.http_request")
    method = params.get("method") or params.get("requestMethod") or "GET"
    converted.params["method"] = method
    _put(converted, "url", params.get("url", ""), x)
    headers = _pairs(params.get("headerParameters"), "parameters") or _pairs(
        params.get("headerParametersUi"), "parameter"
    )
    query = _pairs(params.get("queryParameters"), "parameters") or _pairs(
        params.get("queryParametersUi"), "parameter"
    )
    body = _pairs(params.get("bodyParameters"), "parameters") or _pairs(
        params.get("bodyParametersUi"), "parameter"
    )
    for prefix, items in (("headers", headers), ("query", query), ("body", body)):
        for item in items:
            _put(converted, f"{prefix}.{item['name']}", item.get("value", ""), x)
    raw_body = params.get("jsonBody") or params.get("bodyParametersJson")
    if isinstance(raw_body, str) and raw_body.strip():
        if raw_body.startswith("="):
            raise Unconvertible("the JSON body is an expression")
        try:
            converted.params["body"] = json.loads(raw_body)
        except ValueError:
            raise Unconvertible("the JSON body is not valid JSON") from None
    if params.get("authentication") not in (None, "none"):
        converted.note = (
            "n8n signed this request in with its own credentials: connect an account and set "
            "“Send the account's secret” on this step."
        )
    return converted


def _put(converted: Converted, path: str, value: Any, x: Expressions) -> None:
    kind, result = x.value(value)
    if kind == "mapped":
        converted.mapping[path] = result
        return
    holder = converted.params
    *parents, last = path.split(".", 1) if "." in path else [path]
    for parent in parents:
        holder = holder.setdefault(parent, {})
    holder[last] = result


UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _wait(node: dict, x: Expressions) -> Converted:
    params = node.get("parameters") or {}
    resume = params.get("resume", "timeInterval")
    if resume == "specificTime" and isinstance(params.get("dateTime"), str):
        kind, until = x.value(params["dateTime"])
        if kind == "mapped":
            return Converted("core.delay", mapping={"until": until})
        return Converted("core.delay", {"until": until})
    if resume != "timeInterval":
        raise Unconvertible(f"waiting for “{resume}” has no Shopwire form")
    amount = params.get("amount", 1)
    unit = params.get("unit", "hours")
    if not isinstance(amount, int | float) or unit not in UNIT_SECONDS:
        raise Unconvertible("the wait time is not a fixed number")
    return Converted("core.delay", {"seconds": max(1, int(amount * UNIT_SECONDS[unit]))})


def _no_op(node: dict, x: Expressions) -> Converted:
    return Converted("core.set", {"values": {}, "keep_input": True})


def _connector(actions: dict[tuple[str, str], tuple[str, dict[str, str]]], resource: str):
    """A connector node of n8n whose (resource, operation) has a Shopwire action; ``fields``
    maps the n8n setting to the Shopwire field."""

    def convert(node: dict, x: Expressions) -> Converted:
        params = node.get("parameters") or {}
        key = (params.get("resource", resource), params.get("operation", ""))
        if key not in actions:
            raise Unconvertible(f"the {key[0]} operation “{key[1]}” has no Shopwire step")
        node_type, fields = actions[key]
        converted = Converted(node_type)
        for setting, target in fields.items():
            value = params.get(setting)
            if setting.startswith("updateFields."):
                value = (params.get("updateFields") or {}).get(setting.split(".", 1)[1])
            if value is not None:
                _put(converted, target, value, x)
        return converted

    return convert


CONVERTERS: dict[str, Callable[[dict, Expressions], Converted]] = {
    "webhook": _webhook,
    "manualTrigger": _manual,
    "shopifyTrigger": _event_trigger(SHOPIFY_TOPICS, "topic"),
    "wooCommerceTrigger": _event_trigger(WOOCOMMERCE_EVENTS, "event"),
    "stripeTrigger": _event_trigger(STRIPE_EVENTS, "events"),
    "set": _set,
    "if": _if,
    "switch": _switch,
    "merge": _merge,
    "splitOut": _split_out,
    "httpRequest": _http_request,
    "wait": _wait,
    "noOp": _no_op,
    "shopify": _connector(
        {("order", "get"): ("shopify.get_order", {"orderId": "order_id"})}, "order"
    ),
    "wooCommerce": _connector(
        {
            ("order", "get"): ("woocommerce.get_order", {"orderId": "order_id"}),
            ("order", "update"): (
                "woocommerce.update_order_status",
                {"orderId": "order_id", "updateFields.status": "status"},
            ),
        },
        "product",
    ),
    "stripe": _connector(
        {("customer", "get"): ("stripe.get_customer", {"customerId": "id"})}, "balance"
    ),
}


# The workflow


def convert(workflow: dict[str, Any]) -> tuple[str, dict[str, Any], list[Problem]]:
    """The flow's name, its graph and the notes for the merchant."""
    nodes = [n for n in workflow["nodes"] if isinstance(n, dict) and isinstance(n.get("name"), str)]
    ids = _ids(nodes)
    trigger = next((n["name"] for n in nodes if _is_trigger(n)), None)
    x = Expressions(ids, trigger)
    notes: list[Problem] = []
    graph_nodes, ports = [], {}
    for index, node in enumerate(nodes):
        where = f"/graph/nodes/{index}"
        kind = str(node.get("type", ""))
        short = kind.removeprefix(PREFIX)
        try:
            if not kind.startswith(PREFIX) or short not in CONVERTERS:
                raise Unconvertible(f"the n8n step type {kind} has no Shopwire counterpart")
            converted = CONVERTERS[short](node, x)
        except Unconvertible as reason:
            converted = _placeholder(node, trigger)
            notes.append(
                Problem(
                    where,
                    f"Step “{node['name']}” is a placeholder: {reason}. Replace it "
                    "with a Shopwire step; its original settings are shown on the step.",
                )
            )
        else:
            if converted.note:
                notes.append(Problem(where, f"Step “{node['name']}”: {converted.note}"))
        if node.get("disabled"):
            notes.append(Problem(where, f"Step “{node['name']}” was switched off in n8n."))
        ports[node["name"]] = converted.ports
        graph_nodes.append(_node(node, ids[node["name"]], converted))
    edges = []
    for source, outputs in workflow["connections"].items():
        if source not in ids:
            continue
        for kind, lists in (outputs or {}).items():
            if kind != "main":
                notes.append(
                    Problem(
                        "/graph/edges", f"Connections of kind {kind} from “{source}” were left out."
                    )
                )
                continue
            for output, targets in enumerate(lists or []):
                for target in targets or []:
                    if target.get("node") not in ids:
                        continue
                    edges.append(
                        {
                            "source": ids[source],
                            "target": ids[target["node"]],
                            "port": ports[source].get(output, "main"),
                        }
                    )
    if workflow.get("pinData"):
        notes.append(Problem("", "Pinned data of the n8n workflow was not imported."))
    name = workflow.get("name")
    graph = {"schema_version": 1, "nodes": graph_nodes, "edges": edges}
    return (
        (name if isinstance(name, str) and name.strip() else "Imported n8n workflow"),
        graph,
        notes,
    )


def _is_trigger(node: dict) -> bool:
    short = str(node.get("type", "")).removeprefix(PREFIX)
    return short == "webhook" or short.endswith("Trigger") or short in ("cron", "interval")


def _placeholder(node: dict, trigger: str | None) -> Converted:
    settings = node.get("parameters") or {}
    if node["name"] == trigger:
        # A flow needs a trigger: a manual one holds the place of n8n's until it is replaced.
        return Converted("core.manual", note=PLACEHOLDER_TRIGGER)
    return Converted(
        "core.placeholder",
        {"source": "n8n", "original_type": str(node.get("type", "")), "settings": settings},
    )


def _node(node: dict, node_id: str, converted: Converted) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": node_id,
        "type": converted.type,
        "version": 1,
        "name": node["name"][:200],
        "params": converted.params,
    }
    if converted.mapping:
        result["mapping"] = converted.mapping
    if converted.type == "core.placeholder":
        result["notes"] = (
            f"Imported from n8n ({node.get('type')}): replace this step with a Shopwire step. "
            "The original settings are in its fields."
        )
    elif converted.note == PLACEHOLDER_TRIGGER:
        original = json.dumps(node.get("parameters") or {}, ensure_ascii=False)
        result["notes"] = (
            f"Imported from n8n ({node.get('type')}), settings {original}: replace this manual "
            "trigger with a Shopwire trigger."
        )[:5000]
    position = node.get("position")
    if isinstance(position, list) and len(position) == 2:
        result["position"] = {"x": position[0], "y": position[1]}
    return result


def _ids(nodes: list[dict]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for node in nodes:
        base = re.sub(r"[^a-z0-9]+", "_", node["name"].lower()).strip("_")[:56] or "step"
        candidate, n = base, 1
        while candidate in ids.values():
            n += 1
            candidate = f"{base}_{n}"
        ids[node["name"]] = candidate
    return ids
