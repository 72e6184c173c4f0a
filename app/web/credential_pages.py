"""Settings → Accounts: the shop's accounts at providers, with the flows that use each; test,
rename, replace a secret, sign in again (OAuth), and delete after being told which flows stop
working. The changes themselves are :mod:`app.credentials.store`'s, shared with the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from app.credentials import oauth, store
from app.extensions import db
from app.models import Credential
from nodes.kit import registry

bp = Blueprint("credential_pages", __name__, url_prefix="/settings/accounts")


def _credential(credential_id: str) -> Credential:
    found = db.session.scalar(
        select(Credential).filter_by(id=credential_id, merchant_id=g.merchant_id)
    )
    if found is None:
        abort(404)
    return found


def _provider(connector_key: str) -> str:
    connector = registry.connector(connector_key)
    if connector is None:
        return connector_key
    return connector.title.get(g.lang, connector.title.get("en", connector_key))


def _secret_fields(connector_key: str) -> list[dict[str, str]]:
    """The fields a merchant can replace: the secrets of the connector's account schema."""
    schema = store.auth_schema(connector_key) or {}
    return [
        {"name": name, "title": spec.get("title", name), "hint": spec.get("description", "")}
        for name, spec in schema.get("properties", {}).items()
        if spec.get("writeOnly")
    ]


def _describe(credential: Credential) -> dict[str, Any]:
    auth = store.auth_of(credential.connector)
    return {
        "id": credential.id,
        "name": credential.name,
        "provider": _provider(credential.connector),
        "reconnect": credential.status == "reconnect",
        "status_message": credential.status_message,
        "testable": bool(auth and auth.test),
        "signs_in": oauth.settings(credential.connector) is not None,
        "secret_fields": _secret_fields(credential.connector),
        "flows": store.flows_using(g.merchant_id, credential.id),
    }


@bp.get("")
def accounts():
    found = db.session.scalars(
        select(Credential).where(Credential.merchant_id == g.merchant_id).order_by(Credential.name)
    ).all()
    return render_template("settings/accounts.html", accounts=[_describe(c) for c in found])


@bp.post("/<credential_id>/test")
def test(credential_id: str):
    credential = _credential(credential_id)
    ok, message = store.test_connection(g.merchant_id, credential)
    if ok:
        flash(f"{credential.name}: {message}", "ok")
    else:
        flash(
            gettext(
                "%(name)s: the connection failed: %(reason)s", name=credential.name, reason=message
            ),
            "bad",
        )
    return redirect(url_for("credential_pages.accounts"))


@bp.post("/<credential_id>/rename")
def rename(credential_id: str):
    credential = _credential(credential_id)
    name = (request.form.get("name") or "").strip()
    if not name:
        flash(gettext("Give the account a name."), "bad")
    else:
        store.change(credential, name[:200], {})
        db.session.commit()
        flash(gettext("The account is now called “%(name)s”.", name=credential.name), "ok")
    return redirect(url_for("credential_pages.accounts"))


@bp.post("/<credential_id>/secret")
def replace_secret(credential_id: str):
    credential = _credential(credential_id)
    fields = {
        field["name"]: request.form[field["name"]].strip()
        for field in _secret_fields(credential.connector)
        if request.form.get(field["name"], "").strip()
    }
    if not fields:
        flash(gettext("Enter the new secret first."), "bad")
    elif problems := store.change(credential, None, fields):
        titles = {field["name"]: field["title"] for field in _secret_fields(credential.connector)}
        said = [f"{titles.get(p.pointer.strip('/'), p.pointer)}: {p.message}" for p in problems]
        flash(" ".join(said), "bad")
    else:
        db.session.commit()
        flash(gettext("The secret of “%(name)s” was replaced.", name=credential.name), "ok")
    return redirect(url_for("credential_pages.accounts"))


@bp.post("/<credential_id>/connect")
def connect(credential_id: str):
    """Sign in at the provider for this account (OAuth); it sends the browser back to the
    callback, which says how it went."""
    credential = _credential(credential_id)
    settings = oauth.settings(credential.connector)
    if settings is None:
        abort(404)
    try:
        return redirect(oauth.authorize_url(credential, settings, oauth.callback_url()))
    except oauth.OAuthError as error:
        flash(str(error), "bad")
        return redirect(url_for("credential_pages.accounts"))


@bp.route("/<credential_id>/delete", methods=["GET", "POST"])
def delete(credential_id: str):
    """Deleting asks first, naming the flows whose steps use the account."""
    credential = _credential(credential_id)
    if request.method == "GET":
        return render_template(
            "settings/account_delete.html",
            target=_describe(credential),
        )
    name = credential.name
    db.session.delete(credential)
    db.session.commit()
    flash(gettext("The account “%(name)s” was deleted.", name=name), "ok")
    return redirect(url_for("credential_pages.accounts"))
