"""A flow document as a graph: nodes by id, edges by target, and the order to run them in."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from nodes.kit import registry
from nodes.kit.base import NodeSpec


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
        self.scope_of, self.closes, problems = item_scopes(self.order, self.specs, self.incoming)
        if problems:
            raise ValueError(problems[0][1])
        # The nodes that run once per item of each split, in the order to run them.
        self.regions: dict[str, list[str]] = defaultdict(list)
        for node_id in self.order:
            if self.scope_of[node_id]:
                self.regions[self.scope_of[node_id]].append(node_id)

    def ports_of(self, node_id: str) -> tuple[str, ...]:
        return self.specs[node_id].ports_of(self.nodes[node_id])

    def spec(self, node_id: str) -> NodeSpec:
        return self.specs[node_id]


def item_scopes(
    order: list[str], specs: dict[str, NodeSpec], incoming: dict[str, list[Edge]]
) -> tuple[dict[str, str | None], dict[str, str], list[tuple[str, str]]]:
    """Which split each node runs inside (None: once per execution), which split each
    aggregate closes, and the problems that make the item scopes ambiguous.

    A node after a split runs once per item until an aggregate collects the items back.
    One level only: a split inside a split is refused, and so is a step that would get data
    from inside and outside a split at once (it could not say which item it belongs to).
    """
    scope_of: dict[str, str | None] = {}
    closes: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for node_id in order:
        spec = specs[node_id]
        inner = {
            e.source if specs[e.source].control == "split" else scope_of[e.source]
            for e in incoming.get(node_id, ())
        }
        if spec.control == "items":
            splits = inner - {None}
            if len(splits) != 1 or None in inner:
                problems.append(
                    (
                        node_id,
                        "An Aggregate collects the items of one Split: connect it only "
                        "to steps that run after the same Split.",
                    )
                )
            scope_of[node_id] = None
            if splits:
                closes[node_id] = next(iter(splits))
            continue
        if len(inner) > 1:
            problems.append(
                (
                    node_id,
                    "This step gets data from inside and outside a Split (or from two "
                    "Splits): collect the items with an Aggregate first.",
                )
            )
        scope_of[node_id] = next(iter(inner), None)
        if spec.control == "split" and scope_of[node_id]:
            problems.append(
                (
                    node_id,
                    "A Split inside a Split is not supported: collect the items of the "
                    "first Split with an Aggregate before splitting again.",
                )
            )
    return scope_of, closes, problems


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
