"""``POST /api/schedules/preview``: the next times a schedule fires, for the editor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g

from app.api import schemas
from app.api.auth import authenticate
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.models import Merchant
from nodes.engine.cron import next_ticks, problems
from nodes.engine.schema_errors import Problem

bp = Blueprint("schedules", __name__, url_prefix="/api/schedules", description="Schedules")
bp.before_request(authenticate)

COUNT = 5


@bp.post("/preview")
@bp.arguments(schemas.SchedulePreviewBody)
@bp.response(200, schemas.SchedulePreview)
def preview_schedule(body: dict[str, Any]):
    """The next five times a schedule fires (cron or interval, in its time zone)."""
    # Without a zone of its own, a schedule runs in the merchant's (Europe/Berlin by default).
    merchant_zone = db.session.get(Merchant, g.merchant_id).timezone
    schedule = {"timezone": merchant_zone, **body["schedule"]}
    found = problems(schedule)
    if found:
        raise ApiProblem(
            422,
            "The schedule cannot run",
            errors=[Problem(f"/schedule/{p.field}", p.message) for p in found],
        )
    runs = next_ticks(schedule, datetime.now(UTC), COUNT)
    return {"timezone": schedule["timezone"], "next_runs": [run.isoformat() for run in runs]}
