"""The HTML pages: the overview of a merchant's flows and recent executions, and the
page that mounts the canvas editor (built from ``frontend/`` into ``app/static/dist``)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import (
    format_datetime,
    format_decimal,
    format_number,
    gettext,
    lazy_gettext,
    ngettext,
)
from sqlalchemy import func, select

from app.extensions import db
from app.flows import lifecycle
from app.identity.access import current_principal
from app.models import Execution, Flow, FlowVersion
from app.models.base import utcnow
from app.models.execution import STATUSES
from app.models.merchant import role_allows
from app.runtime import cancel, executions

bp = Blueprint("pages", __name__)

# What a status or a start means, in the reader's language.
STATUS_NAMES = {
    "queued": lazy_gettext("waiting to run"),
    "running": lazy_gettext("running"),
    "succeeded": lazy_gettext("succeeded"),
    "failed": lazy_gettext("failed"),
    "waiting": lazy_gettext("waiting"),
    "pending": lazy_gettext("not run"),
    "skipped": lazy_gettext("skipped"),
    "caught": lazy_gettext("error passed on"),
    "retrying": lazy_gettext("will try again"),
    "cancelled": lazy_gettext("cancelled"),
    "stopped": lazy_gettext("stopped by filter"),
}
MODE_NAMES = {
    "manual": lazy_gettext("test run"),
    "webhook": lazy_gettext("webhook"),
    "subflow": lazy_gettext("another flow"),
    "error": lazy_gettext("a failed execution"),
    "rerun": lazy_gettext("an event run again"),
}


KIND_NAMES = {"live": lazy_gettext("Live runs only"), "test": lazy_gettext("Test runs only")}


@bp.context_processor
def _names() -> dict:
    return {"status_names": STATUS_NAMES, "mode_names": MODE_NAMES, "kind_names": KIND_NAMES}


@bp.get("/")
def home():
    merchant_id = session["merchant_id"]
    merchant_flows = db.session.scalars(
        select(Flow)
        .where(Flow.merchant_id == merchant_id, Flow.deleted_at.is_(None))
        .order_by(Flow.updated_at.desc())
    ).all()
    recent = db.session.scalars(
        select(Execution)
        .where(Execution.merchant_id == merchant_id)
        .order_by(Execution.created_at.desc())
        .limit(20)
    ).all()
    names = {flow.id: flow.name for flow in merchant_flows}
    day_ago = utcnow() - timedelta(hours=24)
    failures = dict(
        db.session.execute(
            select(Execution.flow_id, func.count())
            .where(
                Execution.merchant_id == merchant_id,
                Execution.status == "failed",
                Execution.mode.not_in(executions.TEST_MODES),
                Execution.created_at >= day_ago,
            )
            .group_by(Execution.flow_id)
        ).all()
    )
    last_runs = {
        flow.id: db.session.scalar(
            select(Execution)
            .where(Execution.flow_id == flow.id)
            .order_by(Execution.created_at.desc())
            .limit(1)
        )
        for flow in merchant_flows
    }
    return render_template(
        "home.html",
        flows=[(flow, lifecycle.webhooks(flow)) for flow in merchant_flows],
        last_runs={
            flow_id: {"id": e.id, "status": e.status, "when": _when(e.created_at)}
            for flow_id, e in last_runs.items()
            if e is not None
        },
        failures=failures,
        executions=[
            (executions.describe(e), names.get(e.flow_id, ""), _when(e.created_at)) for e in recent
        ],
    )


# A new flow starts with the trigger most shops need: a webhook.
NEW_FLOW_GRAPH = {
    "schema_version": 1,
    "nodes": [
        {"id": "trigger", "type": "core.webhook", "version": 1, "position": {"x": 0, "y": 0}}
    ],
    "edges": [],
}


@bp.post("/flows/new")
def new_flow():
    flow = lifecycle.create(
        session["merchant_id"], gettext("New flow"), copy.deepcopy(NEW_FLOW_GRAPH)
    )
    db.session.commit()
    return redirect(url_for("pages.edit_flow", flow_id=flow.id))


def own_flow(flow_id: str) -> Flow:
    """The shop's own flow, not deleted; 404 for any other id (the gallery's pages use it too)."""
    flow = db.session.scalar(
        select(Flow).where(
            Flow.id == flow_id,
            Flow.merchant_id == session["merchant_id"],
            Flow.deleted_at.is_(None),
        )
    )
    if flow is None:
        abort(404)
    return flow


@bp.post("/flows/<flow_id>/rename")
def rename_flow(flow_id: str):
    flow = own_flow(flow_id)
    name = (request.form.get("name") or "").strip()
    if not name:
        flash(gettext("A flow needs a name."), "bad")
    else:
        flow.name = name[:200]
        db.session.commit()
        flash(gettext("The flow is now called “%(name)s”.", name=flow.name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/duplicate")
def duplicate_flow(flow_id: str):
    flow = own_flow(flow_id)
    name = f"{flow.name} {gettext('(copy)')}"[:200]
    lifecycle.create(session["merchant_id"], name, copy.deepcopy(flow.current_version.graph))
    db.session.commit()
    flash(gettext("“%(name)s” was created as a copy, switched off.", name=name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/delete")
def delete_flow(flow_id: str):
    flow = own_flow(flow_id)
    lifecycle.deactivate(flow, delete=True)
    db.session.commit()
    flash(gettext("“%(name)s” was deleted.", name=flow.name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/switch")
def switch_flow(flow_id: str):
    flow = own_flow(flow_id)
    if request.form.get("on") != "1":
        lifecycle.deactivate(flow)
        message = gettext(
            "“%(name)s” is off: its webhook address no longer accepts events.", name=flow.name
        )
    else:
        try:
            lifecycle.activate(flow)
        except lifecycle.ProviderRefused as refused:
            db.session.rollback()
            reason = f"{refused.error.message} {refused.error.hint or ''}".strip()
            flash(
                gettext(
                    "“%(name)s” stays off: the provider did not accept its webhook. %(reason)s",
                    name=flow.name,
                    reason=reason,
                ),
                "bad",
            )
            return redirect(url_for("pages.home"))
        message = gettext(
            "“%(name)s” is on: it runs for every event sent to its webhook address.",
            name=flow.name,
        )
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("pages.home"))


def _editor_built() -> bool:
    return (Path(current_app.static_folder) / "dist" / "editor.js").is_file()


@bp.get("/flows/<flow_id>/edit")
def edit_flow(flow_id: str):
    flow = own_flow(flow_id)
    return render_template("editor.html", flow=flow, built=_editor_built())


PAGE_SIZE = 25


def _when(moment: datetime | None) -> str:
    """A moment in the reader's language, with its time zone (UTC, like the filters)."""
    return format_datetime(moment, "long") if moment else ""


