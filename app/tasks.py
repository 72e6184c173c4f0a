"""RQ jobs. Thin: they take ids, load rows, and hand the work to the engine.

They run inside the app context that ``shopwire worker`` pushes once per process.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from app import credentials
from app.engine import interpreter
from app.engine.payloads import parse_body
from app.extensions import db
from app.flows import version_graph
from app.models import Execution, Flow, StepRun
from app.models.base import utcnow
from app.outbound import outbound_session
from app.queue import dispatch, waiting_in_queue

log = logging.getLogger("shopwire.tasks")


def run_execution(execution_id: str) -> str:
    """Run (or resume) one execution. Returns its final status, or "skipped" if not claimed."""
    if not _claim(execution_id):
        return "skipped"
    try:
        return _run_claimed(execution_id)
    finally:
        db.session.remove()


def _claim(execution_id: str) -> bool:
    """Take the execution's lease, so two workers never run it at the same time.

    One conditional UPDATE: it succeeds for a queued execution, or for a running one whose
    lease ran out because its worker died.
    """
    now = utcnow()
    lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    claimed = db.session.execute(
        update(Execution)
        .where(
            Execution.id == execution_id,
            or_(
                Execution.status == "queued",
                (Execution.status == "running") & (Execution.lease_until < now),
            ),
        )
        .values(status="running", lease_until=now + lease, runs=Execution.runs + 1)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _run_claimed(execution_id: str) -> str:
    execution = db.session.get(Execution, execution_id)
    flow = db.session.get(Flow, execution.flow_id)
    if execution.started_at is None:
        execution.started_at = utcnow()
    finished = {
        step.node_id: interpreter.StepRecord(
            step.node_id, step.status, output=step.output, ports=tuple(step.ports or ())
        )
        for step in execution.steps
        if step.status in ("succeeded", "skipped")
    }
    run = interpreter.Execution(
        id=execution.id,
        graph=version_graph(execution.version_id),
        trigger_output=parse_body(execution.raw_body, execution.content_type),
        flow={"id": flow.id, "name": flow.name, "execution_id": execution.id},
        http=outbound_session(),
        credential=lambda credential_id: credentials.decrypted(
            execution.merchant_id, credential_id
        ),
        finished=finished,
        heartbeat=lambda: _extend_lease(execution),
    )
    result = interpreter.run(run, lambda step, durable: _record(execution, step, durable))
    execution.status = result.status
    execution.error = result.error
    execution.finished_at = utcnow()
    execution.lease_until = None
    db.session.commit()
    return result.status


def _record(execution: Execution, step: interpreter.StepRecord, durable: bool) -> None:
    """Add a finished step; commit it at once if it was an action: that is the resume point.

    Transform records ride along with the next commit, which saves a commit per step.
    """
    db.session.add(
        StepRun(
            execution_id=execution.id,
            node_id=step.node_id,
            status=step.status,
            input=step.input,
            output=step.output,
            error=step.error,
            attempts=step.attempts,
            ports=list(step.ports),
            started_at=_naive(step.started_at),
            finished_at=_naive(step.finished_at),
        )
    )
    if durable:
        _extend_lease(execution, force=True)


def _extend_lease(execution: Execution, *, force: bool = False) -> None:
    """Push the lease out again, and commit; skipped while more than half of it is left."""
    lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    now = utcnow()
    if force or execution.lease_until - now < lease / 2:
        execution.lease_until = now + lease
        db.session.commit()


def _naive(moment):
    return None if moment is None else moment.replace(tzinfo=None)


def sweep() -> int:
    """Re-enqueue executions nobody is working on: left queued while Redis was down (or lost
    with a Redis restart), or running under a lease that ran out because the worker died.
    Returns how many."""
    now = utcnow()
    grace = timedelta(seconds=current_app.config["SHOPWIRE_QUEUED_GRACE_SECONDS"])
    rows = db.session.execute(
        select(Execution.id, Execution.status)
        .where(
            or_(
                (Execution.status == "queued") & (Execution.queued_at < now - grace),
                (Execution.status == "running") & (Execution.lease_until < now),
            )
        )
        .order_by(Execution.queued_at)
        .limit(1000)
    ).all()
    db.session.remove()
    queued = [execution_id for execution_id, status in rows if status == "queued"]
    still_waiting = waiting_in_queue(queued) if queued else set()
    stranded = [execution_id for execution_id, _ in rows if execution_id not in still_waiting]
    for execution_id in stranded:
        dispatch(execution_id)
    if stranded:
        log.info("sweeper re-enqueued %d executions", len(stranded))
    return len(stranded)
