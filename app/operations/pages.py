"""The shop's alert settings (a form on the shop's settings page), and the operators' page:
queues, workers and scheduler state, for the people named in ``SHOPWIRE_OPERATORS``."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext

from app.credentials.vault import vault
from app.extensions import db
from app.identity.access import current_principal, requires
from app.models import AlertSettings
from app.operations import health, state

bp = Blueprint("operations_pages", __name__)

# What the shop may be alerted about, with the form's label for each.
SWITCHES = {
    "on_failed_run": lazy_gettext("a run failed"),
    "on_repeated_failures": lazy_gettext("runs keep failing"),
    "on_quiet_trigger": lazy_gettext("a trigger has gone quiet"),
    "on_account": lazy_gettext("an account stopped working"),
}


@bp.app_template_global()
def alert_settings() -> dict:
    """What the alert form on the shop's settings page shows."""
    found = db.session.get(AlertSettings, g.merchant_id)
    return {
        "settings": found or AlertSettings(**{switch: True for switch in SWITCHES}),
        "webhook_set": found is not None and found.webhook is not None,
        "switches": SWITCHES,
    }


@bp.post("/settings/alerts")
@requires("owner")
def save_alerts():
    form = request.form
    emails = [address.strip() for address in form.get("emails", "").split(",")]
    emails = [address for address in emails if address]
    for address in emails:
        if "@" not in address or " " in address or len(address) > 320:
            flash(gettext("“%(email)s” is not an e-mail address.", email=address), "bad")
            return redirect(url_for("settings.shop"))
    url = form.get("webhook", "").strip()
    if url and not url.startswith("https://"):
        flash(gettext("The webhook URL must start with https://."), "bad")
        return redirect(url_for("settings.shop"))
    settings = db.session.get(AlertSettings, g.merchant_id) or AlertSettings(
        merchant_id=g.merchant_id
    )
    settings.emails = ", ".join(emails)[:1000]
    if url:
        settings.webhook = vault().encrypt({"url": url})
    elif form.get("remove_webhook"):
        settings.webhook = None
    settings.webhook_format = "teams" if form.get("webhook_format") == "teams" else "slack"
    settings.language = "en" if form.get("language") == "en" else "de"
    for switch in SWITCHES:
        setattr(settings, switch, bool(form.get(switch)))
    db.session.add(settings)
    db.session.commit()
    flash(gettext("Alert settings saved."), "ok")
    return redirect(url_for("settings.shop"))


@bp.get("/operations")
@requires("viewer")
def operators():
    """Not for merchants: a signed-in user whose e-mail the installation lists as an
    operator. Anyone else gets 404, as if there were no such page."""
    principal = current_principal()
    operators = {
        email.strip().lower()
        for email in current_app.config["SHOPWIRE_OPERATORS"].split(",")
        if email.strip()
    }
    if principal.user is None or principal.user.email.lower() not in operators:
        abort(404)
    checks = {name: check() or "ok" for name, check in health.CHECKS.items()}
    return render_template("operations/operators.html", found=state.snapshot(), checks=checks)
