"""``/api/flows``: create, read, list, update, delete, switch on and off, run."""

from __future__ import annotations

from typing import Any

from flask import g, request
from sqlalchemy import select

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import lifecycle
from app.models import Flow, FlowVersion, RejectedEvent
from app.models.base import isoformat
from app.runtime import executions
from nodes.engine.redaction import mask_graph
from nodes.engine.samples import unmatched_mappings
from nodes.engine.schema_errors import Problem
from nodes.engine.validation import sound_graph

bp = Blueprint("flows", __name__, url_prefix="/api/flows", description="Flows")
bp.before_request(authenticate)


@bp.before_request
def _owned_flow() -> None:
    """The flow a URL names is the merchant's, or 404, before its request body is read (a
    changed graph's secrets are restored from it)."""
    flow_id = request.view_args.get("flow_id")
    g.flow = owned(Flow, flow_id, deleted_at=None) if flow_id else None


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


@bp.get("")
@bp.response(200, schemas.FlowList)
def list_flows():
    """List flows."""
    found = db.session.scalars(
        select(Flow)
        .where(Flow.merchant_id == g.merchant_id, Flow.deleted_at.is_(None))
        .order_by(Flow.updated_at.desc())
    ).all()
    return {"flows": [_describe(flow) for flow in found]}


@bp.post("")
@bp.arguments(schemas.FlowBody)
@bp.response(201, schemas.FlowDetail)
def create_flow(body: dict[str, Any]):
    """Create a flow."""
    flow = lifecycle.create(g.merchant_id, body["name"], body["graph"])
    db.session.commit()
    return _describe(flow, graph=True)


@bp.get("/<flow_id>")
@bp.response(200, schemas.FlowDetail)
@bp.alt_response(404, response="NOT_FOUND")
def get_flow(flow_id: str):
    """A flow with its current graph."""
    return _describe(g.flow, graph=True)


@bp.put("/<flow_id>")
@bp.arguments(schemas.FlowBody(partial=True))
@bp.response(200, schemas.FlowDetail)
@bp.alt_response(404, response="NOT_FOUND")
def update_flow(changes: dict[str, Any], flow_id: str):
    """Rename, or save the graph as a new version (when it changed)."""
    flow = g.flow
    if "name" in changes:
        flow.name = changes["name"]
    if "graph" in changes and changes["graph"] != flow.current_version.graph:
        lifecycle.save_version(flow, changes["graph"])
    db.session.commit()
    return {**_describe(flow, graph=True), "warnings": _warnings(changes.get("graph"))}


def _warnings(graph: dict[str, Any] | None) -> list[dict[str, str]]:
    """What a saved flow may get wrong at run time, said but not refused (see samples)."""
    sound = graph and sound_graph(graph)
    if not sound:
        return []
    return [Problem("/graph" + p.pointer, p.message).to_dict() for p in unmatched_mappings(sound)]


@bp.delete("/<flow_id>")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_flow(flow_id: str):
    """Delete a flow."""
    lifecycle.deactivate(g.flow, delete=True)
    db.session.commit()


@bp.post("/<flow_id>/activate")
@bp.arguments(schemas.ActivateBody, required=False)
@bp.response(200, schemas.FlowSummary)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def activate_flow(body: dict[str, Any], flow_id: str):
    """Switch a flow on; the answer holds the webhook URLs to give the shop. With
    ``signing_secret``, the trigger's webhook was set up by hand in the shop's admin. A refusal
    that the merchant can get round that way names the address to set up (``set_up_by_hand``).
    """
    flow = g.flow
    try:
        lifecycle.activate(flow, signing_secret=(body or {}).get("signing_secret"))
    except lifecycle.ProviderRefused as refused:
        db.session.rollback()
        by_hand = refused.by_hand and {"node_id": refused.node_id, "url": refused.by_hand}
        raise ApiProblem(
            422,
            "The provider did not accept the webhook",
            f"{refused.error.message} {refused.error.hint or ''}".strip(),
            errors=[Problem(_node_pointer(flow, refused.node_id), refused.error.message)],
            **({"set_up_by_hand": by_hand} if by_hand else {}),
        ) from None
    db.session.commit()
    return _describe(flow)


def _node_pointer(flow: Flow, node_id: str) -> str:
    nodes = flow.current_version.graph.get("nodes", [])
    index = next(i for i, node in enumerate(nodes) if node.get("id") == node_id)
    return f"/graph/nodes/{index}/credential"


@bp.post("/<flow_id>/deactivate")
@bp.response(200, schemas.FlowSummary)
@bp.alt_response(404, response="NOT_FOUND")
def deactivate_flow(flow_id: str):
    """Switch a flow off."""
    lifecycle.deactivate(g.flow)
    db.session.commit()
    return _describe(g.flow)


@bp.post("/<flow_id>/run")
@bp.arguments(schemas.RunBody, required=False)
@bp.response(202, schemas.Execution)
@bp.alt_response(404, response="NOT_FOUND")
def run_flow(body: dict[str, Any], flow_id: str):
    """Run the current version now with the given payload, whether the flow is on or off."""
    execution = executions.start_with_payload(g.flow, body["payload"], mode="manual")
    return executions.describe(execution)


@bp.get("/<flow_id>/versions")
@bp.response(200, schemas.VersionList)
@bp.alt_response(404, response="NOT_FOUND")
def list_versions(flow_id: str):
    """List saved versions, newest first."""
    flow = g.flow
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
@bp.response(200, schemas.VersionDetail)
@bp.alt_response(404, response="NOT_FOUND")
def get_version(flow_id: str, number: int):
    """One saved version."""
    version = db.session.scalar(select(FlowVersion).filter_by(flow_id=g.flow.id, number=number))
    if version is None:
        raise ApiProblem(404, "Not found", f"The flow has no version {number}.")
    return {
        "number": version.number,
        "created_at": isoformat(version.created_at),
        "graph": mask_graph(version.graph),
    }


@bp.get("/<flow_id>/rejected-events")
@bp.response(200, schemas.RejectedEventList)
@bp.alt_response(404, response="NOT_FOUND")
def list_rejected_events(flow_id: str):
    """Deliveries that were turned away, so the merchant can see what their shop sent."""
    found = db.session.scalars(
        select(RejectedEvent)
        .where(RejectedEvent.flow_id == g.flow.id)
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
