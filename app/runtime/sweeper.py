"""The sweeper: wakes a worker for executions nobody is running (run by the scheduler)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Execution
from app.models.base import utcnow
from app.runtime.claims import due, lease_expired, queued
from app.runtime.queue import dispatch

log = logging.getLogger("shopwire.tasks")


def sweep() -> bool:
    """Wake a worker if executions are stranded: left queued while Redis was down (or lost
    with a Redis restart), due after a wait whose scheduled job was lost, or running under a
    lease that ran out because the worker died. Returns whether it found any."""
    grace = timedelta(seconds=current_app.config["SHOPWIRE_QUEUED_GRACE_SECONDS"])
    overdue = Execution.queued_at < utcnow() - grace
    stranded = (
        db.session.scalar(select(Execution.id).where(queued() & overdue).limit(1))
        # a wait whose scheduled job Redis lost
        or db.session.scalar(select(Execution.id).where(due() & overdue).limit(1))
        or db.session.scalar(select(Execution.id).where(lease_expired()).limit(1))
    )
    db.session.remove()
    if stranded:
        dispatch(stranded, force=True)  # the job that runs it claims the others too
        log.info("sweeper woke a worker for stranded executions")
    return stranded is not None
