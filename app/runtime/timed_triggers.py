"""Schedule and polling triggers: which flows are due, and starting their executions.

``shopwire scheduler`` (RQ's cron scheduler) enqueues :func:`fire_due` every few seconds; a
worker runs it. Any number of schedulers may run: one planned time never starts two
executions, because the execution of flow F for the time T carries the dedupe key
``schedule:F:T``, and the executions table allows each key once per flow. Nothing else is
remembered, so a restart loses nothing: the next check finds the latest planned time, and if
no execution has its key yet (the scheduler was down at the time), it starts one. Times
before the flow was last saved or switched on are never made up.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.credentials import store
from app.extensions import db
from app.flows.lifecycle import version_graph
from app.models import Execution, Flow, Merchant, NodeState
from app.models.base import utcnow
from app.runtime import executions
from app.runtime.provider_http import api_client, outbound_session
from app.runtime.queue import execution_queue, redis_connection
from nodes.engine.cron import ScheduleError, latest_tick
from nodes.kit.base import NodeContext, NodeError
from nodes.kit.store import TriggerStore

log = logging.getLogger("shopwire.schedules")

POLL_CLAIM_SECONDS = 24 * 3600


@dataclass
class Scheduled:
    flow_id: str
    merchant_id: int
    version_id: int
    node_id: str
    node_type: str
    params: dict[str, Any]
    credential: str | None
    schedule: dict[str, Any]  # with the merchant's time zone filled in
    armed_at: datetime  # planned times before this (last save or switch-on) are not made up


def scheduled_flows(merchant_id: int | None = None) -> Iterator[Scheduled]:
    """Every switched-on flow whose trigger runs on a schedule (of one shop, if given)."""
    query = (
        select(
            Flow.id,
            Flow.merchant_id,
            Flow.current_version_id,
            Flow.updated_at,
            Merchant.timezone,
        )
        .join(Merchant, Merchant.id == Flow.merchant_id)
        .where(Flow.active, Flow.deleted_at.is_(None), Flow.current_version_id.is_not(None))
    )
    if merchant_id is not None:
        query = query.where(Flow.merchant_id == merchant_id)
    rows = db.session.execute(query).all()
    for row in rows:
        graph = version_graph(row.current_version_id)
        node, spec = graph.nodes[graph.trigger_id], graph.spec(graph.trigger_id)
        declared = spec.params.get("properties", {}).get("schedule", {})
        schedule = node.get("params", {}).get("schedule")
        if declared.get("format") != "schedule" or not schedule:
            continue
        yield Scheduled(
            flow_id=row.id,
            merchant_id=row.merchant_id,
            version_id=row.current_version_id,
            node_id=graph.trigger_id,
            node_type=spec.key,
            params=node.get("params", {}),
            credential=node.get("credential"),
            schedule={"timezone": row.timezone, **schedule},
            armed_at=row.updated_at.replace(tzinfo=UTC),
        )


def fire_due(now: str | None = None) -> int:
    """Start what is due: an execution per schedule trigger, a poll per polling trigger.
    Returns how many were started. ``now`` (ISO 8601) is for tests."""
    moment = datetime.fromisoformat(now) if now else datetime.now(UTC)
    started = 0
    try:
        for flow in list(scheduled_flows()):
            try:
                tick = latest_tick(flow.schedule, moment)
            except ScheduleError as error:
                log.warning("flow %s has a schedule that cannot run: %s", flow.flow_id, error)
                continue
            if tick is None or tick <= flow.armed_at:
                continue
            if _polls(flow):
                started += _enqueue_poll(flow, tick)
            else:
                started += _start_tick(flow, tick)
    finally:
        db.session.remove()
    return started


def tick_key(flow_id: str, tick: datetime) -> str:
    """The dedupe key of the execution a schedule starts for its planned time ``tick``."""
    return f"schedule:{flow_id}:{tick.astimezone(UTC).isoformat()}"


def _start_tick(flow: Scheduled, tick: datetime) -> int:
    dedupe_key = tick_key(flow.flow_id, tick)
    exists = db.session.scalar(
        select(Execution.id).filter_by(flow_id=flow.flow_id, dedupe_key=dedupe_key)
    )
    if exists:
        return 0
    body = {"scheduled_at": tick.isoformat(), "timezone": flow.schedule["timezone"]}
    return _start(flow, body, "schedule", dedupe_key)


def _enqueue_poll(flow: Scheduled, tick: datetime) -> int:
    """One poll per planned time, whichever scheduler gets there first."""
    key = f"shopwire:poll:{flow.flow_id}:{tick.astimezone(UTC).isoformat()}"
    try:
        if not redis_connection().set(key, "1", nx=True, ex=POLL_CLAIM_SECONDS):
            return 0
        execution_queue().enqueue(
            "app.runtime.timed_triggers.poll_flow",
            flow.flow_id,
            result_ttl=0,
            failure_ttl=7 * 24 * 3600,
        )
    except RedisError as error:
        log.warning("poll of flow %s not enqueued: %s", flow.flow_id, error)
        return 0
    return 1


def poll_flow(flow_id: str) -> int:
    """Poll the flow's trigger once; start an execution per new item. Returns how many."""
    try:
        flow = next((f for f in scheduled_flows() if f.flow_id == flow_id), None)
        if flow is None or not _polls(flow):
            return 0  # switched off or changed since the poll was planned
        spec = version_graph(flow.version_id).spec(flow.node_id)
        credential = store.decrypted(flow.merchant_id, flow.credential)
        ctx = NodeContext(
            execution_id=f"poll:{flow_id}",
            node_id=flow.node_id,
            http=outbound_session(),
            credential=credential,
            store=TriggerStore({"cursor": _state(flow, "cursor")}),
        )
        if spec.connector:
            ctx.api = api_client(spec.connector, credential)
        try:
            found = spec.poll(ctx, flow.params)
        except NodeError as error:
            log.warning("poll of flow %s failed: %s", flow_id, error.message)
            _remember(flow, "last_error", _failure(_state(flow, "last_error"), error))
            return 0
        if _state(flow, "last_error") is not None:
            _remember(flow, "last_error", None)  # it works again
        started = sum(_start_item(flow, item_id, item) for item_id, item in found)
        # Only now, with every execution committed, does what the poll remembers move on.
        for name, value in ctx.store.changed.items():
            _remember(flow, name, value)
        return started
    finally:
        db.session.remove()


