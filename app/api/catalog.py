"""Public descriptions: node catalog, expression functions, flow schema, OpenAPI document."""

from __future__ import annotations

from flask import g

from app.api import schemas
from app.api.auth import authenticate
from app.api.openapi import Blueprint, openapi_document
from nodes.engine import functions
from nodes.engine.flow_schema import FLOW_SCHEMA
from nodes.kit import registry
from nodes.kit.texts import localized_schema

bp = Blueprint("catalog", __name__, url_prefix="/api", description="Descriptions")


@bp.get("/nodes")
@bp.response(200, schemas.NodeCatalog)
def list_nodes():
    """The node catalog; the parameters' titles and descriptions in the caller's language."""
    authenticate()
    lang = g.get("lang", "en")
    nodes = [
        {
            **node,
            "params": localized_schema(node["params"], _package(node), lang),
            "auth": localized_schema(node["auth"], _package(node), lang),
        }
        for node in registry.catalog()
    ]
    # Connectors that could not be loaded (an optional dependency missing), with the reason.
    return {"nodes": nodes, "unavailable": registry.unavailable()}


def _package(node: dict) -> str:
    """The package under nodes/ that declares the node (core.poll_http's connector is http)."""
    return node["key"].split(".", 1)[0]


@bp.get("/functions")
@bp.response(200, schemas.FunctionCatalog)
def list_functions():
    """The functions expressions and templates may call, documented for the editor."""
    authenticate()
    return {"functions": functions.catalog()}


@bp.get("/schema/flow")
@bp.doc(
    security=[],
    responses={
        "200": {
            "description": "The flow JSON Schema (draft 2020-12)",
            "content": {
                "application/schema+json": {"schema": {"$ref": "#/components/schemas/Flow"}}
            },
        }
    },
)
def flow_schema():
    """The flow JSON Schema."""
    return FLOW_SCHEMA


@bp.get("/openapi.json")
@bp.response(200, schemas.OpenApiDocument)
@bp.doc(security=[])
def openapi():
    """This document."""
    return openapi_document()
