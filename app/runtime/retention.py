"""Purging stored execution data after each merchant's retention period (default 30 days).

Run by the scheduler (see ``shopwire scheduler``). Deletes in small batches, each its own
transaction, so a large backlog never holds long locks against ingress and workers. Executions
still queued, running or waiting are never deleted, however old.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.extensions import db
from app.models import Execution, Merchant, RejectedEvent, StepRun, UserSession
from app.models.base import utcnow
from app.runtime import files

log = logging.getLogger("shopwire.retention")

BATCH_SIZE = 500
FINISHED = ("succeeded", "failed", "cancelled")


def purge(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Delete every merchant's data older than its retention; counts of deleted rows."""
    now = now or utcnow()
    default = current_app.config["SHOPWIRE_RETENTION_DAYS"]
    counts = {"executions": 0, "step_runs": 0, "files": 0, "rejected_events": 0}
    merchants = db.session.execute(select(Merchant.id, Merchant.retention_days)).all()
    for merchant_id, days in merchants:
        cutoff = now - timedelta(days=default if days is None else days)
        _purge_executions(merchant_id, cutoff, batch_size, counts)
        _purge_rejected(merchant_id, cutoff, batch_size, counts)
    counts["sessions"] = _purge_sessions(now)
    if any(counts.values()):
        log.info("purged old execution data: %s", counts)
    return counts


def _purge_sessions(now: datetime) -> int:
    """Sessions older than a session cookie lives (signed-out ones are gone already)."""
    cutoff = now - current_app.permanent_session_lifetime
    purged = db.session.execute(delete(UserSession).where(UserSession.created_at < cutoff)).rowcount
    db.session.commit()
    return purged


def _purge_executions(merchant_id: int, cutoff: datetime, batch_size: int, counts) -> None:
    old = (
        select(Execution.id)
        .where(
            Execution.merchant_id == merchant_id,
            Execution.created_at < cutoff,
            Execution.status.in_(FINISHED),
        )
        .limit(batch_size)
    )
    while ids := db.session.scalars(old).all():
        counts["files"] += files.delete_of_executions(ids)
        counts["step_runs"] += db.session.execute(
            delete(StepRun).where(StepRun.execution_id.in_(ids))
        ).rowcount
        counts["executions"] += db.session.execute(
            delete(Execution).where(Execution.id.in_(ids))
        ).rowcount
        db.session.commit()


def _purge_rejected(merchant_id: int, cutoff: datetime, batch_size: int, counts) -> None:
    old = (
        select(RejectedEvent.id)
        .where(RejectedEvent.merchant_id == merchant_id, RejectedEvent.received_at < cutoff)
        .limit(batch_size)
    )
    while ids := db.session.scalars(old).all():
        counts["rejected_events"] += db.session.execute(
            delete(RejectedEvent).where(RejectedEvent.id.in_(ids))
        ).rowcount
        db.session.commit()


def purge_job() -> dict[str, int]:
    """The RQ job: runs in the worker's app context."""
    try:
        return purge()
    finally:
        db.session.remove()
