"""Public descriptions: node catalog, expression functions, flow schema, OpenAPI document."""

from __future__ import annotations

from flask import Blueprint

from app.api.auth import authenticate
from app.api.openapi import openapi_document
from nodes.engine import functions
from nodes.engine.flow_schema import FLOW_SCHEMA
from nodes.kit import registry

bp = Blueprint("catalog", __name__, url_prefix="/api")


@bp.get("/nodes")
def list_nodes():
    authenticate()
    # Connectors that could not be loaded (an optional dependency missing), with the reason.
    return {"nodes": registry.catalog(), "unavailable": registry.unavailable()}


@bp.get("/functions")
def list_functions():
    """The functions expressions and templates may call, documented for the editor."""
    authenticate()
    return {"functions": functions.catalog()}


@bp.get("/schema/flow")
def flow_schema():
    return FLOW_SCHEMA


@bp.get("/openapi.json")
def openapi():
    return openapi_document()
