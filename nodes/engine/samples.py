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
from nodes.kit.base import NodeContext, NodeError, Outcome


def sample_outputs(graph: Graph) -> dict[str, Any]:
    """Node id → the output it would have for the trigger's example."""
    trigger = graph.nodes[graph.trigger_id]
    sample = trigger.get("params", {}).get("sample")
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
