"""Validate a flow document: its shape (JSON Schema) and its meaning (graph, nodes, mappings).

Every problem is reported at once, each with a JSON pointer into the document and a sentence a
merchant understands, so the editor can put every message next to the field it is about.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from jsonschema import Draft202012Validator

from nodes.engine.cron import problems as schedule_problems
from nodes.engine.flow_schema import FLOW_SCHEMA
from nodes.engine.graph import Edge, Graph, item_scopes, topological_order
from nodes.engine.mapping import MappingError, compile_expression, set_path, split_path
from nodes.engine.paths import closed_object, missing_path, root_paths
from nodes.engine.schema_errors import Problem, pointer, schema_problems, validator_for
from nodes.engine.templating import TemplateError, compile_template, template_fields
from nodes.kit import registry
from nodes.kit.base import NodeSpec

FLOW_VALIDATOR = Draft202012Validator(FLOW_SCHEMA)
MAPPED = object()  # stands in for a mapped value while fixed params are checked on save

CredentialLookup = Callable[[str], str | None]  # credential id -> its connector, or None
FlowLookup = Callable[[str], bool]  # whether a flow id is one of the merchant's flows


def validate_flow(
    document: Any,
    credential_connector: CredentialLookup = lambda _id: None,
    flow_exists: FlowLookup = lambda _id: False,
) -> list[Problem]:
    problems = list(schema_problems(FLOW_VALIDATOR, document))
    if problems:
        return problems
    problems = list(_semantic_problems(document, credential_connector, flow_exists))
    graph = _sound_graph(document)
    if graph is not None:
        problems += _path_problems(graph, problems)
    return problems


def sound_graph(document: Any) -> Graph | None:
    """The graph of a document that may not be valid yet, if it can be followed at all."""
    if any(True for _ in schema_problems(FLOW_VALIDATOR, document)):
        return None
    return _sound_graph(document)


def _sound_graph(document: dict) -> Graph | None:
    """The graph, if it is sound enough to follow data through it."""
    if len({node["id"] for node in document["nodes"]}) < len(document["nodes"]):
        return None
    try:
        return Graph(document)
    except (ValueError, KeyError, StopIteration, registry.UnknownNode):
        return None


def _path_problems(graph: Graph, known: list[Problem]) -> list[Problem]:
    """Mapping paths that cannot exist in what the earlier steps return."""
    index = {node["id"]: i for i, node in enumerate(graph.document["nodes"])}
    flagged = {problem.pointer for problem in known}
    outputs: dict[str, dict] = {}
    found = []
    for position, node_id in enumerate(graph.order):
        node, spec = graph.nodes[node_id], graph.spec(node_id)
        incoming = graph.incoming.get(node_id)
        input_schema = outputs[incoming[0].source] if incoming else {}
        scope = closed_object(
            {
                "trigger": outputs.get(graph.trigger_id, {}),
                "input": input_schema,
                "steps": closed_object({i: outputs[i] for i in graph.order[:position]}),
                "flow": closed_object({"id": {}, "name": {}, "execution_id": {}}),
                "now": {"type": "string"},
                # Inside a split: one element of the split's list, of any shape.
                **({"item": {}} if graph.scope_of[node_id] else {}),
            }
        )
        for field, expression in node.get("mapping", {}).items():
            where = pointer("nodes", index[node_id], "mapping", field)
            if where in flagged:
                continue
            for names in root_paths(expression):
                missing = missing_path(names, scope)
                if missing:
                    path, choices = missing
                    found.append(
                        Problem(
                            where,
                            f'Step {_label(node)}, field "{field}": there is '
                            f'no "{path}" here. Did you mean one of: '
                            f"{', '.join(choices) or '(nothing)'}?",
                        )
                    )
                    break
        # A step that passes its error on may return {"error": ...} instead: judge nothing.
        caught = node.get("on_error", "fail") != "fail"
        outputs[node_id] = {} if caught else spec.output_schema_in_flow(node, input_schema)
    return found


def _semantic_problems(
    document: dict, credential_connector: CredentialLookup, flow_exists: FlowLookup
) -> Iterator[Problem]:
    nodes = document["nodes"]
    specs: dict[str, NodeSpec] = {}
    for index, node in enumerate(nodes):
        spec = yield from _node_spec(index, node)
        if spec:
            specs[node["id"]] = spec
            yield from _params_problems(index, node, spec, flow_exists)
            yield from _credential_problems(index, node, spec, credential_connector)

    counts = Counter(node["id"] for node in nodes)
    for index, node in enumerate(nodes):
        if counts[node["id"]] > 1:
            yield Problem(pointer("nodes", index, "id"), f'The id "{node["id"]}" is used twice.')

    yield from _edge_problems(document, specs)
    yield from _trigger_problems(nodes, specs, document["edges"])

    by_id = {node["id"]: node for node in nodes}
    edges = [
        Edge(e["source"], e["target"], e.get("port", "main"))
        for e in document["edges"]
        if e["source"] in by_id and e["target"] in by_id
    ]
    order = topological_order(by_id, edges)
    if order is None:
        yield Problem(
            pointer("edges"),
            "The connections form a loop. A flow must always move forward: remove one of the "
            "connections that lead back to an earlier step.",
        )
    elif len(specs) == len(by_id):
        incoming: dict[str, list[Edge]] = {}
        for edge in edges:
            incoming.setdefault(edge.target, []).append(edge)
        index = {node["id"]: i for i, node in enumerate(nodes)}
        for node_id, message in item_scopes(order, specs, incoming)[2]:
            yield Problem(
                pointer("nodes", index[node_id]), f"Step {_label(by_id[node_id])}: {message}"
            )


def _label(node: dict) -> str:
    return f'"{node.get("name") or node["id"]}"'


def _node_spec(index: int, node: dict):
    try:
        return registry.get(node["type"], node["version"])
    except registry.UnknownNode:
        known = registry.versions(node["type"])
        if known:
            yield Problem(
                pointer("nodes", index, "version"),
                f"Step {_label(node)}: {node['type']} has no version {node['version']} "
                f"(available: {', '.join(map(str, known))}).",
            )
        else:
            yield Problem(
                pointer("nodes", index, "type"),
                f'Step {_label(node)}: there is no step type "{node["type"]}".',
            )
        return None


def formatted_values(schema: dict, value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Each fixed value whose schema has a ``format`` (jmespath, flow: text; schedule: an
    object), at any depth: ``(path, format, value)``."""
    if isinstance(value, str | dict) and schema.get("format"):
        yield path, schema["format"], value
    elif isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from formatted_values(sub, value[name], (*path, name))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for position, element in enumerate(value):
            yield from formatted_values(schema["items"], element, (*path, position))


