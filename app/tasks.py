"""RQ jobs. Thin: they take ids, load rows, and hand the work to the engine.

They run inside the app context that ``shopwire worker`` pushes once per process.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, true, update

from app import credentials
from app.engine import interpreter
from app.engine.payloads import parse_body
from app.extensions import db
from app.flows import version_graph
from app.models import Execution, Flow, StepRun
from app.models.base import utcnow
from app.outbound import outbound_session
from app.queue import disarm_wakeup, dispatch

log = logging.getLogger("shopwire.tasks")


BATCH_SIZE = 8  # executions claimed at once: small, so idle workers find work too


def run_execution(execution_id: str) -> int:
    """Run (or resume) this execution, then every other one waiting, until none is left or
    the time budget is spent. Returns how many executions this job ran."""
    disarm_wakeup()
    deadline = time.monotonic() + current_app.config["SHOPWIRE_DRAIN_SECONDS"]
    ran = 0
    try:
        batch = _claim(Execution.id == execution_id)
        while batch:
            for claimed_id in batch:
                _run_claimed(claimed_id)
                ran += 1
            if time.monotonic() > deadline:
                dispatch(execution_id)  # hand what is left to a fresh job
                break
            batch = _claim(true(), limit=BATCH_SIZE)
    finally:
        db.session.remove()
    return ran


def _claim(which, limit: int = 1) -> list[str]:
    """Take the lease of up to ``limit`` claimable executions, oldest first.

    Claimable means queued, or running under a lease that ran out because its worker died.
    One UPDATE, so two workers never hold the same execution; on PostgreSQL SKIP LOCKED lets
    them claim side by side without waiting for each other.
    """
    now = utcnow()
    lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    claimable = or_(
        Execution.status == "queued",
        (Execution.status == "running") & (Execution.lease_until < now),
    )
    candidates = (
        select(Execution.id)
        .where(which, claimable)
        .order_by(Execution.queued_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = db.session.scalars(
        update(Execution)
        .where(Execution.id.in_(candidates), claimable)
        .values(status="running", lease_until=now + lease, runs=Execution.runs + 1)
        .returning(Execution.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return list(claimed)


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
        checkpoint=lambda: _extend_lease(execution, force=True),
    )
    result = interpreter.run(run, lambda step: _record(execution, step))
    execution.status = result.status
    execution.error = result.error
    execution.finished_at = utcnow()
    execution.lease_until = None
    db.session.commit()
    return result.status


def _record(execution: Execution, step: interpreter.StepRecord) -> None:
    """Add a finished step to the session; the interpreter's checkpoints commit it."""
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
    """Wake a worker if executions are stranded: left queued while Redis was down (or lost
    with a Redis restart), or running under a lease that ran out because the worker died.
    Returns how many are stranded."""
    now = utcnow()
    grace = timedelta(seconds=current_app.config["SHOPWIRE_QUEUED_GRACE_SECONDS"])
    stranded = db.session.scalars(
        select(Execution.id)
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
    if stranded:
        dispatch(stranded[0], force=True)  # the job that runs it claims the others too
        log.info("sweeper found %d stranded executions", len(stranded))
    return len(stranded)
