"""Starting, retrying and describing executions, shared by ingress, the API and the CLI."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, cast, delete, func, or_, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db, execute_core
from app.flows.lifecycle import version_graph
from app.models import Execution, StepRun
from app.models.base import isoformat, new_id, utcnow
from app.runtime import claims, files
from app.runtime.queue import dispatch, dispatch_soon
from nodes.engine.payloads import parse_body


class Duplicate(Exception):
    def __init__(self, execution_id: str):
        super().__init__(execution_id)
        self.execution_id = execution_id


INSERT_EXECUTION = Execution.__table__.insert()


def start(
    *,
    merchant_id: int,
    flow_id: str,
    version_id: int,
    body: bytes,
    content_type: str,
    mode: str,
    dedupe_key: str | None = None,
    signed_body: str | None = None,
    rerun_of: str | None = None,
) -> str:
    """Commit a queued execution, then hand it to the queue; return its id.

    Raises :class:`Duplicate` if an execution with this dedupe key, or with this hash of a
    signed body, exists for the flow.
    This is the webhook hot path, so it is one plain INSERT rather than an ORM object.
    """
    execution_id, now = new_id(), utcnow()
    try:
        execute_core(
            INSERT_EXECUTION,
            {
                "id": execution_id,
                "merchant_id": merchant_id,
                "flow_id": flow_id,
                "version_id": version_id,
                "status": "queued",
                "mode": mode,
                "dedupe_key": dedupe_key,
                "signed_body": signed_body,
                "rerun_of": rerun_of,
                "raw_body": body,
                "content_type": content_type,
                "runs": 0,
                "created_at": now,
                "queued_at": claims.turn(merchant_id),
            },
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        given = ((Execution.dedupe_key, dedupe_key), (Execution.signed_body, signed_body))
        keys = [column == value for column, value in given if value is not None]
        if not keys:
            raise
        original = db.session.scalar(
            select(Execution.id).where(Execution.flow_id == flow_id, or_(*keys)).limit(1)
        )
        if original is None:  # not a duplicate after all: let the sender try again
            raise
        raise Duplicate(original) from None
    dispatch_soon(execution_id)
    return execution_id


def start_with_payload(flow, payload: Any, mode: str) -> Execution:
    body = json.dumps(payload).encode()
    execution_id = start(
        merchant_id=flow.merchant_id,
        flow_id=flow.id,
        version_id=flow.current_version_id,
        body=body,
        content_type="application/json",
        mode=mode,
    )
    return db.session.get(Execution, execution_id)


# A received event run again, against the flow's current version: a live run, with effects.
RERUN_MODE = "rerun"


def rerun(execution: Execution, flow) -> Execution:
    """Run the event of ``execution`` again through ``flow``'s current version, as a new
    execution that names the one it repeats; the original stays as it was."""
    execution_id = start(
        merchant_id=execution.merchant_id,
        flow_id=flow.id,
        version_id=flow.current_version_id,
        body=execution.raw_body or b"",
        content_type=execution.content_type or "application/json",
        mode=RERUN_MODE,
        rerun_of=execution.id,
    )
    return db.session.get(Execution, execution_id)


# Runs started from the editor's Test button (manual) or at the test address (test): shown as
# tests, filterable, and left out of the failure figures.
TEST_MODES = ("manual", "test")
RUN_KINDS = ("live", "test")


def _body_text():
    """The event's raw body as text, for searching in it (PostgreSQL would cast bytes to hex)."""
    if db.engine.dialect.name == "postgresql":
        return func.convert_from(Execution.raw_body, "UTF8")
    return cast(Execution.raw_body, Text)


def page(
    merchant_id: int,
    *,
    flow_id: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    search: str | None = None,
    error: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: str | None = None,
    limit: int = 50,
) -> tuple[list[Execution], str | None]:
    """A merchant's executions, newest first, and the cursor of the next page (or None).

    Times are naive UTC; ``before`` is the id of the last execution of the previous page.
    """
    query = select(Execution).where(Execution.merchant_id == merchant_id)
    if flow_id:
        query = query.where(Execution.flow_id == flow_id)
    if status:
        query = query.where(Execution.status == status)
    if kind == "test":
        query = query.where(Execution.mode.in_(TEST_MODES))
    elif kind == "live":
        query = query.where(Execution.mode.not_in(TEST_MODES))
    if search:  # a value anywhere in the event as received: an order number, an e-mail
        query = query.where(_body_text().contains(search, autoescape=True))
    if error:  # words of the error a run failed with, to retry all runs that failed alike
        query = query.where(Execution.error["message"].as_string().contains(error, autoescape=True))
    if since:
        query = query.where(Execution.created_at >= since)
    if until:
        query = query.where(Execution.created_at < until)
    if before:
        cursor = db.session.execute(
            select(Execution.created_at, Execution.id).filter_by(id=before, merchant_id=merchant_id)
        ).first()
        if cursor is not None:
            query = query.where(tuple_(Execution.created_at, Execution.id) < tuple(cursor))
    found = db.session.scalars(
        query.order_by(Execution.created_at.desc(), Execution.id.desc()).limit(limit + 1)
    ).all()
    return list(found[:limit]), (found[limit - 1].id if len(found) > limit else None)


