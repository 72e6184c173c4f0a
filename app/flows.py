"""Creating, versioning and switching flows on and off, shared by the API and the CLI."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app, request, url_for
from sqlalchemy import func, select

from app.engine.graph import Graph
from app.engine.schema_errors import Problem
from app.engine.validation import validate_flow
from app.extensions import db
from app.models import Credential, Flow, FlowVersion, WebhookEndpoint
from app.models.base import utcnow


def problems(merchant_id: int, graph: Any) -> list[Problem]:
    def credential_connector(credential_id: str) -> str | None:
        return db.session.scalar(
            select(Credential.connector).where(
                Credential.id == credential_id, Credential.merchant_id == merchant_id
            )
        )

    def flow_exists(flow_id: str) -> bool:
        return (
            db.session.scalar(
                select(Flow.id).where(
                    Flow.id == flow_id, Flow.merchant_id == merchant_id, Flow.deleted_at.is_(None)
                )
            )
            is not None
        )

    return validate_flow(graph, credential_connector, flow_exists)


def create(merchant_id: int, name: str, graph: dict[str, Any]) -> Flow:
    """Create a flow with its first version. The graph must have been validated."""
    flow = Flow(merchant_id=merchant_id, name=name)
    db.session.add(flow)
    save_version(flow, graph)
    return flow


def save_version(flow: Flow, graph: dict[str, Any]) -> FlowVersion:
    """Append an immutable version and make it current (live at once if the flow is on)."""
    db.session.flush()
    latest = db.session.scalar(
        select(func.max(FlowVersion.number)).where(FlowVersion.flow_id == flow.id)
    )
    version = FlowVersion(flow_id=flow.id, number=(latest or 0) + 1, graph=graph)
    db.session.add(version)
    db.session.flush()
    flow.current_version = version
    flow.updated_at = utcnow()
    if flow.active:
        ensure_endpoints(flow)
    return version


def ensure_endpoints(flow: Flow) -> list[WebhookEndpoint]:
    """The webhook endpoint of the current trigger, created on first activation, then kept."""
    graph = Graph(flow.current_version.graph)
    spec = graph.spec(graph.trigger_id)
    if not spec.webhook:
        return []
    endpoint = db.session.scalar(
        select(WebhookEndpoint).filter_by(flow_id=flow.id, node_id=graph.trigger_id)
    )
    if endpoint is None:
        endpoint = WebhookEndpoint(
            merchant_id=flow.merchant_id, flow_id=flow.id, node_id=graph.trigger_id
        )
        db.session.add(endpoint)
        db.session.flush()
    return [endpoint]


def activate(flow: Flow) -> list[WebhookEndpoint]:
    flow.active = True
    return ensure_endpoints(flow)


def webhook_url(endpoint: WebhookEndpoint) -> str:
    base = current_app.config["SHOPWIRE_PUBLIC_URL"]
    path = url_for("hooks.receive", token=endpoint.token)
    if base:
        return base.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def webhooks(flow: Flow) -> list[dict[str, str]]:
    """The addresses a switched-on flow listens at (created by :func:`activate`)."""
    if not flow.active:
        return []
    trigger_id = version_graph(flow.current_version_id).trigger_id
    return [
        {"node_id": endpoint.node_id, "url": webhook_url(endpoint)}
        for endpoint in flow.endpoints
        if endpoint.node_id == trigger_id
    ]


@lru_cache(maxsize=1024)
def version_graph(version_id: int) -> Graph:
    """Versions never change, so each is parsed once per process."""
    return Graph(db.session.get(FlowVersion, version_id).graph)
