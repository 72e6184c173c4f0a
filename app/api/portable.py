"""``/api/flows/<id>/export`` and ``/api/flows/import``: a flow as a file, into the same or
another shop, and n8n workflows brought in."""

from __future__ import annotations

import re
from typing import Any

from flask import g

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import portable
from app.models import Flow

bp = Blueprint("portable", __name__, url_prefix="/api/flows", description="Moving flows")
bp.before_request(authenticate)


@bp.get("/<flow_id>/export")
@bp.response(200, schemas.FlowFile)
@bp.alt_response(404, response="NOT_FOUND")
def export_flow(flow_id: str):
    """The flow as a file to import elsewhere: without secrets and account ids."""
    flow = owned(Flow, flow_id, deleted_at=None)
    filename = re.sub(r"[^A-Za-z0-9]+", "-", flow.name).strip("-").lower() or "flow"
    return portable.export(flow), {
        "Content-Disposition": f'attachment; filename="{filename}.shopwire.json"'
    }


@bp.post("/import")
@bp.arguments(schemas.ImportBody)
@bp.response(201, schemas.Imported)
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def import_flow(document: dict[str, Any]):
    """An exported file or an n8n workflow as a switched-off flow, with notes on what to do."""
    try:
        flow, notes = portable.import_document(g.merchant_id, document)
    except portable.NotImportable as refused:
        raise ApiProblem(
            422,
            "The flow cannot be imported",
            refused.problems[0].message,
            errors=refused.problems,
        ) from None
    db.session.commit()
    return {
        "id": flow.id,
        "version": flow.current_version.number,
        "notes": [note.to_dict() for note in notes],
    }
