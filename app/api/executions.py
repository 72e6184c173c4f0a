"""``/api/executions``: list with filters and paging, detail with steps, retry, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g, request

from app.api.auth import authenticate, owned
from app.api.problems import ApiProblem
from app.extensions import db
from app.models import Execution
from app.models.execution import STATUSES
from app.runtime import cancel, executions
from nodes.engine.schema_errors import Problem

bp = Blueprint("executions", __name__, url_prefix="/api/executions")
bp.before_request(authenticate)

MAX_LIMIT = 200


@bp.get("")
def list_executions():
    """Newest first. Page with ``before`` = the ``next_cursor`` of the previous page."""
    args = request.args
    bad: list[Problem] = []
    status = args.get("status")
    if status and status not in STATUSES:
        bad.append(Problem("/status", f"Unknown status; use one of {', '.join(STATUSES)}."))
    moments = {}
    for name in ("since", "until"):
        if value := args.get(name):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                bad.append(Problem(f"/{name}", "Use a date like 2026-11-26 or 2026-11-26T10:00Z."))
                continue
            if moment.tzinfo is not None:  # stored times are naive UTC
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            moments[name] = moment
    try:
        limit = min(max(int(args.get("limit", 50)), 1), MAX_LIMIT)
    except ValueError:
        bad.append(Problem("/limit", "The limit must be a whole number."))
        limit = 50
    if bad:
        raise ApiProblem(400, "Bad filter", errors=bad)
    if before := args.get("before"):
        owned(Execution, before)  # another merchant's cursor is a 404, as any of its ids
    found, next_cursor = executions.page(
        g.merchant_id,
        flow_id=args.get("flow_id"),
        status=status,
        before=before,
        limit=limit,
        **moments,
    )
    return {"executions": [executions.describe(e) for e in found], "next_cursor": next_cursor}


@bp.get("/<execution_id>")
def get_execution(execution_id: str):
    return executions.describe(owned(Execution, execution_id), steps=True)


@bp.post("/<execution_id>/retry")
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
    return executions.describe(execution), 202


@bp.post("/<execution_id>/cancel")
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
