"""Sub-flows: a "run another flow" step runs a flow of the same merchant and uses its output.

The called flow gets an execution of its own (mode ``subflow``), visible like any other, keyed
by the calling step's idempotency key: a resumed caller finds it instead of starting a second
one. It is created already claimed and runs inline, in the caller's job, so the caller can
use its output at once; recursion is caught by the chain of flows running in this job.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Execution, Flow, StepRun
from app.models.base import new_id, utcnow
from nodes.kit.base import TransientError, UserError

MODE = "subflow"
MAX_DEPTH = 5
# The flows running in this job, outermost first: a call to one of them is a loop.
_chain: ContextVar[tuple[str, ...]] = ContextVar("shopwire_flow_chain", default=())

RunClaimed = Callable[[str, int], str]  # (execution id, run count) -> final status


def caller(
    merchant_id: int, flow_id: str, heartbeat: Callable[[], None], run_claimed: RunClaimed
) -> Callable[[str, Any, str], Any]:
    """The ``call_flow`` a node gets in an execution of ``flow_id``."""

    def call(target_id: str, payload: Any, key: str) -> Any:
        chain = _chain.get() or (flow_id,)
        target = db.session.scalar(
            select(Flow).where(
                Flow.id == target_id, Flow.merchant_id == merchant_id, Flow.deleted_at.is_(None)
            )
        )
        if target is None or target.current_version_id is None:
            raise UserError("The flow to run does not exist (any more).", field="flow_id")
        if target_id in chain:
            raise UserError(
                f'The flow "{target.name}" is already running in this chain of calls: a flow '
                "cannot call itself, directly or through others.",
                field="flow_id",
            )
        if len(chain) >= MAX_DEPTH:
            raise UserError(f"Flows can call each other at most {MAX_DEPTH} levels deep.")
        child_id, token = _child(merchant_id, target, payload, f"call:{key}")
        if token is not None:
            running = _chain.set((*chain, target_id))
            try:
                run_claimed(child_id, token)
            finally:
                _chain.reset(running)
            heartbeat()
        return _output(db.session.get(Execution, child_id, populate_existing=True), target)

    return call


def _child(merchant_id: int, flow: Flow, payload: Any, key: str) -> tuple[str, int | None]:
    """The called flow's execution and the run count to run it with (None: do not run it).

    New, it is inserted claimed (``running`` under a lease); found failed (the caller is
    being retried), it is claimed again with its finished steps kept, like a retry.
    """
    now = utcnow()
    lease_until = now + timedelta(seconds=current_app.config["SHOPWIRE_EXECUTION_LEASE_SECONDS"])
    child_id = new_id()
    try:
        db.session.add(
            Execution(
                id=child_id,
                merchant_id=merchant_id,
                flow_id=flow.id,
                version_id=flow.current_version_id,
                status="running",
                mode=MODE,
                dedupe_key=key,
                raw_body=json.dumps(payload).encode(),
                content_type="application/json",
                runs=1,
                started_at=now,
                lease_until=lease_until,
            )
        )
        db.session.commit()
        return child_id, 1
    except IntegrityError:
        db.session.rollback()
    found = db.session.execute(
        select(Execution.id, Execution.status, Execution.runs).filter_by(
            flow_id=flow.id, dedupe_key=key
        )
    ).one()
    if found.status != "failed":
        return found.id, None
    claimed = db.session.execute(
        update(Execution)
        .where(Execution.id == found.id, Execution.status == "failed")
        .values(status="running", runs=found.runs + 1, lease_until=lease_until, error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        delete(StepRun).where(
            StepRun.execution_id == found.id, StepRun.status.in_(("failed", "skipped"))
        )
    )
    db.session.commit()
    return found.id, (found.runs + 1 if claimed == 1 else None)


def _output(child: Execution, flow: Flow) -> Any:
    """The output of the last step the called flow finished, in flow order."""
    if child.status == "running":
        raise TransientError(f'The flow "{flow.name}" is still running.', retry_after=5)
    if child.status == "waiting":
        raise UserError(
            f'The flow "{flow.name}" waits (it has a Wait step); a flow that is called must '
            "finish at once.",
            field="flow_id",
        )
    if child.status != "succeeded":
        error = child.error or {}
        raise UserError(
            f'The flow "{flow.name}" failed at step '
            f'"{error.get("node_name") or error.get("node_id")}": {error.get("message")}',
            field="flow_id",
        )
    graph = version_graph(child.version_id)
    done = {s.node_id: s for s in child.steps if s.status in ("succeeded", "caught")}
    last = next((done[node_id] for node_id in reversed(graph.order) if node_id in done), None)
    return last.output if last else json.loads(child.raw_body)
