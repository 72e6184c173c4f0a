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
from sqlalchemy import func, select

from app.extensions import db
from app.flows import lifecycle
from app.identity.access import current_principal
from app.models import Execution, Flow
from app.models.base import utcnow
from app.models.execution import STATUSES
from app.models.merchant import role_allows
from app.runtime import executions

bp = Blueprint("pages", __name__)

TEXT = {
    "en": {
        "title": "Shopwire",
        "sign_in": "Sign in",
        "email": "E-mail",
        "password": "Password",
        "wrong": "E-mail or password is wrong.",
        "no_merchant": "This account belongs to no shop yet. Ask the shop's owner to invite you.",
        "flows": "Your flows",
        "sign_out": "Sign out",
        "no_flows": "No flows yet. Press “New flow” to build your first one: a flow starts "
        "with a trigger, such as a webhook from your shop.",
        "new_flow": "New flow",
        "new_flow_name": "New flow",
        "edit": "Open editor",
        "editor_missing": "The editor has not been built yet.",
        "editor_missing_how": "Run make run (it builds the editor), or build it by hand:",
        "back": "Back to your flows",
        "on": "on",
        "off": "off",
        "version": "version",
        "executions": "Recent executions",
        "no_executions": "Nothing has run yet. Switch a flow on and send an event to its "
        "webhook address.",
        "webhook": "Webhook address",
        "name": "Name",
        "rename": "Rename",
        "save_name": "Save name",
        "duplicate": "Duplicate",
        "delete": "Delete",
        "delete_confirm": "Delete the flow “{name}”? It stops at once and cannot be opened again.",
        "switch_on": "Switch on",
        "switch_off": "Switch off",
        "copy_suffix": "(copy)",
        "renamed": "The flow is now called “{name}”.",
        "duplicated": "“{name}” was created as a copy, switched off.",
        "deleted": "“{name}” was deleted.",
        "switched_on": "“{name}” is on: it runs for every event sent to its webhook address.",
        "switched_off": "“{name}” is off: its webhook address no longer accepts events.",
        "provider_refused": "“{name}” stays off: the provider did not accept its webhook. {reason}",
        "name_empty": "A flow needs a name.",
        "actions": "Actions for {name}",
        "all_executions": "All executions",
        "last_run": "Last run",
        "never_ran": "Not run yet",
        "failures_24h": "{n} failed in the last 24 h",
        "executions_title": "Executions",
        "filter_flow": "Flow",
        "filter_status": "Status",
        "filter_since": "From (UTC)",
        "filter_until": "Until (UTC)",
        "any_flow": "All flows",
        "any_status": "Any status",
        "filter": "Show",
        "col_status": "Status",
        "col_flow": "Flow",
        "col_started": "Started",
        "col_duration": "Duration",
        "details": "Details",
        "older": "Older executions →",
        "newest": "← Newest",
        "no_match": "No execution matches these filters. Choose “All flows” and “Any status” "
        "to see everything.",
        "deleted_flow": "(deleted flow)",
        "open_in_editor": "Open in editor",
        "execution": "Execution",
        "steps": "Steps",
        "timeline_hint": "Each bar shows when a step ran and how long it took.",
        "hint": "What helps",
        "attempts": "attempts",
        "mode": "Started by",
        "mode_manual": "test run",
        "mode_webhook": "webhook",
        "mode_subflow": "another flow",
        "mode_error": "a failed execution",
        "run_error": "Why it failed",
        "back_to_list": "← All executions",
        "status_queued": "waiting to run",
        "status_running": "running",
        "status_succeeded": "succeeded",
        "status_stopped": "stopped by filter",
        "retry_from_failed": "Retry from the failed step",
        "retry_selected": "Retry the selected failed runs",
        "select_run": "Select this run",
        "retried": "The run was queued again; it continues at the failed step.",
        "not_retryable": "Only a failed run can be retried; this one is not failed (any more).",
        "retried_many": "{count} failed run(s) queued again, each from its failed step.",
        "filter_kind": "Runs",
        "filter_search": "Value in the event",
        "search_hint": "e.g. an order number or an e-mail",
        "any_kind": "Live and test runs",
        "kind_live": "Live runs only",
        "kind_test": "Test runs only",
        "test_run": "test",
        "status_failed": "failed",
        "status_waiting": "waiting",
        "status_pending": "not run",
        "status_skipped": "skipped",
        "status_caught": "error passed on",
        "status_retrying": "will try again",
        "next_attempt": "Next attempt",
    },
    "de": {
        "title": "Shopwire",
        "sign_in": "Anmelden",
        "email": "E-Mail",
        "password": "Passwort",
        "wrong": "E-Mail oder Passwort ist falsch.",
        "no_merchant": "Dieses Konto gehört noch zu keinem Shop. Bitten Sie den Inhaber, "
        "Sie einzuladen.",
        "flows": "Ihre Abläufe",
        "sign_out": "Abmelden",
        "no_flows": "Noch keine Abläufe. Klicken Sie auf „Neuer Ablauf“, um Ihren ersten zu "
        "bauen: ein Ablauf beginnt mit einem Auslöser, etwa einem Webhook aus Ihrem Shop.",
        "new_flow": "Neuer Ablauf",
        "new_flow_name": "Neuer Ablauf",
        "edit": "Editor öffnen",
        "editor_missing": "Der Editor wurde noch nicht gebaut.",
        "editor_missing_how": "Starten Sie make run (es baut den Editor) oder bauen Sie ihn "
        "von Hand:",
        "back": "Zurück zu Ihren Abläufen",
        "on": "an",
        "off": "aus",
        "version": "Version",
        "executions": "Letzte Ausführungen",
        "no_executions": "Noch nichts gelaufen. Schalten Sie einen Ablauf an und senden Sie "
        "ein Ereignis an seine Webhook-Adresse.",
        "webhook": "Webhook-Adresse",
        "name": "Name",
        "rename": "Umbenennen",
        "save_name": "Namen speichern",
        "duplicate": "Duplizieren",
        "delete": "Löschen",
        "delete_confirm": "Den Ablauf „{name}“ löschen? Er stoppt sofort und kann nicht mehr "
        "geöffnet werden.",
        "switch_on": "Einschalten",
        "switch_off": "Ausschalten",
        "copy_suffix": "(Kopie)",
        "renamed": "Der Ablauf heißt jetzt „{name}“.",
        "duplicated": "„{name}“ wurde als Kopie angelegt, ausgeschaltet.",
        "deleted": "„{name}“ wurde gelöscht.",
        "switched_on": "„{name}“ ist an: er läuft für jedes Ereignis an seine Webhook-Adresse.",
        "switched_off": "„{name}“ ist aus: seine Webhook-Adresse nimmt keine Ereignisse mehr an.",
        "provider_refused": "„{name}“ bleibt aus: der Anbieter hat seinen Webhook nicht "
        "angenommen. {reason}",
        "name_empty": "Ein Ablauf braucht einen Namen.",
        "actions": "Aktionen für {name}",
        "all_executions": "Alle Ausführungen",
        "last_run": "Letzter Lauf",
        "never_ran": "Noch nicht gelaufen",
        "failures_24h": "{n} fehlgeschlagen in den letzten 24 Std.",
        "executions_title": "Ausführungen",
        "filter_flow": "Ablauf",
        "filter_status": "Status",
        "filter_since": "Von (UTC)",
        "filter_until": "Bis (UTC)",
        "any_flow": "Alle Abläufe",
        "any_status": "Jeder Status",
        "filter": "Anzeigen",
        "col_status": "Status",
        "col_flow": "Ablauf",
        "col_started": "Gestartet",
        "col_duration": "Dauer",
        "details": "Details",
        "older": "Ältere Ausführungen →",
        "newest": "← Neueste",
        "no_match": "Keine Ausführung passt zu diesen Filtern. Wählen Sie „Alle Abläufe“ und "
        "„Jeder Status“, um alles zu sehen.",
        "deleted_flow": "(gelöschter Ablauf)",
        "open_in_editor": "Im Editor öffnen",
        "execution": "Ausführung",
        "steps": "Schritte",
        "timeline_hint": "Jeder Balken zeigt, wann ein Schritt lief und wie lange er dauerte.",
        "hint": "Was hilft",
        "attempts": "Versuche",
        "mode": "Gestartet durch",
        "mode_manual": "Testlauf",
        "mode_webhook": "Webhook",
        "mode_subflow": "anderer Ablauf",
        "mode_error": "fehlgeschlagene Ausführung",
        "run_error": "Warum es fehlschlug",
        "back_to_list": "← Alle Ausführungen",
        "status_queued": "wartet auf Start",
        "status_running": "läuft",
        "status_succeeded": "erfolgreich",
        "status_stopped": "vom Filter angehalten",
        "retry_from_failed": "Ab dem fehlgeschlagenen Schritt wiederholen",
        "retry_selected": "Ausgewählte fehlgeschlagene Läufe wiederholen",
        "select_run": "Diesen Lauf auswählen",
        "retried": "Der Lauf wurde erneut eingereiht; er setzt beim fehlgeschlagenen Schritt fort.",
        "not_retryable": "Nur ein fehlgeschlagener Lauf kann wiederholt werden; dieser ist "
        "(nicht mehr) fehlgeschlagen.",
        "retried_many": "{count} fehlgeschlagene(r) Lauf/Läufe erneut eingereiht, jeweils ab dem "
        "fehlgeschlagenen Schritt.",
        "filter_kind": "Ausführungen",
        "filter_search": "Wert im Ereignis",
        "search_hint": "z. B. eine Bestellnummer oder E-Mail",
        "any_kind": "Echte und Testläufe",
        "kind_live": "Nur echte Ausführungen",
        "kind_test": "Nur Testläufe",
        "test_run": "Test",
        "status_failed": "fehlgeschlagen",
        "status_waiting": "wartet",
        "status_pending": "nicht gelaufen",
        "status_skipped": "übersprungen",
        "status_caught": "Fehler weitergegeben",
        "status_retrying": "neuer Versuch folgt",
        "next_attempt": "Nächster Versuch",
    },
}


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
        session["merchant_id"], g.t["new_flow_name"], copy.deepcopy(NEW_FLOW_GRAPH)
    )
    db.session.commit()
    return redirect(url_for("pages.edit_flow", flow_id=flow.id))


