"""``POST /api/schedules/preview``: the next times a schedule fires, for the editor."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, g

from app.api.auth import authenticate, json_body
from app.api.problems import ApiProblem
from app.extensions import db
from app.models import Merchant
from nodes.engine.cron import next_ticks, problems
from nodes.engine.schema_errors import Problem

bp = Blueprint("schedules", __name__, url_prefix="/api/schedules")
bp.before_request(authenticate)

COUNT = 5


@bp.post("/preview")
def preview():
    schedule = json_body().get("schedule")
    if not isinstance(schedule, dict):
        raise ApiProblem(
            422,
            "Nothing to preview",
            errors=[Problem("/schedule", 'Give a schedule, e.g. {"cron": "0 8 * * *"}.')],
        )
    # Without a zone of its own, a schedule runs in the merchant's (Europe/Berlin by default).
    merchant_zone = db.session.get(Merchant, g.merchant_id).timezone
    schedule = {"timezone": merchant_zone, **schedule}
    found = problems(schedule)
    if found:
        raise ApiProblem(
            422,
            "The schedule cannot run",
            errors=[Problem(f"/schedule/{p.field}", p.message) for p in found],
        )
    runs = next_ticks(schedule, datetime.now(UTC), COUNT)
    return {"timezone": schedule["timezone"], "next_runs": [run.isoformat() for run in runs]}
