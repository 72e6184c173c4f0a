"""``POST /api/mappings/preview``: evaluate one JMESPath expression against sample data, so the
editor can show the result (or the error and its position) while the merchant types."""

from __future__ import annotations

from typing import Any

from app.api import schemas
from app.api.auth import authenticate
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.identity.access import requires
from nodes.engine.mapping import MappingError, evaluate
from nodes.engine.samples import sample_outputs
from nodes.engine.validation import sound_graph

bp = Blueprint("mappings", __name__, url_prefix="/api/mappings", description="Mappings")
bp.before_request(authenticate)

KINDS = {
    bool: "true/false",
    int: "number",
    float: "number",
    str: "text",
    list: "list",
    dict: "group of fields",
    type(None): "nothing",
}


@bp.post("/preview")
@requires("viewer")  # evaluates, changes nothing
@bp.arguments(schemas.MappingPreviewBody)
@bp.response(200, schemas.MappingPreview)
def preview_expression(body: dict[str, Any]):
    """Evaluate a JMESPath expression against sample data. An expression that cannot be
    evaluated is a verdict like any other (``error``), not a failed request: the editor asks
    while the merchant types, and half-typed expressions are the rule."""
    try:
        result: Any = evaluate(body["expression"], body["scope"])
    except MappingError as error:
        return {"error": {"message": error.message, "position": error.position}}
    return {"result": result, "type": KINDS.get(type(result), "value"), "found": result is not None}


@bp.post("/samples")
@bp.arguments(schemas.SamplesBody)
@bp.response(200, schemas.Samples)
def preview_samples(body: dict[str, Any]):
    """Sample data per step of an unsaved flow, for the mapping panel's tree."""
    graph = sound_graph(body["graph"])
    if graph is None:
        raise ApiProblem(
            422,
            "The flow cannot be followed yet",
            "Connect every step and keep exactly one trigger to see sample data from earlier "
            "steps; saving lists what is wrong.",
        )
    return {"samples": sample_outputs(graph)}
