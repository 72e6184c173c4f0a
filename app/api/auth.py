"""Bearer-token authentication and merchant scoping for the JSON API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from flask import g, request, session
from sqlalchemy import select

from app.api.problems import ApiProblem
from app.csrf import csrf_valid
from app.extensions import db
from app.models import ApiToken
from app.models.base import utcnow

T = TypeVar("T")

LAST_USED_RESOLUTION = timedelta(minutes=1)  # avoid a write on every request


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def authenticate() -> None:
    """``before_request`` for every API blueprint: sets ``g.merchant_id`` or answers 401.

    Scripts send a bearer token; the editor in the browser uses the signed-in session, and
    then every state-changing request must carry the session's CSRF token.
    """
    header = request.headers.get("Authorization", "")
    if not header and "merchant_id" in session:
        if request.method not in SAFE_METHODS and not csrf_valid(
            request.headers.get("X-CSRF-Token")
        ):
            raise ApiProblem(403, "Missing CSRF token", "Reload the page and try again.")
        g.merchant_id = session["merchant_id"]
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiProblem(
            401,
            "Authentication required",
            "Send an API token as 'Authorization: Bearer <token>'. "
            "Create one with `shopwire token --merchant NAME`.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == ApiToken.digest(token.strip()), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None:
        raise ApiProblem(
            401,
            "Invalid token",
            "This API token is unknown or was revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
        api_token.last_used_at = now
        db.session.commit()
    g.merchant_id = api_token.merchant_id


def owned(model: type[T], object_id: Any, **filters: Any) -> T:
    """The merchant's object with this id, or 404: another merchant's id looks like none."""
    found = db.session.scalar(
        select(model).filter_by(id=object_id, merchant_id=g.merchant_id, **filters)
    )
    if found is None:
        raise ApiProblem(404, "Not found", f"There is no {model.__name__.lower()} {object_id}.")
    return found


def json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiProblem(400, "Bad request", "The request body must be a JSON object.")
    return body