def _duration_text(ms: int | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{format_number(ms)} ms"
    if ms < 60_000:
        return f"{format_decimal(ms / 1000, '0.0')} s"
    return f"{format_number(ms // 60_000)} min {ms % 60_000 // 1000} s"


def _day(value: str | None) -> datetime | None:
    """A date from a filter field (2026-11-26) as the naive UTC midnight it starts at."""
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.get("/executions")
def list_executions():
    merchant_id = session["merchant_id"]
    flow_id = request.args.get("flow_id") or ""
    status = request.args.get("status") or ""
    kind = request.args.get("kind") or ""
    search = (request.args.get("q") or "").strip()
    error = (request.args.get("error") or "").strip()
    before = request.args.get("before") or ""
    since, until = _day(request.args.get("since")), _day(request.args.get("until"))
    page, next_cursor = executions.page(
        merchant_id,
        flow_id=flow_id or None,
        status=status if status in STATUSES else None,
        kind=kind if kind in executions.RUN_KINDS else None,
        search=search or None,
        error=error or None,
        since=since,
        until=until + timedelta(days=1) if until else None,
        before=before or None,
        limit=PAGE_SIZE,
    )
    merchant_flows = db.session.scalars(
        select(Flow).where(Flow.merchant_id == merchant_id).order_by(Flow.name)
    ).all()
    names = {flow.id: flow.name for flow in merchant_flows if flow.deleted_at is None}
    stopped = executions.stopped_by_filter([e.id for e in page if e.status == "succeeded"])
    rows = [
        {
            "id": e.id,
            "status": "stopped" if e.id in stopped else e.status,
            "test": e.mode in executions.TEST_MODES,
            "error": (e.error or {}).get("message") if e.status == "failed" else None,
            "flow_id": e.flow_id,
            "flow": names.get(e.flow_id),
            "started": _when(e.started_at or e.created_at),
            "duration": _duration_text(executions.describe(e)["duration_ms"]),
        }
        for e in page
    ]
    return render_template(
        "executions.html",
        rows=rows,
        flows=[f for f in merchant_flows if f.deleted_at is None],
        statuses=STATUSES,
        flow_id=flow_id,
        status=status,
        kind=kind,
        search=search,
        error=error,
        since=since.date().isoformat() if since else "",
        until=until.date().isoformat() if until else "",
        before=before,
        next_cursor=next_cursor,
        filtered=bool(flow_id or status or kind or search or error or since or until),
        can_change=can_change(),
    )


def _timeline(steps: list[dict]) -> list[dict]:
    """Each step with the left edge and width of its bar, in percent of the whole run."""
    moments = [
        (datetime.fromisoformat(st["started_at"]), datetime.fromisoformat(st["finished_at"]))
        if st.get("started_at") and st.get("finished_at")
        else None
        for st in steps
    ]
    known = [m for m in moments if m]
    start = min((m[0] for m in known), default=None)
    end = max((m[1] for m in known), default=None)
    span = (end - start).total_seconds() if known else 0
    for step, moment in zip(steps, moments, strict=True):
        if moment is None:
            step["bar"] = None
            continue
        left = (moment[0] - start).total_seconds() / span * 100 if span else 0
        width = (moment[1] - moment[0]).total_seconds() / span * 100 if span else 0
        width = max(width, 0.8)
        step["bar"] = {"left": round(min(left, 100 - width), 2), "width": round(width, 2)}
        step["duration"] = _duration_text(step.get("duration_ms"))
    return steps


def _found(execution_id: str) -> Execution | None:
    """The shop's execution with this id, or None."""
    return db.session.scalar(
        select(Execution).where(
            Execution.id == execution_id, Execution.merchant_id == session["merchant_id"]
        )
    )


def _own_execution(execution_id: str) -> Execution:
    execution = _found(execution_id)
    if execution is None:
        abort(404)
    return execution


@bp.post("/executions/<execution_id>/cancel")
def cancel_execution(execution_id: str):
    execution = _own_execution(execution_id)
    if cancel.cancel(Execution.id == execution.id, reason=cancel.BY_USER):
        db.session.commit()
        flash(gettext("The execution was cancelled."), "ok")
    return redirect(url_for("pages.show_execution", execution_id=execution.id))


@bp.get("/executions/<execution_id>")
def show_execution(execution_id: str):
    execution = _own_execution(execution_id)
    data = executions.describe(execution, steps=True)
    flow = db.session.get(Flow, execution.flow_id)
    graph = lifecycle.version_graph(execution.version_id)
    steps = _timeline(data["steps"])
    # Every step's title, also of steps a run still going has not reached yet (the inspector
    # below follows it live).
    titles = {node_id: _step_title(graph, node_id) for node_id in graph.nodes}
    for step in steps:
        step["title"] = titles.get(step["node_id"], step["node_id"])
        if retry_at := (step.get("error") or {}).get("retry_at"):
            step["retry_at"] = _when(datetime.fromisoformat(retry_at))
        if live := (step.get("error") or {}).get("live_retries"):
            step["live_retries"] = _live_retries_text(live)
    files = [{**f, "step": titles.get(f["node_id"], f["node_id"])} for f in data["files"]]
    if execution.status == "succeeded" and executions.stopped_by_filter([execution.id]):
        data["status"] = "stopped"  # shown as "stopped by filter"
    original = execution.rerun_of and _found(execution.rerun_of)
    return render_template(
        "execution.html",
        execution=data,
        steps=steps,
        titles=titles,
        built=_editor_built(),
        version_number=db.session.scalar(
            select(FlowVersion.number).where(FlowVersion.id == execution.version_id)
        ),
        rerun_of=original,
        rerun_of_when=original and _when(original.created_at),
        files=files,
        flow=flow if flow is not None and flow.deleted_at is None else None,
        cancellable=execution.status in cancel.UNFINISHED,
        can_change=can_change(),
        started=_when(execution.started_at or execution.created_at),
        duration=_duration_text(data["duration_ms"]),
    )


def _step_title(graph, node_id: str) -> str:
    """The step's own name, else its node type's title in the page's language."""
    title = graph.spec(node_id).title
    return graph.nodes[node_id].get("name") or title.get(g.lang) or title.get("en") or node_id


def _live_retries_text(live: dict) -> str:
    """What a live run would have done where a test run stopped at a temporary error."""
    return ngettext(
        "A live run would try once more, after waiting %(seconds)s s.",
        "A live run would try %(num)d more times, waiting %(seconds)s s in all.",
        live["times"],
        seconds=format_decimal(live["seconds"]),
    )


def can_change() -> bool:
    """Whether to offer buttons that change things (a viewer gets 403 from them anyway)."""
    principal = current_principal()
    return principal is not None and role_allows(principal.role, "editor")


@bp.post("/executions/<execution_id>/retry")
def retry_execution(execution_id: str):
    """Run a failed execution again from its failed step; finished steps are not repeated."""
    execution = _own_execution(execution_id)
    if executions.retry(execution.id):
        flash(gettext("The run was queued again; it continues at the failed step."), "ok")
    else:
        flash(
            gettext("Only a failed run can be retried; this one is not failed (any more)."),
            "bad",
        )
    return redirect(url_for("pages.show_execution", execution_id=execution.id))


@bp.post("/executions/<execution_id>/rerun")
def rerun_execution(execution_id: str):
    """Run the execution's event again through the flow as it is now saved."""
    execution = _own_execution(execution_id)
    flow = db.session.get(Flow, execution.flow_id)
    if flow is None or flow.deleted_at is not None:
        flash(gettext("The flow of this run was deleted: its event cannot run again."), "bad")
        return redirect(url_for("pages.show_execution", execution_id=execution.id))
    again = executions.rerun(execution, flow)
    flash(
        gettext(
            "The event runs again with version %(version)s of the flow.",
            version=flow.current_version.number,
        ),
        "ok",
    )
    return redirect(url_for("pages.show_execution", execution_id=again.id))


@bp.post("/executions/retry")
def retry_executions():
    """Retry the failed runs ticked in the list, each from its failed step."""
    chosen = request.form.getlist("execution")
    owned_failed = db.session.scalars(
        select(Execution.id).where(
            Execution.id.in_(chosen),
            Execution.merchant_id == session["merchant_id"],
            Execution.status == "failed",
        )
    ).all()
    retried = sum(1 for execution_id in owned_failed if executions.retry(execution_id))
    flash(
        ngettext(
            "%(num)d failed run queued again, from its failed step.",
            "%(num)d failed runs queued again, each from its failed step.",
            retried,
        ),
        "ok" if retried else "bad",
    )
    return redirect(request.referrer or url_for("pages.list_executions"))
