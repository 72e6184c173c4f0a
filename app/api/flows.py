"""``/api/flows``: create, read, list, update, delete, switch on and off, run."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from sqlalchemy import select

from app.api.auth import authenticate, json_body, owned
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import lifecycle
from app.models import Flow, FlowVersion, RejectedEvent
from app.models.base import isoformat
from app.runtime import executions
from nodes.engine.redaction import mask_graph, restore_graph
from nodes.engine.samples import unmatched_mappings
from nodes.engine.schema_errors import Problem
from nodes.engine.validation import sound_graph

bp = Blueprint("flows", __name__, url_prefix="/api/flows")
bp.before_request(authenticate)


def _flow(flow_id: str) -> Flow:
    return owned(Flow, flow_id, deleted_at=None)


def _describe(flow: Flow, *, graph: bool = False) -> dict[str, Any]:
    data = {
        "id": flow.id,
        "name": flow.name,
        "active": flow.active,
        "version": flow.current_version.number,
        "created_at": isoformat(flow.created_at),
        "updated_at": isoformat(flow.updated_at),
        "webhooks": lifecycle.webhooks(flow),
        "test_webhooks": lifecycle.webhooks(flow, test=True),
    }
    if graph:
        data["graph"] = mask_graph(flow.current_version.graph)
    return data


def _checked(
    body: dict[str, Any], *, partial: bool = False, saved: dict[str, Any] | None = None
) -> tuple[str | None, Any]:
    """The name and graph of a request body, or 422 with every problem at once. Secret params
    the client sent back as shown (or left out) keep their ``saved`` values."""
    found: list[Problem] = []
    name = body.get("name")
    if name is None and not partial:
        found.append(Problem("/name", "Give the flow a name."))
    elif name is not None and (not isinstance(name, str) or not name.strip()):
        found.append(Problem("/name", "The name must be a non-empty text."))
    graph = restore_graph(body.get("graph"), saved)
    if graph is None and not partial:
        found.append(Problem("/graph", "The flow's graph is missing."))
    elif graph is not None:
        found += [
            Problem("/graph" + p.pointer, p.message)
            for p in lifecycle.problems(g.merchant_id, graph)
        ]
    if found:
        raise ApiProblem(422, "The flow is not valid", errors=found)
    return (name.strip() if name else None), graph


@bp.get("")
def list_flows():
    found = db.session.scalars(
        select(Flow)
        .where(Flow.merchant_id == g.merchant_id, Flow.deleted_at.is_(None))
        .order_by(Flow.updated_at.desc())
    ).all()
    return {"flows": [_describe(flow) for flow in found]}


@bp.post("")
def create_flow():
    name, graph = _checked(json_body())
    flow = lifecycle.create(g.merchant_id, name, graph)
    db.session.commit()
    return _describe(flow, graph=True), 201


@bp.get("/<flow_id>")
def get_flow(flow_id: str):
    return _describe(_flow(flow_id), graph=True)


@bp.put("/<flow_id>")
def update_flow(flow_id: str):
    flow = _flow(flow_id)
    name, graph = _checked(json_body(), partial=True, saved=flow.current_version.graph)
    if name:
        flow.name = name
    if graph is not None and graph != flow.current_version.graph:
        lifecycle.save_version(flow, graph)
    db.session.commit()
    return {**_describe(flow, graph=True), "warnings": _warnings(graph)}


def _warnings(graph: dict[str, Any] | None) -> list[dict[str, str]]:
    """What a saved flow may get wrong at run time, said but not refused (see samples)."""
    sound = graph and sound_graph(graph)
    if not sound:
        return []
    return [Problem("/graph" + p.pointer, p.message).to_dict() for p in unmatched_mappings(sound)]


@bp.delete("/<flow_id>")
def delete_flow(flow_id: str):
    flow = _flow(flow_id)
    lifecycle.deactivate(flow, delete=True)
    db.session.commit()
    return "", 204


@bp.post("/<flow_id>/activate")
def activate_flow(flow_id: str):
    flow = _flow(flow_id)
    try:
        lifecycle.activate(flow)
    except lifecycle.ProviderRefused as refused:
        db.session.rollback()
        raise ApiProblem(
            422,
            "The provider did not accept the webhook",
            f"{refused.error.message} {refused.error.hint or ''}".strip(),
            errors=[Problem(_node_pointer(flow, refused.node_id), refused.error.message)],
        ) from None
    db.session.commit()
    return _describe(flow)


def _node_pointer(flow: Flow, node_id: str) -> str:
    nodes = flow.current_version.graph.get("nodes", [])
    index = next(i for i, node in enumerate(nodes) if node.get("id") == node_id)
    return f"/graph/nodes/{index}/credential"


@bp.post("/<flow_id>/deactivate")
def deactivate_flow(flow_id: str):
    flow = _flow(flow_id)
    lifecycle.deactivate(flow)
    db.session.commit()
    return _describe(flow)


@bp.post("/<flow_id>/run")
def run_flow(flow_id: str):
    """Run the current version now with the given payload, whether the flow is on or off."""
    flow = _flow(flow_id)
    body = request.get_json(silent=True) or {}
    payload = body.get("payload", {}) if isinstance(body, dict) else {}
    execution = executions.start_with_payload(flow, payload, mode="manual")
    return executions.describe(execution), 202


@bp.get("/<flow_id>/versions")
def list_versions(flow_id: str):
    flow = _flow(flow_id)
    versions = db.session.scalars(
        select(FlowVersion)
        .where(FlowVersion.flow_id == flow.id)
        .order_by(FlowVersion.number.desc())
    ).all()
    return {
        "versions": [
            {
                "number": v.number,
                "created_at": isoformat(v.created_at),
                "current": v.id == flow.current_version_id,
            }
            for v in versions
        ]
    }


@bp.get("/<flow_id>/versions/<int:number>")
def get_version(flow_id: str, number: int):
    flow = _flow(flow_id)
    version = db.session.scalar(select(FlowVersion).filter_by(flow_id=flow.id, number=number))
    if version is None:
        raise ApiProblem(404, "Not found", f"The flow has no version {number}.")
    return {
        "number": version.number,
        "created_at": isoformat(version.created_at),
        "graph": mask_graph(version.graph),
    }


@bp.get("/<flow_id>/rejected-events")
def list_rejected_events(flow_id: str):
    """Deliveries that were turned away, so the merchant can see what their shop sent."""
    flow = _flow(flow_id)
    found = db.session.scalars(
        select(RejectedEvent)
        .where(RejectedEvent.flow_id == flow.id)
        .order_by(RejectedEvent.received_at.desc())
        .limit(100)
    ).all()
    return {
        "rejected_events": [
            {
                "id": event.id,
                "node_id": event.node_id,
                "status": event.status_code,
                "reason": event.reason,
                "content_type": event.content_type,
                "headers": event.headers,
                "body": (event.body or b"").decode("utf-8", "replace"),
                "received_at": isoformat(event.received_at),
            }
            for event in found
        ]
    }
