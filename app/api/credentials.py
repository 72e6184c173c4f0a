"""``/api/credentials``: connector auth, stored encrypted; secrets are never returned."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request, session, url_for
from markupsafe import escape
from sqlalchemy import select

from app.api.auth import authenticate, json_body, owned
from app.api.problems import ApiProblem
from app.credentials import oauth, store
from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential
from app.models.base import isoformat
from app.runtime.provider_http import api_client
from nodes.engine.schema_errors import Problem, schema_problems, validator_for
from nodes.kit.base import NodeError

bp = Blueprint("credentials", __name__, url_prefix="/api/credentials")
bp.before_request(authenticate)


def _describe(credential: Credential) -> dict[str, Any]:
    auth = store.auth_of(credential.connector)
    schema = auth.schema if auth else {}
    data = vault().decrypt(credential.secret)
    fields = {
        name: ({"set": True} if spec.get("writeOnly") else data.get(name))
        for name, spec in schema.get("properties", {}).items()
        if name in data
    }
    described = {
        "id": credential.id,
        "connector": credential.connector,
        "name": credential.name,
        "fields": fields,
        "status": credential.status,
        "status_message": credential.status_message,
        "testable": bool(auth and auth.test),
        "created_at": isoformat(credential.created_at),
        "updated_at": isoformat(credential.updated_at),
    }
    if oauth.settings(credential.connector):
        tokens = data.get("oauth") or {}
        described["oauth"] = {
            "connected": "access_token" in tokens,
            "expires_at": tokens.get("expires_at"),
        }
    return described


def _checked_data(schema: dict[str, Any] | None, data: Any) -> list[Problem]:
    return [] if schema is None else schema_problems(validator_for(schema), data, ("data",))


@bp.get("")
def list_credentials():
    found = db.session.scalars(
        select(Credential).where(Credential.merchant_id == g.merchant_id).order_by(Credential.name)
    ).all()
    return {"credentials": [_describe(c) for c in found]}


@bp.post("")
def create_credential():
    body = json_body()
    connector = body.get("connector")
    schema = store.auth_schema(connector) if isinstance(connector, str) else None
    errors = []
    if schema is None:
        errors.append(Problem("/connector", "No connector with this name needs an account."))
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        errors.append(Problem("/name", "Give the account a name."))
    data = body.get("data")
    errors += _checked_data(schema, data)
    if errors:
        raise ApiProblem(422, "The account is not valid", errors=errors)
    credential = Credential(
        merchant_id=g.merchant_id,
        connector=connector,
        name=body["name"].strip(),
        secret=vault().encrypt(data),
    )
    db.session.add(credential)
    db.session.commit()
    return _describe(credential), 201


@bp.get("/<credential_id>")
def get_credential(credential_id: str):
    return _describe(owned(Credential, credential_id))


@bp.patch("/<credential_id>")
def update_credential(credential_id: str):
    """Rename, or replace fields: a field left out (a secret the form shows as "set") keeps
    its stored value."""
    credential = owned(Credential, credential_id)
    body = json_body()
    errors = []
    name = body.get("name", credential.name)
    if not isinstance(name, str) or not name.strip():
        errors.append(Problem("/name", "Give the account a name."))
    stored = vault().decrypt(credential.secret)
    tokens = stored.pop("oauth", None)
    changes = body.get("data", {})
    if not isinstance(changes, dict):
        errors.append(Problem("/data", "The account's data must be an object."))
        changes = {}
    data = {**stored, **changes}
    errors += _checked_data(store.auth_schema(credential.connector), data)
    if errors:
        raise ApiProblem(422, "The account is not valid", errors=errors)
    credential.name = name.strip()
    if changes:
        credential.secret = vault().encrypt({**data, "oauth": tokens} if tokens else data)
    db.session.commit()
    return _describe(credential)


@bp.delete("/<credential_id>")
def delete_credential(credential_id: str):
    db.session.delete(owned(Credential, credential_id))
    db.session.commit()
    return "", 204


@bp.post("/<credential_id>/test")
def test_credential(credential_id: str):
    """Make the connector's test request with this account; the provider's answer, without
    any of the account's secrets."""
    credential = owned(Credential, credential_id)
    auth = store.auth_of(credential.connector)
    if not auth or not auth.test:
        raise ApiProblem(
            409, "No connection test", f"{credential.connector} accounts cannot be tested here."
        )
    data = vault().decrypt(credential.secret)
    secrets = store.secrets_of(credential.connector, data)
    try:
        data = store.for_run(g.merchant_id, credential.id)
        confirmation = auth.test(api_client(auth.connector, data))
        ok = True
        message = confirmation if isinstance(confirmation, str) else "The connection works."
    except NodeError as error:
        ok, message = False, error.message
    secrets.add(store.secrets_of(credential.connector, data).forms)
    return {"ok": ok, "message": secrets.scrub(message)}


def _callback_url() -> str:
    base = current_app.config["SHOPWIRE_PUBLIC_URL"]
    if base:
        return base.rstrip("/") + url_for("credentials.oauth_callback")
    return url_for("credentials.oauth_callback", _external=True)


@bp.post("/<credential_id>/oauth")
def start_oauth(credential_id: str):
    """The provider's sign-in address for this account (open it in the browser)."""
    credential = owned(Credential, credential_id)
    settings = oauth.settings(credential.connector)
    if settings is None:
        raise ApiProblem(409, "No sign-in", f"{credential.connector} accounts use no sign-in.")
    if "merchant_id" not in session:
        raise ApiProblem(
            400, "Sign in in the browser", "Connect the account from the editor, signed in."
        )
    try:
        url = oauth.authorize_url(credential, settings, _callback_url())
    except oauth.OAuthError as error:
        raise ApiProblem(503, "Sign-in unavailable", str(error)) from None
    return {"authorize_url": url}


@bp.get("/oauth/callback")
def oauth_callback():
    """Where the provider sends the browser back; a short page that says how it went."""
    try:
        credential = oauth.complete(g.merchant_id, request.args.to_dict(), _callback_url())
    except oauth.OAuthError as error:
        return _page("Sign-in failed · Anmeldung fehlgeschlagen", str(error)), 400
    return _page(
        "Account connected · Konto verbunden",
        f'"{credential.name}" is connected; you can close this window. '
        f"„{credential.name}“ ist verbunden; Sie können dieses Fenster schließen.",
    )


def _page(title: str, message: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"</head><body><h1>{escape(title)}</h1><p>{escape(message)}</p></body></html>"
    )