def _failure(previous: dict | None, error: NodeError) -> dict:
    """The poll's error as remembered: the newest, with how many polls in a row failed and
    since when (operations tells an account refused poll after poll from it)."""
    now = datetime.now(UTC).isoformat()
    previous = previous or {}
    return {
        **error.to_dict(),
        "at": now,
        "since": previous.get("since", now),
        "failures": previous.get("failures", 0) + 1,
    }


def _polls(flow: Scheduled) -> bool:
    return version_graph(flow.version_id).spec(flow.node_id).poll is not None


def _start_item(flow: Scheduled, item_id: str, item: Any) -> int:
    key = f"poll:{flow.node_id}:{item_id}"
    if len(key) > 200:
        key = f"poll:{flow.node_id}:sha256:{hashlib.sha256(item_id.encode()).hexdigest()}"
    return _start(flow, item, "poll", key)


def _start(flow: Scheduled, payload: Any, mode: str, dedupe_key: str) -> int:
    """Start one execution; 0 if its key was taken (by another scheduler's run, or a poll
    repeated after a crash)."""
    try:
        executions.start(
            merchant_id=flow.merchant_id,
            flow_id=flow.flow_id,
            version_id=flow.version_id,
            body=json.dumps(payload).encode(),
            content_type="application/json",
            mode=mode,
            dedupe_key=dedupe_key,
        )
    except executions.Duplicate:
        return 0
    return 1


def _state(flow: Scheduled, name: str) -> Any:
    return db.session.scalar(
        select(NodeState.value).filter_by(flow_id=flow.flow_id, node_id=flow.node_id, name=name)
    )


def _remember(flow: Scheduled, name: str, value: Any) -> None:
    where = {"flow_id": flow.flow_id, "node_id": flow.node_id, "name": name}
    changed = db.session.execute(
        update(NodeState).filter_by(**where).values(value=value, updated_at=utcnow())
    ).rowcount
    if not changed:
        try:
            db.session.execute(
                insert(NodeState).values(
                    merchant_id=flow.merchant_id, value=value, updated_at=utcnow(), **where
                )
            )
        except IntegrityError:  # written by a concurrent poll a moment ago: ours is as new
            db.session.rollback()
            db.session.execute(update(NodeState).filter_by(**where).values(value=value))
    db.session.commit()
