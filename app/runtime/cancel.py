"""Cancelling executions: one a user stops, and every unfinished one of a deleted flow.

A cancelled execution is never claimed again; a worker running it loses its lease, so the
thread that keeps the lease stops the run within seconds (see ``Progress.kept_alive``) and
its fenced writes fail at once.
"""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models import Execution
from app.models.base import utcnow

UNFINISHED = ("queued", "running", "waiting")
BY_USER = "Cancelled by a user; the steps it finished stay done, the others did not run."
FLOW_DELETED = "Cancelled because its flow was deleted."


def cancel(*which, reason: str) -> int:
    """Cancel the unfinished executions ``which`` selects; how many were. The caller commits."""
    return db.session.execute(
        update(Execution)
        .where(*which, Execution.status.in_(UNFINISHED))
        .values(
            status="cancelled",
            lease_until=None,
            finished_at=utcnow(),
            error={"type": "cancelled", "message": reason},
        )
        .execution_options(synchronize_session=False)
    ).rowcount