def _own_flow(flow_id: str) -> Flow:
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
    flow = _own_flow(flow_id)
    name = (request.form.get("name") or "").strip()
    if not name:
        flash(g.t["name_empty"], "bad")
    else:
        flow.name = name[:200]
        db.session.commit()
        flash(g.t["renamed"].format(name=flow.name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/duplicate")
def duplicate_flow(flow_id: str):
    flow = _own_flow(flow_id)
    name = f"{flow.name} {g.t['copy_suffix']}"[:200]
    lifecycle.create(session["merchant_id"], name, copy.deepcopy(flow.current_version.graph))
    db.session.commit()
    flash(g.t["duplicated"].format(name=name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/delete")
def delete_flow(flow_id: str):
    flow = _own_flow(flow_id)
    lifecycle.deactivate(flow, delete=True)
    db.session.commit()
    flash(g.t["deleted"].format(name=flow.name), "ok")
    return redirect(url_for("pages.home"))


@bp.post("/flows/<flow_id>/switch")
def switch_flow(flow_id: str):
    flow = _own_flow(flow_id)
    if request.form.get("on") != "1":
        lifecycle.deactivate(flow)
        message = "switched_off"
    else:
        try:
            lifecycle.activate(flow)
        except lifecycle.ProviderRefused as refused:
            db.session.rollback()
            reason = f"{refused.error.message} {refused.error.hint or ''}".strip()
            flash(g.t["provider_refused"].format(name=flow.name, reason=reason), "bad")
            return redirect(url_for("pages.home"))
        message = "switched_on"
    db.session.commit()
    flash(g.t[message].format(name=flow.name), "ok")
    return redirect(url_for("pages.home"))


def _editor_built() -> bool:
    return (Path(current_app.static_folder) / "dist" / "editor.js").is_file()


@bp.get("/flows/<flow_id>/edit")
def edit_flow(flow_id: str):
    flow = _own_flow(flow_id)
    return render_template("editor.html", flow=flow, built=_editor_built())


PAGE_SIZE = 25


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def _duration_text(ms: int | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{ms // 60_000} min {ms % 60_000 // 1000} s"


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
    before = request.args.get("before") or ""
    since, until = _day(request.args.get("since")), _day(request.args.get("until"))
    page, next_cursor = executions.page(
        merchant_id,
        flow_id=flow_id or None,
        status=status if status in STATUSES else None,
        kind=kind if kind in executions.RUN_KINDS else None,
        search=search or None,
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
        since=since.date().isoformat() if since else "",
        until=until.date().isoformat() if until else "",
        before=before,
        next_cursor=next_cursor,
        filtered=bool(flow_id or status or kind or search or since or until),
        can_change=_can_change(),
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


@bp.get("/executions/<execution_id>")
def show_execution(execution_id: str):
    execution = _own_execution(execution_id)
    data = executions.describe(execution, steps=True)
    flow = db.session.get(Flow, execution.flow_id)
    graph = lifecycle.version_graph(execution.version_id)
    steps = _timeline(data["steps"])
    for step in steps:
        node = graph.nodes.get(step["node_id"], {})
        title = graph.spec(step["node_id"]).title if step["node_id"] in graph.nodes else {}
        step["title"] = node.get("name") or title.get(g.lang) or title.get("en") or step["node_id"]
        if retry_at := (step.get("error") or {}).get("retry_at"):
            step["retry_at"] = _when(datetime.fromisoformat(retry_at))
    if executions.stopped_by_filter([execution.id]) and execution.status == "succeeded":
        data["status"] = "stopped"  # shown as "stopped by filter"
    return render_template(
        "execution.html",
        execution=data,
        steps=steps,
        flow=flow if flow is not None and flow.deleted_at is None else None,
        started=_when(execution.started_at or execution.created_at),
        duration=_duration_text(data["duration_ms"]),
        can_change=_can_change(),
    )


def _can_change() -> bool:
    """Whether to offer buttons that change things (a viewer gets 403 from them anyway)."""
    principal = current_principal()
    return principal is not None and role_allows(principal.role, "editor")


def _own_execution(execution_id: str) -> Execution:
    execution = db.session.scalar(
        select(Execution).where(
            Execution.id == execution_id, Execution.merchant_id == session["merchant_id"]
        )
    )
    if execution is None:
        abort(404)
    return execution


@bp.post("/executions/<execution_id>/retry")
def retry_execution(execution_id: str):
    """Run a failed execution again from its failed step; finished steps are not repeated."""
    execution = _own_execution(execution_id)
    if executions.retry(execution.id):
        flash(g.t["retried"], "ok")
    else:
        flash(g.t["not_retryable"], "bad")
    return redirect(url_for("pages.show_execution", execution_id=execution.id))


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
    flash(g.t["retried_many"].format(count=retried), "ok" if retried else "bad")
    return redirect(request.referrer or url_for("pages.list_executions"))