def _params_problems(
    index: int, node: dict, spec: NodeSpec, flow_exists: FlowLookup
) -> Iterator[Problem]:
    mapping = node.get("mapping", {})
    params = copy.deepcopy(node.get("params", {}))
    for path, expression in mapping.items():
        where = pointer("nodes", index, "mapping", path)
        if not _declares(spec.params, split_path(path)):
            yield Problem(where, f'Step {_label(node)} has no field "{path}".')
            continue
        try:
            compile_expression(expression)
        except MappingError as error:
            yield Problem(where, f'Step {_label(node)}, field "{path}": {error.message}')
        set_path(params, path, MAPPED)
    for path, fmt, value in formatted_values(spec.params, params):
        where = pointer("nodes", index, "params", *path)
        name = ".".join(map(str, path))
        if fmt == "jmespath" and isinstance(value, str):
            try:
                compile_expression(value)
            except MappingError as error:
                yield Problem(where, f'Step {_label(node)}, field "{name}": {error.message}')
        elif fmt == "flow" and isinstance(value, str) and not flow_exists(value):
            yield Problem(where, f'Step {_label(node)}, field "{name}": there is no such flow.')
        elif fmt == "schedule" and isinstance(value, dict):
            for problem in schedule_problems(value):
                yield Problem(
                    pointer("nodes", index, "params", *path, problem.field),
                    f'Step {_label(node)}, field "{name}.{problem.field}": {problem.message}',
                )
    for path in template_fields(node.get("params", {}), spec.params):
        try:
            compile_template(_get_path(node["params"], path))
        except TemplateError as error:
            yield Problem(
                pointer("nodes", index, "params", *path),
                f'Step {_label(node)}, field "{".".join(path)}": {error.message}.',
            )
    for problem in schema_problems(validator_for(spec.params), params, ("nodes", index, "params")):
        if not _is_mapped(problem.pointer, index, mapping):
            yield Problem(problem.pointer, f"Step {_label(node)}: {problem.message}")


