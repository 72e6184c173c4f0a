"""``/api/credentials``: connector auth, stored encrypted; secrets are never returned."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, session
from flask_babel import gettext
from sqlalchemy import select

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.credentials import oauth, store
from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential
from app.models.base import isoformat
from nodes.engine.schema_errors import Problem

bp = Blueprint("credentials", __name__, url_prefix="/api/credentials", description="Accounts")
bp.before_request(authenticate)

PAGE = {"text/html": {"schema": {"type": "string"}}}  # the OAuth callback's answer


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


@bp.get("")
@bp.response(200, schemas.CredentialList)
def list_credentials():
    """List credentials (secrets are never returned)."""
    found = db.session.scalars(
        select(Credential).where(Credential.merchant_id == g.merchant_id).order_by(Credential.name)
    ).all()
    return {"credentials": [_describe(c) for c in found]}


@bp.post("")
@bp.arguments(schemas.NewCredential)
@bp.response(201, schemas.Credential)
def create_credential(body: dict[str, Any]):
    """Store a credential."""
    credential = Credential(
        merchant_id=g.merchant_id,
        connector=body["connector"],
        name=body["name"],
        secret=vault().encrypt(body["data"]),
    )
    db.session.add(credential)
    db.session.commit()
    return _describe(credential)


@bp.get("/<credential_id>")
@bp.response(200, schemas.Credential)
@bp.alt_response(404, response="NOT_FOUND")
def get_credential(credential_id: str):
    """A credential (secrets are never returned)."""
    return _describe(owned(Credential, credential_id))


@bp.patch("/<credential_id>")
@bp.arguments(schemas.CredentialChanges)
@bp.response(200, schemas.Credential)
@bp.alt_response(404, response="NOT_FOUND")
def update_credential(changes: dict[str, Any], credential_id: str):
    """Rename, or replace fields: a field left out (a secret the form shows as "set") keeps
    its stored value."""
    credential = owned(Credential, credential_id)
    if found := store.change(credential, changes["name"], changes["data"]):
        raise ApiProblem(
            422,
            schemas.CredentialChanges.problem_title,
            errors=[Problem("/data" + p.pointer, p.message) for p in found],
        )
    db.session.commit()
    return _describe(credential)


@bp.delete("/<credential_id>")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def delete_credential(credential_id: str):
    """Delete a credential."""
    db.session.delete(owned(Credential, credential_id))
    db.session.commit()


@bp.post("/<credential_id>/test")
@bp.response(200, schemas.ConnectionTest)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
def test_credential(credential_id: str):
    """Make the connector's test request with this account; the provider's answer, without
    any of the account's secrets."""
    credential = owned(Credential, credential_id)
    auth = store.auth_of(credential.connector)
    if not auth or not auth.test:
        raise ApiProblem(
            409, "No connection test", f"{credential.connector} accounts cannot be tested here."
        )
    ok, message = store.test_connection(g.merchant_id, credential)
    return {"ok": ok, "message": message}


@bp.post("/<credential_id>/oauth")
@bp.response(200, schemas.OAuthStart)
@bp.alt_response(400, response="BAD_REQUEST")
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(409, response="CONFLICT")
@bp.alt_response(503, response="SERVICE_UNAVAILABLE")
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
        url = oauth.authorize_url(credential, settings, oauth.callback_url())
    except oauth.OAuthError as error:
        raise ApiProblem(503, "Sign-in unavailable", str(error)) from None
    return {"authorize_url": url}


@bp.get("/oauth/callback")
@bp.arguments(schemas.OAuthCallback, location="query")
@bp.doc(
    responses={
        "200": {"description": "Connected", "content": PAGE},
        "400": {"description": "Sign-in failed", "content": PAGE},
    }
)
def oauth_callback(answer: dict[str, Any]):
    """Where the provider sends the browser back; a short page that says how it went."""
    try:
        credential = oauth.complete(g.merchant_id, answer, oauth.callback_url())
    except oauth.OAuthError as error:
        return render_template(
            "oauth_callback.html", title=gettext("Sign-in failed"), message=str(error)
        ), 400
    return render_template(
        "oauth_callback.html",
        title=gettext("Account connected"),
        message=gettext(
            "“%(name)s” is connected; you can close this window.", name=credential.name
        ),
    )
