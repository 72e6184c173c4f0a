"""Extension objects, created unbound and bound to the app in the factory."""

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()

T = TypeVar("T")


def per_app(name: str, build: Callable[[], T]) -> T:
    """The current app's one ``name``, built on first use. Two threads of a fresh process may
    both build it; one is kept, so ``build`` must have no effect beyond its result."""
    extensions = current_app.extensions
    found = extensions.get(name)
    if found is None:
        found = extensions.setdefault(name, build())
    return found


def execute_core(statement, parameters=None):
    """Run a Core statement in the session's transaction, without the ORM's per-statement
    work: a third of the time (22 µs instead of 64 for a primary-key look-up) on the hot paths
    of webhook ingress and the worker."""
    return db.session.connection().execute(statement, parameters)