def retry(execution_id: str) -> bool:
    """Queue a failed execution again: its succeeded steps stay done, the failed one reruns.

    False if it is not failed (any more): one conditional UPDATE, so two retries at once, or
    a retry racing a worker, can never start a second run.
    """
    requeued = db.session.execute(
        update(Execution)
        .where(Execution.id == execution_id, Execution.status == "failed")
        .values(status="queued", error=None, finished_at=None, queued_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if requeued != 1:
        db.session.rollback()
        return False
    db.session.execute(
        delete(StepRun).where(
            StepRun.execution_id == execution_id,
            StepRun.status.in_(("failed", "skipped", "retrying")),
        )
    )
    db.session.commit()
    dispatch(execution_id)
    return True


def stopped_by_filter(execution_ids: list[str]) -> set[str]:
    """Those of the executions where a step ended the run quietly (a filter, or a duplicate
    check, passed nothing on): they succeeded, but did not reach the end."""
    if not execution_ids:
        return set()
    return set(
        db.session.scalars(
            select(StepRun.execution_id)
            .where(
                StepRun.execution_id.in_(execution_ids),
                StepRun.status == "succeeded",
                cast(StepRun.ports, String) == "[]",
            )
            .distinct()
        )
    )


def describe(execution: Execution, *, steps: bool = False) -> dict[str, Any]:
    data = {
        "id": execution.id,
        "flow_id": execution.flow_id,
        "version_id": execution.version_id,
        "status": execution.status,
        "mode": execution.mode,
        "rerun_of": execution.rerun_of,
        "error": execution.error,
        "created_at": isoformat(execution.created_at),
        "started_at": isoformat(execution.started_at),
        "finished_at": isoformat(execution.finished_at),
        "duration_ms": _duration(execution.started_at, execution.finished_at),
    }
    if steps:
        data["steps"] = _steps(execution)
        data["files"] = [files.describe(stored) for stored in files.of_execution(execution.id)]
    return data


def _steps(execution: Execution) -> list[dict[str, Any]]:
    """The steps in flow order: the trigger (its output is the event, or what a fetching
    trigger recorded), then each recorded step."""
    graph = version_graph(execution.version_id)
    recorded: dict[str, list[StepRun]] = {}
    for step in execution.steps:
        recorded.setdefault(step.node_id, []).append(step)
    trigger = (
        {"node_id": graph.trigger_id, **_step(recorded[graph.trigger_id][0])}
        if graph.trigger_id in recorded  # a trigger that fetched its event in the worker
        else {
            "node_id": graph.trigger_id,
            "status": "succeeded",
            "input": None,
            "output": parse_body(execution.raw_body, execution.content_type),
            "error": None,
            "attempts": 1,
            "started_at": isoformat(execution.created_at),
            "finished_at": isoformat(execution.created_at),
            "duration_ms": 0,
        }
    )
    steps = [trigger]
    for node_id in graph.order:
        if node_id == graph.trigger_id:
            continue
        runs = recorded.get(node_id, [])
        if graph.scope_of[node_id]:
            steps.append(_per_item(node_id, runs))
        elif runs:
            steps.append({"node_id": node_id, **_step(runs[0])})
        else:
            steps.append({"node_id": node_id, **PENDING})
    return steps


PENDING = {"status": "pending", "input": None, "output": None, "error": None, "attempts": 0}


def _step(step: StepRun) -> dict[str, Any]:
    return {
        "status": step.status,
        "input": step.input,
        "output": step.output,
        "error": step.error,
        "attempts": step.attempts,
        "started_at": isoformat(step.started_at),
        "finished_at": isoformat(step.finished_at),
        "duration_ms": _duration(step.started_at, step.finished_at),
    }


def _per_item(node_id: str, runs: list[StepRun]) -> dict[str, Any]:
    """A step inside a split: one entry per item under ``items``; its status is failed if an
    item failed, retrying if one waits to be tried again, succeeded if any item ran, else that
    of its items (or pending)."""
    runs = sorted(runs, key=lambda run: run.item)
    items = [{"item": run.item, **_step(run)} for run in runs]
    statuses = {item["status"] for item in items}
    status = next(
        (s for s in ("failed", "retrying", "succeeded", "caught") if s in statuses),
        next(iter(statuses), "pending"),
    )
    ran = [run for run in runs if run.started_at]
    first, last = (ran[0], ran[-1]) if ran else (None, None)
    return {
        "node_id": node_id,
        **PENDING,
        "status": status,
        "output": items[-1]["output"] if items else None,
        "error": next((i["error"] for i in items if i["status"] in ("failed", "retrying")), None),
        "attempts": sum(item["attempts"] for item in items),
        "started_at": isoformat(first.started_at) if first else None,
        "finished_at": isoformat(last.finished_at) if last else None,
        "duration_ms": _duration(first.started_at, last.finished_at) if ran else None,
        "items": items,
    }


def _duration(started, finished) -> int | None:
    if started is None or finished is None:
        return None
    return round((finished - started).total_seconds() * 1000)
