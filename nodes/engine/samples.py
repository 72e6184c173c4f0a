"""What each step of a flow would receive, before the flow has ever run.

The editor's mapping panel shows a tree of the data a step can use. Without a real run, the
trigger's example is fed through every pure step (Map, Filter …: no effects, see
``NodeSpec.pure``) so the tree after a Map shows the fields that Map builds; steps with effects
contribute their declared ``output_example``.
"""

from __future__ import annotations

from typing import Any

from nodes.engine.graph import Graph
from nodes.engine.interpreter import resolve_params, step_scope
from nodes.engine.mapping import MappingError, evaluate
from nodes.engine.schema_errors import Problem, pointer
from nodes.kit.base import NodeContext, NodeError, Outcome


def sample_outputs(graph: Graph) -> dict[str, Any]:
    """Node id → the output it would have for the trigger's example."""
    trigger = graph.nodes[graph.trigger_id]
    sample = trigger.get("sample", trigger.get("params", {}).get("sample"))
    outputs = {
        graph.trigger_id: sample
        if sample is not None
        else graph.spec(graph.trigger_id).output_example
    }
    for node_id in graph.order:
        if node_id not in outputs:
            outputs[node_id] = _sample(graph, node_id, outputs)
    return outputs


def _sample(graph: Graph, node_id: str, outputs: dict[str, Any]) -> Any:
    spec, node = graph.spec(node_id), graph.nodes[node_id]
    if not spec.pure:
        return spec.output_example
    incoming = graph.incoming[node_id]
    input = outputs.get(incoming[0].source) if incoming else None
    scope = step_scope(outputs[graph.trigger_id], input, outputs, {})
    try:
        params = resolve_params(node, spec.params, scope)
        output = spec.run(NodeContext("preview", node_id, http=None), params, scope["input"])
    except NodeError:
        return spec.output_example  # the mapping panel shows the error where it is typed
    return output.output if isinstance(output, Outcome) else output


def unmatched_mappings(graph: Graph) -> list[Problem]:
    """Mapped fields whose expression finds nothing in the sample data: a warning on save (the
    path may be mistyped), not a refusal, since real events may carry what the example lacks.
    Steps inside a split are left out: their ``item`` has no sample."""
    outputs = sample_outputs(graph)
    found = []
    for index, node in enumerate(graph.document["nodes"]):
        node_id = node["id"]
        if graph.scope_of[node_id] or not node.get("mapping"):
            continue
        incoming = graph.incoming[node_id]
        input = outputs.get(incoming[0].source) if incoming else None
        scope = step_scope(outputs[graph.trigger_id], input, outputs, {})
        for path, expression in node["mapping"].items():
            try:
                result = evaluate(expression, scope) if expression.strip() else True
            except MappingError:
                continue  # shown where it is typed, and by validation on save
            if result is None:
                found.append(
                    Problem(
                        pointer("nodes", index, "mapping", path),
                        f'Step "{node.get("name") or node_id}", field "{path}": `{expression}` '
                        "finds nothing in the sample data. Check the path, or give a default "
                        "if the data may be missing.",
                    )
                )
    return found
