"""OAuth 2 authorization-code flow for connectors that declare it as their auth type:

    Connector(..., auth_type=AuthorizationCode(authorize_url, token_url, scopes, pkce=True))

The merchant stores the OAuth app's ``client_id`` and ``client_secret`` as a credential, then
signs in at the provider. The ``state`` sent along is signed, expires, is single-use (its nonce
lives in Redis and is taken once), and is bound to the browser session and the merchant; the
PKCE verifier (S256) never leaves the server. Tokens are stored in the credential, encrypted,
under ``oauth``; they are refreshed shortly before they expire, at run time. A refused refresh
marks the credential "reconnect" until the merchant signs in again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import requests
from flask import current_app, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from redis.exceptions import RedisError
from sqlalchemy import select

from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential
from app.runtime.provider_http import outbound_session
from app.runtime.queue import redis_connection
from nodes.kit import registry
from nodes.kit.auth import AuthorizationCode
from nodes.kit.base import TransientError, UserError

STATE_SECONDS = 600
REFRESH_MARGIN_SECONDS = 120  # refresh this long before the access token expires
STATE_SALT = "shopwire-oauth-state"


class OAuthError(Exception):
    """The sign-in cannot complete; the message is for the merchant."""


def settings(connector_key: str) -> AuthorizationCode | None:
    """How the connector's merchants sign in, if it is by authorization code."""
    found = registry.connector(connector_key)
    auth = found.auth_type if found else None
    return auth if isinstance(auth, AuthorizationCode) else None


def callback_url() -> str:
    """Where the provider sends the browser back: the address to register with its app."""
    base = current_app.config["SHOPWIRE_PUBLIC_URL"]
    if base:
        return base.rstrip("/") + url_for("credentials.oauth_callback")
    return url_for("credentials.oauth_callback", _external=True)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=STATE_SALT)


def _session_binding() -> str:
    """A random value kept in this browser's session; the state carries its hash."""
    if "oauth_binding" not in session:
        session["oauth_binding"] = secrets.token_urlsafe(24)
    return hashlib.sha256(session["oauth_binding"].encode()).hexdigest()


def _nonce_key(nonce: str) -> str:
    return f"shopwire:oauth-state:{nonce}"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(credential: Credential, oauth: AuthorizationCode, redirect_uri: str) -> str:
    """Where to send the merchant's browser to sign in for this credential."""
    data = vault().decrypt(credential.secret)
    nonce = secrets.token_urlsafe(16)
    verifier = secrets.token_urlsafe(48) if oauth.pkce else None
    try:
        redis_connection().set(
            _nonce_key(nonce), json.dumps({"verifier": verifier}), ex=STATE_SECONDS
        )
    except RedisError:
        raise OAuthError("Signing in is not possible right now. Try again in a minute.") from None
    state = _serializer().dumps(
        {"c": credential.id, "m": credential.merchant_id, "n": nonce, "b": _session_binding()}
    )
    query = {
        "response_type": "code",
        "client_id": data.get("client_id", ""),
        "redirect_uri": redirect_uri,
        "state": state,
    }
    if oauth.scopes:
        query["scope"] = " ".join(oauth.scopes)
    if verifier:
        query |= {"code_challenge": _challenge(verifier), "code_challenge_method": "S256"}
    separator = "&" if "?" in oauth.authorize_url else "?"
    return oauth.authorize_url + separator + urlencode(query)


def complete(merchant_id: int, args: dict[str, str], redirect_uri: str) -> Credential:
    """Check the callback's state, exchange the code, store the tokens; the credential."""
    if args.get("error"):
        raise OAuthError(
            "The provider did not grant access: " + (args.get("error_description") or args["error"])
        )
    try:
        state = _serializer().loads(args.get("state", ""), max_age=STATE_SECONDS)
    except BadSignature:
        raise OAuthError("The sign-in link is invalid or expired. Start again.") from None
    if state.get("m") != merchant_id or state.get("b") != _session_binding():
        raise OAuthError("This sign-in was started in another session. Start again.")
    try:
        # Taken once: a replayed callback finds nothing.
        key = _nonce_key(state["n"])
        stored, _ = redis_connection().pipeline().get(key).delete(key).execute()
    except RedisError:
        stored = None
    if stored is None:
        raise OAuthError("This sign-in link was already used or has expired. Start again.")
    credential = db.session.scalar(
        select(Credential).filter_by(id=state["c"], merchant_id=merchant_id)
    )
    oauth = settings(credential.connector) if credential else None
    if oauth is None:
        raise OAuthError("The account no longer exists.")
    if not args.get("code"):
        raise OAuthError("The provider sent no authorization code.")
    data = vault().decrypt(credential.secret)
    form = {"grant_type": "authorization_code", "code": args["code"], "redirect_uri": redirect_uri}
    if verifier := json.loads(stored).get("verifier"):
        form["code_verifier"] = verifier
    try:
        tokens = _token_request(oauth, data, form)
    except (UserError, TransientError) as error:
        raise OAuthError(f"The provider refused the sign-in: {error.message}") from None
    _store_tokens(credential, data, tokens)
    return credential


def expiring(data: dict[str, Any]) -> bool:
    expires_at = (data.get("oauth") or {}).get("expires_at")
    return expires_at is not None and expires_at - time.time() < REFRESH_MARGIN_SECONDS


def refresh(credential: Credential) -> dict[str, Any]:
    """New tokens from the refresh token; the credential's data. Concurrent runs refresh
    once: the row is locked and read again, and a fresh token is simply used."""
    from app.credentials.store import reconnect_message

    credential = db.session.scalar(
        select(Credential)
        .filter_by(id=credential.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    data = vault().decrypt(credential.secret)
    if not expiring(data):
        db.session.commit()
        return data
    refresh_token = data["oauth"].get("refresh_token")
    try:
        if not refresh_token:
            raise UserError("the provider gave no refresh token")
        tokens = _token_request(
            settings(credential.connector),
            data,
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
        )
    except UserError as error:
        credential.status, credential.status_message = "reconnect", error.message[:500]
        db.session.commit()
        raise UserError(reconnect_message(credential)) from None
    except TransientError:
        db.session.rollback()
        raise
    return _store_tokens(credential, data, tokens)


def _token_request(oauth: AuthorizationCode, data: dict[str, Any], form: dict[str, str]) -> dict:
    """POST to the token endpoint with the client's credentials (HTTP Basic, RFC 6749 2.3.1)."""
    try:
        response = outbound_session().post(
            oauth.token_url,
            data=form,
            auth=(data.get("client_id", ""), data.get("client_secret", "")),
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as error:
        raise TransientError(f"The token endpoint could not be reached: {error}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError(f"The token endpoint answered {response.status_code}.")
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        reason = body.get("error_description") or body.get("error") or response.reason
        raise UserError(f"{response.status_code} {reason}")
    return body


def _store_tokens(credential: Credential, data: dict[str, Any], tokens: dict) -> dict[str, Any]:
    previous = data.get("oauth") or {}
    data["oauth"] = {
        "access_token": tokens["access_token"],
        "token_type": tokens.get("token_type", "Bearer"),
        # Providers may keep the refresh token the same and then leave it out.
        "refresh_token": tokens.get("refresh_token") or previous.get("refresh_token"),
        "expires_at": time.time() + tokens["expires_in"] if tokens.get("expires_in") else None,
        "scope": tokens.get("scope"),
    }
    credential.secret = vault().encrypt(data)
    credential.status, credential.status_message = "ok", None
    db.session.commit()
    return data
