"""Moving a flow between shops as a file: export through the sanitizer, import through it again.

The file (``"format": "shopwire.flow"``) holds the sanitized graph, the credential slots its steps
need and the parameters (calls of other flows) the importer fills in; never a secret or an
account id. Importing sanitizes again, since a file may have been written by hand, creates the
flow switched off, and answers with notes: every account to connect, value to give, and
anything the importer had to remove or could not check.
"""

from __future__ import annotations

from typing import Any

from app.flows import lifecycle, n8n
from app.flows.sanitizer import Sanitized, sanitize
from app.flows.templates import account_name
from app.models import Flow
from nodes.engine.schema_errors import Problem
from nodes.engine.validation import sound_graph

FORMAT = "shopwire.flow"
FORMAT_VERSION = 1


class NotImportable(Exception):
    """The document cannot become a flow at all; ``problems`` say where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message)
        self.problems = problems


def export(flow: Flow) -> dict[str, Any]:
    shared = sanitize(flow.current_version.graph)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": flow.name,
        "graph": shared.graph,
        "credential_slots": shared.credential_slots,
        "parameters": shared.parameters,
        "targets": shared.targets,
        "removed": shared.removed,
    }


def import_flow(
    merchant_id: int,
    name: str,
    graph: Any,
    notes: list[Problem] | None = None,
    slots: list[dict[str, Any]] | None = None,
) -> tuple[Flow, list[Problem]]:
    """Create a switched-off flow from a graph from outside (a file, a converted workflow).

    The graph is sanitized; what the flow still needs before it can run (accounts, values, a
    step to replace) is returned as notes, not refused: the merchant finishes it in the editor.
    Only a graph that cannot be followed at all (unknown step types, a loop) is refused.
    ``slots`` are the credential slots a file names (the steps whose account was taken out).
    """
    if sound_graph(graph) is None:
        problems = lifecycle.problems(merchant_id, graph)
        raise NotImportable(
            problems or [Problem("", "The flow cannot be followed from its trigger.")]
        )
    shared = sanitize(graph)
    notes = [*(notes or []), *_removal_notes(shared), *_slot_notes(shared, slots or [])]
    notes += [
        Problem(p.pointer, p.message)
        for p in lifecycle.problems(merchant_id, shared.graph)
        if not p.pointer.endswith("/credential")
    ]
    flow = lifecycle.create(merchant_id, name, shared.graph)
    return flow, notes


def import_document(merchant_id: int, document: dict[str, Any]) -> tuple[Flow, list[Problem]]:
    """Import an exported file or an n8n workflow, whichever ``document`` is."""
    if document.get("format") == FORMAT:
        name, graph, slots = graph_of_document(document)
        return import_flow(merchant_id, name, graph, slots=slots)
    if n8n.is_workflow(document):
        name, graph, notes = n8n.convert(document)
        return import_flow(merchant_id, name, graph, notes)
    raise NotImportable(
        [
            Problem(
                "",
                'Import takes a file exported from Shopwire (it has "format": "shopwire.flow") '
                'or an n8n workflow (it has "nodes" and "connections"; in n8n: Download, or copy '
                "the workflow and paste it into a file).",
            )
        ]
    )


def graph_of_document(document: dict[str, Any]) -> tuple[str, Any, list[dict[str, Any]]]:
    """The name, graph and credential slots of an exported file."""
    if document.get("format_version") != FORMAT_VERSION:
        raise NotImportable(
            [
                Problem(
                    "/format_version",
                    f"This file is of a newer format; this Shopwire reads "
                    f"format_version {FORMAT_VERSION}.",
                )
            ]
        )
    name = document.get("name")
    slots = document.get("credential_slots")
    return (
        name if isinstance(name, str) and name.strip() else "Imported flow",
        document.get("graph"),
        slots if isinstance(slots, list) else [],
    )


def _removal_notes(shared: Sanitized) -> list[Problem]:
    return [
        Problem(f"/graph{item['pointer']}", f"Removed on import: {item['reason']}.")
        for item in shared.removed
    ]


def _slot_notes(shared: Sanitized, named: list[dict[str, Any]]) -> list[Problem]:
    notes = []
    index = {node["id"]: i for i, node in enumerate(shared.graph["nodes"])}
    needed = {
        node_id: slot["connector"]
        for slot in [*named, *shared.credential_slots]
        if isinstance(slot, dict) and isinstance(slot.get("nodes"), list)
        for node_id in slot["nodes"]
        if node_id in index
    }
    for node_id, connector in sorted(needed.items(), key=lambda item: index[item[0]]):
        node = shared.graph["nodes"][index[node_id]]
        notes.append(
            Problem(
                f"/graph/nodes/{index[node_id]}/credential",
                f"Step “{node.get('name') or node_id}” needs {account_name(connector)}: connect "
                "one in the editor.",
            )
        )
    return notes
