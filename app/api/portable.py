"""``/api/flows/<id>/export`` and ``/api/flows/import``: a flow as a file, into the same or
another shop, and n8n workflows brought in."""

from __future__ import annotations

import re

from flask import Blueprint, g

from app.api.auth import authenticate, json_body, owned
from app.api.problems import ApiProblem
from app.extensions import db
from app.flows import portable
from app.models import Flow

bp = Blueprint("portable", __name__, url_prefix="/api/flows")
bp.before_request(authenticate)


@bp.get("/<flow_id>/export")
def export_flow(flow_id: str):
    flow = owned(Flow, flow_id, deleted_at=None)
    filename = re.sub(r"[^A-Za-z0-9]+", "-", flow.name).strip("-").lower() or "flow"
    return portable.export(flow), {
        "Content-Disposition": f'attachment; filename="{filename}.shopwire.json"'
    }


@bp.post("/import")
def import_flow():
    try:
        flow, notes = portable.import_document(g.merchant_id, json_body())
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
    }, 201
