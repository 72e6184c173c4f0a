"""``/api/executions``: list with filters and paging, detail with steps, retry, re-run."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from flask import g

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.models import Execution, Flow
from app.runtime import cancel, executions

bp = Blueprint("executions", __name__, url_prefix="/api/executions", description="Executions")
bp.before_request(authenticate)

MAX_LIMIT = 200


@bp.get("")
@bp.arguments(schemas.ExecutionFilter, location="query", error_status_code=400)
@bp.response(200, schemas.ExecutionPage)
def list_executions(filters: dict[str, Any]):
    """Newest first. Page with ``before`` = the ``next_cursor`` of the previous page."""
    # Stored times are naive UTC.
    moments = {
        name: moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
        for name in ("since", "until")
        if (moment := filters.get(name))
    }
    if before := filters.get("before"):
        owned(Execution, before)  # another merchant's cursor is a 404, as any of its ids
    found, next_cursor = executions.page(
        g.merchant_id,
        flow_id=filters.get("flow_id"),
        status=filters.get("status"),
        kind=filters.get("kind"),
        search=filters.get("q"),
        error=filters.get("error"),
        before=before,
        limit=min(max(filters["limit"], 1), MAX_LIMIT),
        **moments,
    )
    return {"executions": [executions.describe(e) for e in found], "next_cursor": next_cursor}


@bp.get("/<execution_id>")
@bp.response(200, schemas.ExecutionDetail)
@bp.alt_response(404, response="NOT_FOUND")
def get_execution(execution_id: str):
    """An execution with its steps."""
    return executions.describe(owned(Execution, execution_id), steps=True)


@bp.post("/<execution_id>/retry")
@bp.response(202, schemas.Execution)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def retry_execution(execution_id: str):
    """Run a failed execution again from its failed step; finished steps are not repeated."""
    execution = owned(Execution, execution_id)
    if not executions.retry(execution.id):
        raise ApiProblem(
            409,
            "Not retryable",
            f"Only failed executions can be retried; this one is {execution.status}.",
        )
    db.session.refresh(execution)
    return executions.describe(execution)


@bp.post("/<execution_id>/rerun")
@bp.response(201, schemas.Execution)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def rerun_execution(execution_id: str):
    """Run the execution's event again through the flow's current version, as a new
    execution whose ``rerun_of`` names this one."""
    execution = owned(Execution, execution_id)
    flow = db.session.get(Flow, execution.flow_id)
    if flow is None or flow.deleted_at is not None:
        raise ApiProblem(409, "Flow deleted", "The flow of this execution was deleted.")
    return executions.describe(executions.rerun(execution, flow))


@bp.post("/<execution_id>/cancel")
@bp.response(200, schemas.Execution)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def cancel_execution(execution_id: str):
    """Stop an execution that has not finished: a running one stops within seconds."""
    execution = owned(Execution, execution_id)
    if not cancel.cancel(Execution.id == execution.id, reason=cancel.BY_USER):
        raise ApiProblem(
            409,
            "Not cancellable",
            f"Only queued, running or waiting executions can be cancelled; this one is "
            f"{execution.status}.",
        )
    db.session.commit()
    db.session.refresh(execution)
    return executions.describe(execution)
