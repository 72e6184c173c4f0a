"""The merchant's charts: runs and failures over time per flow, the last event each trigger
received, the slowest steps; and the accounts that stopped working. ``GET
/dashboard/stats.json`` answers the signed-in page (the charts are drawn in the browser by
Chart.js, frontend/src/dashboard.js); every query is the shop's own."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, g, request
from flask_babel import format_datetime, format_timedelta, get_locale, gettext, lazy_gettext
from sqlalchemy import func, select

from app.extensions import db
from app.models import Credential, Execution, Flow, StepRun
from app.models.base import isoformat, utcnow
from app.operations import account_health, alerts, trigger_health
from app.runtime.executions import TEST_MODES

bp = Blueprint("operations_dashboard", __name__)

WINDOWS = {"day": (timedelta(days=1), "hour"), "week": (timedelta(days=7), "hour")}
SLOWEST = 5


@bp.get("/dashboard/stats.json")
def stats():
    window, unit = WINDOWS.get(request.args.get("window", "day"), WINDOWS["day"])
    now = utcnow()
    start = _truncate(now - window) + timedelta(hours=1)
    flows = {
        flow_id: name
        for flow_id, name in db.session.execute(
            select(Flow.id, Flow.name).where(
                Flow.merchant_id == g.merchant_id, Flow.deleted_at.is_(None)
            )
        )
    }
    wanted = request.args.get("flow_id")
    if wanted and wanted not in flows:
        abort(404)
    hours = [start + timedelta(hours=n) for n in range(int(window / timedelta(hours=1)))]
    series = {
        flow_id: {"succeeded": [0] * len(hours), "failed": [0] * len(hours)}
        for flow_id in ([wanted] if wanted else flows)
    }
    bucket = _hour(Execution.created_at)
    counted = (
        select(Execution.flow_id, bucket, Execution.status, func.count())
        .where(
            Execution.merchant_id == g.merchant_id,
            Execution.created_at >= start,
            Execution.status.in_(("succeeded", "failed")),
            Execution.mode.not_in(TEST_MODES),  # the charts show what the shop's events did
        )
        .group_by(Execution.flow_id, bucket, Execution.status)
    )
    if wanted:
        counted = counted.where(Execution.flow_id == wanted)
    index = {hour: n for n, hour in enumerate(hours)}
    for flow_id, hour, status, count in db.session.execute(counted):
        position = index.get(_as_datetime(hour))
        if flow_id in series and position is not None:
            series[flow_id][status][position] = count
    last_events = trigger_health.last_events(g.merchant_id)
    return {
        "unit": unit,
        "hours": [isoformat(hour) for hour in hours],
        "flows": [
            {
                "id": flow_id,
                "name": flows[flow_id],
                **counts,
                "last_event_at": isoformat(last_events.get(flow_id)),
                "slowest_steps": _slowest(flow_id, now - window) if wanted else [],
            }
            for flow_id, counts in series.items()
        ],
    }


@bp.app_template_global()
def flow_health(flow_id: str, large: bool = False) -> dict:
    """What the chart partial shows beside the chart: when the trigger last received an
    event, and (large) the slowest steps of the last week."""
    last = trigger_health.last_events(g.merchant_id).get(flow_id) if large else None
    return {
        "last_event": last and last.strftime("%Y-%m-%d %H:%M UTC"),
        "slowest": _slowest(flow_id, utcnow() - timedelta(days=7)) if large else [],
    }


# What the overview says beside a flow whose trigger went quiet (trigger_health.Quiet.kind).
QUIET_NOTES = {
    "webhook": lazy_gettext("Quiet: no event since %(since)s; one usually comes every %(gap)s."),
    "poll": lazy_gettext(
        "Quiet: nothing new found since %(since)s; usually something is found every %(gap)s."
    ),
    "schedule": lazy_gettext("The run planned for %(since)s did not start."),
}


@bp.app_template_global()
def quiet_flows() -> dict[str, str]:
    """The shop's flows whose trigger went quiet, for the overview: flow id → what is wrong."""
    return {
        quiet.flow_id: QUIET_NOTES[quiet.kind]
        % {
            "since": format_datetime(quiet.last_event_at, "short"),
            "gap": format_timedelta(quiet.normal_gap),
        }
        for quiet in trigger_health.quiet_triggers(utcnow(), g.merchant_id)
    }


REFUSED_IN_RUNS = lazy_gettext(
    "%(connector)s refused the account “%(name)s” in %(count)s runs in a row, since %(since)s."
)
REFUSED_IN_POLLS = lazy_gettext(
    "%(connector)s refused the account “%(name)s” in %(count)s polls in a row, since %(since)s."
)


@bp.app_template_global()
def account_problems() -> list[dict]:
    """The shop's accounts that stopped working, for the overview, in plain words: which,
    since when, the provider's words, what to do, the flows it breaks and the last run."""
    language = get_locale().language if get_locale() else "en"
    found = []
    for refused in account_health.refused_accounts(g.merchant_id, utcnow()):
        provider = account_health.connector_title(refused.connector, language)
        found.append(
            {
                "id": refused.credential_id,
                "what": (REFUSED_IN_RUNS if refused.execution_id else REFUSED_IN_POLLS)
                % {
                    "connector": provider,
                    "name": refused.name,
                    "count": refused.count,
                    "since": format_datetime(refused.since, "long"),
                },
                "message": refused.message,
                "remedy": alerts.REMEDIES.get(refused.status, alerts.REMEDIES[401])
                % {"connector": provider},
                "flows": refused.flows,
                "run": refused.execution_id,
            }
        )
    for credential in db.session.scalars(
        select(Credential).where(Credential.merchant_id == g.merchant_id, Credential.status != "ok")
    ):
        provider = account_health.connector_title(credential.connector, language)
        found.append(
            {
                "id": credential.id,
                "what": gettext(
                    "The account “%(name)s” (%(connector)s) must be connected again, since "
                    "%(since)s.",
                    name=credential.name,
                    connector=provider,
                    since=format_datetime(credential.updated_at, "long"),
                ),
                "message": credential.status_message or "",
                "remedy": gettext(
                    "open it from a step that uses it and sign in to %(connector)s again.",
                    connector=provider,
                ),
                "flows": account_health.flows_using(g.merchant_id, credential.id),
                "run": None,
            }
        )
    return found


def _slowest(flow_id: str, since: datetime) -> list[dict]:
    """The flow's steps by their mean duration in the window, slowest first."""
    rows = db.session.execute(
        select(StepRun.node_id, StepRun.started_at, StepRun.finished_at)
        .join(Execution, Execution.id == StepRun.execution_id)
        .where(
            Execution.merchant_id == g.merchant_id,
            Execution.flow_id == flow_id,
            Execution.created_at >= since,
            StepRun.started_at.is_not(None),
            StepRun.finished_at.is_not(None),
        )
    ).all()
    durations: dict[str, list[float]] = {}
    for node_id, started, finished in rows:
        durations.setdefault(node_id, []).append((finished - started).total_seconds() * 1000)
    ranked = sorted(
        ({"node_id": node, "mean_ms": round(sum(ms) / len(ms)), "runs": len(ms)}
         for node, ms in durations.items()),
        key=lambda step: step["mean_ms"],
        reverse=True,
    )  # fmt: skip
    return ranked[:SLOWEST]


def _hour(column):
    if db.engine.dialect.name == "postgresql":
        return func.date_trunc("hour", column)
    return func.strftime("%Y-%m-%d %H:00:00", column)


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _truncate(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
