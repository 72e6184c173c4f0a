"""RQ jobs. Thin: they take ids, load rows, and hand the work to the engine.

They run inside the app context that ``shopwire worker`` pushes once per process.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError

from app.credentials import store
from app.extensions import db, execute_core
from app.flows.lifecycle import version_graph
from app.ingress import limits
from app.models import Execution, Flow, Merchant, StepRun
from app.models.base import utcnow
from app.models.execution import NO_ITEM
from app.operations import log_format, metrics
from app.runtime import error_flows, subflows
from app.runtime.provider_http import origins, outbound_session
from app.runtime.queue import disarm_wakeup, dispatch, publish_response, schedule
from nodes.engine import interpreter
from nodes.engine.payloads import parse_body

log = logging.getLogger("shopwire.tasks")


BATCH_SIZE = 8  # executions claimed at once: small, so idle workers find work too


def run_execution(execution_id: str) -> int:
    """Run (or resume) this execution, then every other one waiting, until none is left or
    the time budget is spent. Returns how many executions this job ran."""
    disarm_wakeup()
    deadline = time.monotonic() + current_app.config["SHOPWIRE_DRAIN_SECONDS"]
    ran = 0
    try:
        # Its own execution may already have run in another job's batch: then drain anyway,
        # since events that arrived meanwhile counted on this job to pick them up.
        batch = _claim(Execution.id == execution_id, _claimable) or _claim_next()
        while batch:
            if len(batch) == BATCH_SIZE:  # a backlog: wake another worker to drain it too
                dispatch(execution_id)
            for claimed_id, token in batch:
                _run_one(claimed_id, token)
                ran += 1
            if time.monotonic() > deadline:
                dispatch(execution_id)  # hand what is left to a fresh job
                break
            batch = _claim_next()
    finally:
        db.session.remove()
        log_format.bind()  # what is logged next is no longer about these executions
    return ran


# The claimable states, each a condition on the status column it is given.


def _claimable(status=Execution.status):
    """Queued, due after a wait, or running under a lease that ran out (its worker died)."""
    return or_(_queued(status), _due(status), _lease_expired(status))


def _queued(status=Execution.status):
    return status == "queued"


def _due(status=Execution.status):
    """Waiting (a delay step) and its time has come: ``queued_at`` holds when to go on."""
    return (status == "waiting") & (Execution.queued_at <= utcnow())


def _lease_expired(status=Execution.status):
    return (status == "running") & (Execution.lease_until < utcnow())


# The status, as a value no index covers. The claim's UPDATE re-checks the state of a few rows
# it names by id; given the indexed column, SQLite's planner walks the status index instead,
# through every queued execution, so a claim cost grew with the backlog (3 ms at 4,000).
_UNINDEXED_STATUS = Execution.status + ""


def _claim_next() -> list[str]:
    # Indexed look-ups one by one rather than one OR that would scan every execution ever run.
    return (
        _claim(true(), _queued, BATCH_SIZE)
        or _claim(true(), _due, BATCH_SIZE)
        or _claim(true(), _lease_expired, BATCH_SIZE)
    )


def _claim(which, claimable, limit: int = 1) -> list[tuple[str, int]]:
    """Take the lease of up to ``limit`` claimable executions, oldest first; return their ids
    with their run counts, which fence every later write (see :class:`LeaseLost`).

    The UPDATE re-checks that each row is still claimable, so two workers never hold the same
    execution; on PostgreSQL the candidates are locked (SKIP LOCKED lets workers claim side by
    side without waiting for each other). SQLite has no SKIP LOCKED: two workers read the same
    oldest candidates and one of them claims none. That worker reads again rather than take
    it for an empty queue, which had left every worker but one idle under load.
    """
    for _ in range(CLAIM_RACES):
        candidates = execute_core(
            select(
                Execution.id,
                Execution.merchant_id,
                Execution.status,
                Merchant.max_concurrent_executions,
            )
            .join(Merchant, Merchant.id == Execution.merchant_id)
            .where(which, claimable())
            .order_by(Execution.queued_at)
            .limit(limit)
            .with_for_update(skip_locked=True, of=Execution)
        ).all()
        # A merchant at its limit of concurrent executions keeps the rest queued.
        allowed = limits.within_concurrency(candidates)
        if not allowed:
            db.session.commit()
            return []
        if claimed := _take(allowed, claimable):
            return claimed
    return []


CLAIM_RACES = 20  # each one lost means another worker took a batch: the queue moves on


def _take(allowed: list[str], claimable) -> list[tuple[str, int]]:
    now = utcnow()
    lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    claimed = execute_core(
        update(Execution)
        .where(Execution.id.in_(allowed), claimable(_UNINDEXED_STATUS))
        .values(
            status="running",
            lease_until=now + lease,
            runs=Execution.runs + 1,
            started_at=func.coalesce(Execution.started_at, now),
        )
        .returning(Execution.id, Execution.runs)
    ).all()
    db.session.commit()
    return [tuple(row) for row in claimed]


class LeaseLost(Exception):
    """Another worker took this execution over after its lease ran out: stop writing to it.

    Every write of a run is conditional on the run count it claimed with, so a worker that was
    too slow (or paused) can never overwrite the work of the one that took over.
    """


def _run_one(execution_id: str, token: int) -> None:
    """Run one claimed execution; whatever goes wrong, the rest of the batch still runs."""
    try:
        _run_claimed(execution_id, token)
    except LeaseLost:
        db.session.rollback()
        log.warning("execution %s was taken over by another worker", execution_id)
    except Exception:
        db.session.rollback()
        log.exception("execution %s crashed", execution_id)
        _fail_crashed(execution_id, token)


def _fail_crashed(execution_id: str, token: int) -> None:
    """Mark a crashed execution failed, so it shows in the list with "retry" instead of being
    picked up again and again; if even that fails, its lease runs out and it is resumed."""
    error = {
        "type": "error",
        "message": "The execution stopped because of an internal error. "
        "Retrying may help; if it keeps failing, contact support.",
    }
    try:
        marked = db.session.execute(
            FINISH,
            {
                "execution_id": execution_id,
                "token": token,
                "status": "failed",
                "error": error,
                "finished_at": utcnow(),
            },
        )
        db.session.commit()
        if marked.rowcount == 1:  # the merchant's error flows hear of crashes too
            metrics.execution_finished("failed")
            row = db.session.execute(LOAD_EXECUTION, {"id": execution_id}).one()
            if row.mode != subflows.MODE:
                error_flows.report(row, execution_id, token, error)
    except Exception:
        db.session.rollback()
        log.exception("execution %s could not be marked failed", execution_id)


LOAD_EXECUTION = (
    select(
        Execution.merchant_id,
        Execution.version_id,
        Execution.raw_body,
        Execution.content_type,
        Execution.runs,
        Execution.status,
        Execution.mode,
        Execution.lease_until,
        Flow.id.label("flow_id"),
        Flow.name.label("flow_name"),
    )
    .join(Flow, Flow.id == Execution.flow_id)
    .where(Execution.id == bindparam("id"))
)
INSERT_STEPS = StepRun.__table__.insert()
DELETE_RETRYING = StepRun.__table__.delete().where(
    (StepRun.execution_id == bindparam("execution_id")) & (StepRun.status == "retrying")
)
_columns = Execution.__table__.c
_THIS_EXECUTION = (
    (_columns.id == bindparam("execution_id"))
    & (_columns.runs == bindparam("token"))
    & (_columns.status == "running")
)
RENEW_LEASE = Execution.__table__.update().where(_THIS_EXECUTION)
FINISH = Execution.__table__.update().where(_THIS_EXECUTION).values(lease_until=None)
CLAIM_EVENT = Execution.__table__.update().where(_THIS_EXECUTION)


def _run_claimed(execution_id: str, token: int) -> str:
    row = execute_core(LOAD_EXECUTION, {"id": execution_id}).one()
    log_format.bind(execution_id=execution_id, shop_id=row.merchant_id)
    if (row.status, row.runs) != ("running", token):
        raise LeaseLost(execution_id)  # taken over while it waited in this job's batch
    finished, attempts = _earlier_steps(execution_id) if row.runs > 1 else ({}, {})
    progress = _Progress(execution_id, token, row.lease_until, replaces_retrying=bool(attempts))
    progress.heartbeat()
    run = interpreter.Run(
        id=execution_id,
        graph=version_graph(row.version_id),
        trigger_output=parse_body(row.raw_body, row.content_type),
        flow={"id": row.flow_id, "name": row.flow_name, "execution_id": execution_id},
        http=outbound_session(),
        origins=origins(),
        credential=lambda credential_id: store.for_run(row.merchant_id, credential_id),
        finished=finished,
        attempts=attempts,
        retry_later=row.mode != subflows.MODE,
        heartbeat=progress.heartbeat,
        checkpoint=progress.checkpoint,
        call_flow=subflows.caller(row.merchant_id, row.flow_id, progress.heartbeat, _run_claimed),
        respond=lambda response: publish_response(execution_id, response),
        # Only real deliveries claim a fetched event: a test or manual run must not stop the
        # provider's own call for it from running.
        claim=progress.claim if row.mode == "webhook" else lambda event_id: True,
    )
    observed = metrics.RunObserver(
        run.graph, progress.record, execution_id, row.merchant_id, row.flow_id
    )
    result = interpreter.run(run, observed.record)
    progress.finish(result)
    observed.finished(result.status)
    if result.status == "waiting":
        schedule(execution_id, result.resume_at)
    elif result.status == "failed" and row.mode != subflows.MODE:
        error_flows.report(row, execution_id, token, result.error)
    return result.status


StepKey = tuple[str, int | None]


def _earlier_steps(
    execution_id: str,
) -> tuple[dict[StepKey, interpreter.StepRecord], dict[StepKey, int]]:
    """What earlier runs of this execution finished (a resumed run starts after it), and the
    attempts made at a step that waits to be retried (the resumed run counts on)."""
    steps = db.session.scalars(
        select(StepRun).where(
            StepRun.execution_id == execution_id,
            StepRun.status.in_((*interpreter.FINISHED, "retrying")),
        )
    )
    finished, attempts = {}, {}
    for step in steps:
        key = (step.node_id, None if step.item == NO_ITEM else step.item)
        if step.status == "retrying":
            attempts[key] = step.attempts
            continue
        finished[key] = interpreter.StepRecord(
            step.node_id,
            step.status,
            output=step.output,
            ports=tuple(step.ports or ()),
            item=key[1],
        )
    return finished, attempts


class _Progress:
    """The step records of one claimed run that are not saved yet, and its lease."""

    def __init__(self, execution_id: str, token: int, lease_until, replaces_retrying: bool):
        self.execution_id = execution_id
        self.token = token
        self.lease_until = lease_until
        self.lease = timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
        self.unsaved: list[dict] = []
        # The record of the step that waited to be retried gives way to its new one, which the
        # first save carries (a resumed run starts with that step).
        self.replaces_retrying = replaces_retrying

    def record(self, step: interpreter.StepRecord) -> None:
        self.unsaved.append(
            {
                "execution_id": self.execution_id,
                "node_id": step.node_id,
                "item": NO_ITEM if step.item is None else step.item,
                "status": step.status,
                "input": step.input,
                "output": step.output,
                "error": step.error,
                "attempts": step.attempts,
                "ports": list(step.ports),
                "started_at": _naive(step.started_at),
                "finished_at": _naive(step.finished_at),
            }
        )

    def checkpoint(self) -> None:
        """Save every record so far and renew the lease, in one commit."""
        self.lease_until = utcnow() + self.lease
        self._save(RENEW_LEASE, lease_until=self.lease_until)

    def claim(self, event_id: str) -> bool:
        """Give this execution the flow's dedupe key for a fetched event; False when another
        execution of the flow holds it (the same unique key that dedupes at ingress)."""
        fenced = {"execution_id": self.execution_id, "token": self.token}
        try:
            updated = db.session.execute(CLAIM_EVENT, {**fenced, "dedupe_key": event_id})
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return False
        if updated.rowcount != 1:
            raise LeaseLost(self.execution_id)
        return True

    def heartbeat(self) -> None:
        """Renew the lease once half of it is spent (during retries and long flows)."""
        if self.lease_until - utcnow() < self.lease / 2:
            self.checkpoint()

    def finish(self, result: interpreter.Result) -> None:
        if result.status == "waiting":
            # Claimable again once due: queued_at is when it may go on (see _due).
            self._save(FINISH, status="waiting", queued_at=_naive(result.resume_at))
        else:
            self._save(FINISH, status=result.status, error=result.error, finished_at=utcnow())

    def _save(self, statement, **values) -> None:
        """Update the execution (only if this run still holds it), add the records, commit."""
        fenced = {"execution_id": self.execution_id, "token": self.token, **values}
        if execute_core(statement, fenced).rowcount != 1:
            db.session.rollback()
            raise LeaseLost(self.execution_id)
        if self.unsaved:
            if self.replaces_retrying:
                execute_core(DELETE_RETRYING, {"execution_id": self.execution_id})
                self.replaces_retrying = False
            execute_core(INSERT_STEPS, self.unsaved)
            self.unsaved = []
        db.session.commit()


def _naive(moment):
    return None if moment is None else moment.replace(tzinfo=None)


def sweep() -> bool:
    """Wake a worker if executions are stranded: left queued while Redis was down (or lost
    with a Redis restart), due after a wait whose scheduled job was lost, or running under a
    lease that ran out because the worker died. Returns whether it found any."""
    grace = timedelta(seconds=current_app.config["SHOPWIRE_QUEUED_GRACE_SECONDS"])
    overdue = Execution.queued_at < utcnow() - grace
    stranded = (
        db.session.scalar(select(Execution.id).where(_queued() & overdue).limit(1))
        # a wait whose scheduled job Redis lost
        or db.session.scalar(select(Execution.id).where(_due() & overdue).limit(1))
        or db.session.scalar(select(Execution.id).where(_lease_expired()).limit(1))
    )
    db.session.remove()
    if stranded:
        dispatch(stranded, force=True)  # the job that runs it claims the others too
        log.info("sweeper woke a worker for stranded executions")
    return stranded is not None