def _get_path(params: dict, path: tuple[str, ...]):
    for part in path:
        params = params[part]
    return params


def _declares(schema: dict, parts: list[str]) -> bool:
    """Whether a params schema has room for the dotted path (named or open-ended)."""
    for part in parts:
        properties = schema.get("properties", {})
        if part in properties:
            schema = properties[part]
        elif schema.get("additionalProperties", True) is not False:
            extra = schema.get("additionalProperties", True)
            schema = extra if isinstance(extra, dict) else {}
        else:
            return False
    return True


def _is_mapped(problem_pointer: str, index: int, mapping: dict[str, str]) -> bool:
    for path in mapping:
        mapped = pointer("nodes", index, "params", *split_path(path))
        if problem_pointer == mapped or problem_pointer.startswith(mapped + "/"):
            return True
    return False


def _credential_problems(
    index: int, node: dict, spec: NodeSpec, credential_connector: CredentialLookup
) -> Iterator[Problem]:
    credential = node.get("credential")
    where = pointer("nodes", index, "credential")
    if credential:
        connector = credential_connector(credential)
        if connector is None:
            yield Problem(where, f"Step {_label(node)}: the connected account does not exist.")
        elif connector != spec.connector_key:
            yield Problem(
                where,
                f"Step {_label(node)}: the connected account belongs to {connector}, "
                f"not {spec.connector_key}.",
            )
    elif spec.key == "core.webhook" and node.get("params", {}).get("signature"):
        yield Problem(
            where,
            f"Step {_label(node)} checks signatures: connect the secret the sender signs with.",
        )


def _edge_problems(document: dict, specs: dict[str, NodeSpec]) -> Iterator[Problem]:
    by_id = {node["id"]: node for node in document["nodes"]}
    ids = set(by_id)
    for index, edge in enumerate(document["edges"]):
        for end in ("source", "target"):
            if edge[end] not in ids:
                yield Problem(
                    pointer("edges", index, end),
                    f'The connection points to a step "{edge[end]}" that does not exist.',
                )
        spec = specs.get(edge["source"])
        port = edge.get("port", "main")
        ports = spec.ports_of(by_id[edge["source"]]) if spec else ()
        if spec and port not in ports:
            yield Problem(
                pointer("edges", index, "port"),
                f'Step "{edge["source"]}" has no output "{port}" '
                f"(it has: {', '.join(ports) or 'none'}).",
            )
        if edge["source"] == edge["target"]:
            yield Problem(pointer("edges", index), "A step cannot connect to itself.")


def _trigger_problems(nodes: list, specs: dict[str, NodeSpec], edges: list) -> Iterator[Problem]:
    triggers = [i for i, n in enumerate(nodes) if (s := specs.get(n["id"])) and s.kind == "trigger"]
    if not triggers:
        yield Problem(
            pointer("nodes"), "The flow needs a trigger: add a step that starts it, e.g. Webhook."
        )
    for extra in triggers[1:]:
        yield Problem(
            pointer("nodes", extra),
            f"A flow has exactly one trigger; {_label(nodes[extra])} is a second one.",
        )
    trigger_ids = {nodes[i]["id"] for i in triggers}
    for index, edge in enumerate(edges):
        if edge["target"] in trigger_ids:
            yield Problem(
                pointer("edges", index, "target"),
                "A trigger starts the flow: nothing can connect into it.",
            )
