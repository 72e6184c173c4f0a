"""Merchant scoping for the JSON API: who is asking (see :mod:`app.identity.access`) and
their objects."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import g
from sqlalchemy import select

from app.api.problems import ApiProblem
from app.extensions import db
from app.identity.access import require_principal

T = TypeVar("T")


def authenticate() -> None:
    """``before_request`` of the API blueprints: ``g.merchant_id`` is the caller's, or 401.

    The app-wide check in :mod:`app.identity.access` has looked the caller up already (once per
    request); the blueprints keep saying that they need one."""
    require_principal()


def owned(model: type[T], object_id: Any, **filters: Any) -> T:
    """The merchant's object with this id, or 404: another merchant's id looks like none."""
    found = db.session.scalar(
        select(model).filter_by(id=object_id, merchant_id=g.merchant_id, **filters)
    )
    if found is None:
        raise ApiProblem(404, "Not found", f"There is no {model.__name__.lower()} {object_id}.")
    return found
