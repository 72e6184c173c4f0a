"""``GET /healthz`` and ``GET /readyz``: the operator's probes.

``/healthz`` answers 200 as long as the process serves requests; it touches nothing else, so a
load balancer does not take every web server out when the database hiccups. ``/readyz`` answers
200 only when the database and Redis answer and the database is at the newest migration; else
503 naming each check that failed, so the operator knows where to look.
"""

from __future__ import annotations

import logging
from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.identity.access import public
from app.runtime.queue import redis_connection

log = logging.getLogger("shopwire.operations")

bp = Blueprint("operations_health", __name__)


@bp.get("/healthz")
@public
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
@public
def readyz():
    failed = {name: problem for name, check in CHECKS.items() if (problem := check())}
    body = {
        "status": "unavailable" if failed else "ready",
        "checks": {name: failed.get(name, "ok") for name in CHECKS},
    }
    return body, 503 if failed else 200


def _database() -> str | None:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        log.warning("readiness: the database does not answer: %s", type(error).__name__)
        return "The database does not answer. Check that it runs and DATABASE_URL."
    return None


def _redis() -> str | None:
    try:
        redis_connection().ping()
    except RedisError as error:
        log.warning("readiness: Redis does not answer: %s", type(error).__name__)
        return "Redis does not answer. Check that it runs and REDIS_URL."
    return None


def _migrations() -> str | None:
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError:
        return "The migration state could not be read (see the database check)."
    if current != _heads(current_app.extensions["migrate"].directory):
        return "The database is not at the newest migration. Run `shopwire db upgrade`."
    return None


@cache
def _heads(directory: str) -> set[str]:
    """The newest revisions in the code: they change only with a new release."""
    return set(ScriptDirectory(directory).get_heads())


CHECKS = {"database": _database, "redis": _redis, "migrations": _migrations}
