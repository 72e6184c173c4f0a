"""A 200-step flow for the editor's large-flow test and bench/editor_200.py: a webhook trigger,
then ten branches of alternating core.map and core.filter steps, with canvas positions."""

from __future__ import annotations

COLUMN, ROW = 280, 140


def large_flow(size: int = 200, branch: int = 20) -> dict:
    nodes: list[dict] = [
        {"id": "order", "type": "core.webhook", "version": 1, "position": {"x": 0, "y": 0}}
    ]
    edges: list[dict] = []
    for k in range(1, size):
        col, row = (k - 1) % branch + 1, (k - 1) // branch
        node = {"id": f"s{k}", "version": 1, "position": {"x": col * COLUMN, "y": row * ROW}}
        if k % 2:
            node.update(type="core.map", params={"fields": {}}, mapping={"fields.n": "input.n"})
        else:
            node.update(type="core.filter", mapping={"condition": "input.n != `0`"})
        nodes.append(node)
        edges.append({"source": "order" if col == 1 else f"s{k - 1}", "target": node["id"]})
    return {"schema_version": 1, "nodes": nodes, "edges": edges}
