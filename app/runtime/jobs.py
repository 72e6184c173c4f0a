"""The RQ job. Thin: it takes an id, claims rows, and hands the work to the engine.

It runs inside the app context that ``shopwire worker`` pushes once per process.
"""

from __future__ import annotations

import logging
import time

from flask import current_app
from sqlalchemy import bindparam, select

from app.credentials import store
from app.extensions import db, execute_core
from app.flows.lifecycle import version_graph
from app.models import Execution, Flow
from app.models.base import utcnow
from app.operations import log_format, metrics
from app.runtime import claims, error_flows, subflows
from app.runtime.executions import TEST_MODES
from app.runtime.progress import FINISH, LeaseLost, Progress, earlier_steps
from app.runtime.provider_http import origins, outbound_session
from app.runtime.queue import disarm_wakeup, dispatch, publish_response, schedule
from nodes.engine import interpreter
from nodes.engine.payloads import parse_body

log = logging.getLogger("shopwire.tasks")


def run_execution(execution_id: str) -> int:
    """Run (or resume) this execution, then every other one waiting, until none is left or
    the time budget is spent. Returns how many executions this job ran."""
    disarm_wakeup()
    deadline = time.monotonic() + current_app.config["SHOPWIRE_DRAIN_SECONDS"]
    ran = 0
    try:
        # Its own execution may already have run in another job's batch: then drain anyway,
        # since events that arrived meanwhile counted on this job to pick them up.
        batch = claims.claim_one(execution_id) or claims.claim_next()
        while batch:
            if len(batch) == claims.BATCH_SIZE:  # a backlog: wake another worker to drain it too
                dispatch(execution_id)
            for claimed_id, token in batch:
                _run_one(claimed_id, token)
                ran += 1
            if time.monotonic() > deadline:
                dispatch(execution_id)  # hand what is left to a fresh job
                break
            batch = claims.claim_next()
    finally:
        db.session.remove()
        log_format.bind()  # what is logged next is no longer about these executions
    return ran


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


def _run_claimed(execution_id: str, token: int) -> str:
    row = execute_core(LOAD_EXECUTION, {"id": execution_id}).one()
    log_format.bind(execution_id=execution_id, shop_id=row.merchant_id)
    if (row.status, row.runs) != ("running", token):
        raise LeaseLost(execution_id)  # taken over while it waited in this job's batch
    finished, attempts = earlier_steps(execution_id) if row.runs > 1 else ({}, {})
    progress = Progress(execution_id, token, row.lease_until, replaces_retrying=bool(attempts))
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
        trial=row.mode in TEST_MODES,
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
    with progress.kept_alive():
        result = interpreter.run(run, observed.record)
    progress.finish(result)
    observed.finished(result.status)
    if result.status == "waiting":
        schedule(execution_id, result.resume_at)
    elif result.status == "failed" and row.mode != subflows.MODE:
        error_flows.report(row, execution_id, token, result.error)
    return result.status
