"""The HTML pages: sign-in, the overview of a merchant's flows and recent executions, and the
page that mounts the canvas editor (built from ``frontend/`` into ``app/static/dist``)."""

from __future__ import annotations

import copy
from functools import wraps
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from app import executions, flows
from app.csrf import csrf_token, csrf_valid
from app.extensions import db
from app.models import Execution, Flow, Membership, User

bp = Blueprint("pages", __name__)

TEXT = {
    "en": {
        "title": "Shopwire",
        "sign_in": "Sign in",
        "email": "E-mail",
        "password": "Password",
        "wrong": "E-mail or password is wrong.",
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
    },
    "de": {
        "title": "Shopwire",
        "sign_in": "Anmelden",
        "email": "E-Mail",
        "password": "Passwort",
        "wrong": "E-Mail oder Passwort ist falsch.",
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
    },
}


@bp.before_app_request
def _language() -> None:
    g.lang = request.accept_languages.best_match(["en", "de"]) or "en"
    g.t = TEXT[g.lang]


def _check_csrf() -> None:
    if not csrf_valid(request.form.get("csrf")):
        abort(400, "The form expired. Reload the page and try again.")


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if "merchant_id" not in session:
            return redirect(url_for("pages.login"))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        _check_csrf()
        user = db.session.scalar(select(User).where(User.email == request.form.get("email")))
        if user and user.check_password(request.form.get("password", "")):
            membership = db.session.scalar(select(Membership).filter_by(user_id=user.id))
            session.clear()
            session["merchant_id"] = membership.merchant_id
            return redirect(url_for("pages.home"))
        error = g.t["wrong"]
    return render_template("login.html", csrf=csrf_token(), error=error)


@bp.post("/logout")
def logout():
    _check_csrf()
    session.clear()
    return redirect(url_for("pages.login"))


@bp.get("/")
@login_required
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
    return render_template(
        "home.html",
        flows=[(flow, flows.webhooks(flow)) for flow in merchant_flows],
        executions=[(executions.describe(e), names.get(e.flow_id, "")) for e in recent],
        csrf=csrf_token(),
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
@login_required
def new_flow():
    _check_csrf()
    flow = flows.create(session["merchant_id"], g.t["new_flow_name"], copy.deepcopy(NEW_FLOW_GRAPH))
    db.session.commit()
    return redirect(url_for("pages.edit_flow", flow_id=flow.id))


def _editor_built() -> bool:
    return (Path(current_app.static_folder) / "dist" / "editor.js").is_file()


@bp.get("/flows/<flow_id>/edit")
@login_required
def edit_flow(flow_id: str):
    flow = db.session.scalar(
        select(Flow).where(
            Flow.id == flow_id,
            Flow.merchant_id == session["merchant_id"],
            Flow.deleted_at.is_(None),
        )
    )
    if flow is None:
        abort(404)
    return render_template("editor.html", flow=flow, csrf=csrf_token(), built=_editor_built())
