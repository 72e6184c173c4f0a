"""A flow document as a graph: nodes by id, edges by target, and the order to run them in."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from nodes import registry
from nodes.base import NodeSpec


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    port: str


class Graph:
    """A validated flow document, ready to run. Build it once per flow version and reuse it."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.nodes: dict[str, dict[str, Any]] = {n["id"]: n for n in document["nodes"]}
        self.specs: dict[str, NodeSpec] = {
            node_id: registry.get(node["type"], node["version"])
            for node_id, node in self.nodes.items()
        }
        self.edges = [
            Edge(e["source"], e["target"], e.get("port", "main")) for e in document["edges"]
        ]
        self.incoming: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            self.incoming[edge.target].append(edge)
        self.order = topological_order(self.nodes, self.edges)
        if self.order is None:
            raise ValueError("the flow contains a cycle")
        self.trigger_id = next(i for i in self.order if self.specs[i].kind == "trigger")

    def spec(self, node_id: str) -> NodeSpec:
        return self.specs[node_id]


def topological_order(nodes: dict[str, Any], edges: list[Edge]) -> list[str] | None:
    """Kahn's algorithm, keeping document order among ready nodes; None if there is a cycle."""
    indegree = {node_id: 0 for node_id in nodes}
    children: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        indegree[edge.target] += 1
        children[edge.source].append(edge.target)
    ready = deque(node_id for node_id, degree in indegree.items() if degree == 0)
    order = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for child in children[node_id]:
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return order if len(order) == len(nodes) else None
