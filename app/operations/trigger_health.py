"""Trigger health: a webhook trigger that usually receives events, or a polling trigger that
usually finds records, gone quiet for longer than its normal gap; a schedule that did not
start a planned run; a provider subscription the provider dropped or switched off,
registered again with the events missed in between fetched back (for the connectors that
declare a :class:`nodes.kit.webhooks.Recovery`: Shopify, WooCommerce, Stripe).

The normal gap is the median time between the flow's last deliveries: a shop with an order a
minute is quiet after a quarter of an hour; one with an order a day, after four days.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from flask import current_app
from sqlalchemy import func, select

from app.credentials import store
from app.credentials.vault import vault
from app.extensions import db
from app.flows import lifecycle
from app.models import Execution, Flow, WebhookEndpoint
from app.models.base import utcnow
from app.operations import alerts
from app.runtime import executions, timed_triggers
from app.runtime.provider_http import api_client
from nodes.engine.cron import ScheduleError, latest_tick, next_ticks
from nodes.engine.payloads import parse_body
from nodes.kit.base import NodeError
from nodes.kit.webhooks import Recovery

log = logging.getLogger("shopwire.trigger_health")

SAMPLE = 21  # the last events the normal gap is taken from
MIN_EVENTS = 5  # fewer, and nothing is known about a normal gap
QUIET_FACTOR = 4  # quiet after this many normal gaps without an event …
MIN_QUIET = timedelta(minutes=15)  # … and never sooner than this
SCHEDULE_GRACE = timedelta(minutes=15)  # a planned run not started this long after: missed
TRIGGERED = ("webhook", "poll", "schedule")  # runs a trigger started, not a person


@dataclass(frozen=True)
class Quiet:
    """A trigger gone quiet. ``kind``: a webhook that receives no events ("webhook"), a poll
    that finds no records ("poll"), or a schedule that did not start a planned run
    ("schedule"; then ``last_event_at`` is the first planned time missed)."""

    merchant_id: int
    flow_id: str
    flow_name: str
    node_id: str
    last_event_at: datetime
    normal_gap: timedelta
    kind: str = "webhook"


def quiet_triggers(now: datetime, merchant_id: int | None = None) -> list[Quiet]:
    """The active triggers gone quiet: webhooks and polls silent for longer than
    ``QUIET_FACTOR`` normal gaps, schedules that missed a planned run. ``now`` is naive UTC."""
    scoped = () if merchant_id is None else (Flow.merchant_id == merchant_id,)
    hooks = db.session.execute(
        select(Flow.merchant_id, Flow.id, Flow.name, WebhookEndpoint.node_id)
        .join(WebhookEndpoint, WebhookEndpoint.flow_id == Flow.id)
        .where(Flow.active.is_(True), Flow.deleted_at.is_(None), *scoped)
    ).all()
    found = [
        quiet
        for shop, flow_id, name, node_id in hooks
        if (quiet := _silent(now, shop, flow_id, name, node_id, "webhook"))
    ]
    names = dict(db.session.execute(select(Flow.id, Flow.name).where(*scoped)).all())
    for flow in timed_triggers.scheduled_flows(merchant_id):
        if lifecycle.version_graph(flow.version_id).spec(flow.node_id).poll:
            quiet = _silent(
                now, flow.merchant_id, flow.flow_id, names[flow.flow_id], flow.node_id, "poll"
            )
        else:
            quiet = _missed_tick(now, flow, names[flow.flow_id])
        if quiet:
            found.append(quiet)
    return found


def _silent(now: datetime, shop: int, flow_id: str, name: str, node_id: str, mode: str):
    """The trigger, if its last event is older than ``QUIET_FACTOR`` normal gaps."""
    times = db.session.scalars(
        select(Execution.created_at)
        .where(Execution.flow_id == flow_id, Execution.mode == mode)
        .order_by(Execution.created_at.desc())
        .limit(SAMPLE)
    ).all()
    if len(times) < MIN_EVENTS:
        return None
    normal = median(newer - older for newer, older in zip(times, times[1:], strict=False))
    if now - times[0] > max(QUIET_FACTOR * normal, MIN_QUIET):
        return Quiet(shop, flow_id, name, node_id, times[0], normal, mode)
    return None


def _missed_tick(now: datetime, flow: timed_triggers.Scheduled, name: str):
    """The schedule, if a planned run is ``SCHEDULE_GRACE`` overdue; with the first planned
    time missed since the last run (one alert per outage, not per missed time)."""
    try:
        due = latest_tick(flow.schedule, now.replace(tzinfo=UTC) - SCHEDULE_GRACE)
    except ScheduleError:
        return None
    if due is None or due <= flow.armed_at or _fired(flow.flow_id, due):
        return None
    last = db.session.scalar(
        select(Execution.dedupe_key)
        .where(Execution.flow_id == flow.flow_id, Execution.mode == "schedule")
        .order_by(Execution.created_at.desc())
        .limit(1)
    )
    ran = datetime.fromisoformat(last.split(":", 2)[2]) if last else flow.armed_at
    first_missed = (next_ticks(flow.schedule, max(ran, flow.armed_at), 1) or [due])[0]
    since = first_missed.astimezone(UTC).replace(tzinfo=None)
    return Quiet(flow.merchant_id, flow.flow_id, name, flow.node_id, since, timedelta(), "schedule")


def _fired(flow_id: str, tick: datetime) -> bool:
    """Whether the run planned for ``tick`` was started."""
    key = timed_triggers.tick_key(flow_id, tick)
    return (
        db.session.scalar(select(Execution.id).filter_by(flow_id=flow_id, dedupe_key=key))
        is not None
    )


def last_events(merchant_id: int) -> dict[str, datetime]:
    """When each of the shop's flows last received an event (a delivery, a record a poll
    found, a planned time), by flow id."""
    rows = db.session.execute(
        select(Execution.flow_id, func.max(Execution.created_at))
        .where(Execution.merchant_id == merchant_id, Execution.mode.in_(TRIGGERED))
        .group_by(Execution.flow_id)
    ).all()
    return dict(rows)


def restore_subscriptions() -> int:
    """The scheduler's job: every provider webhook subscription of an active flow that the
    provider dropped or switched off is registered again, and the events missed since the
    last one seen are started as executions. Returns how many subscriptions were restored.

    A job has no request to take the address from: without ``SHOPWIRE_PUBLIC_URL`` nothing
    is registered again (and the operator is told so in the log)."""
    if not current_app.config["SHOPWIRE_PUBLIC_URL"]:
        log.warning("provider webhooks are not checked: set SHOPWIRE_PUBLIC_URL")
        return 0
    try:
        endpoints = db.session.execute(
            select(WebhookEndpoint, Flow)
            .join(Flow, Flow.id == WebhookEndpoint.flow_id)
            .where(
                Flow.active.is_(True),
                Flow.deleted_at.is_(None),
                WebhookEndpoint.subscription.is_not(None),
            )
        ).all()
        return sum(_restore(endpoint, flow) for endpoint, flow in endpoints)
    finally:
        db.session.remove()


def _restore(endpoint: WebhookEndpoint, flow: Flow) -> bool:
    graph = lifecycle.version_graph(flow.current_version_id)
    node = graph.nodes.get(endpoint.node_id)
    spec = graph.spec(endpoint.node_id) if node else None
    if spec is None or spec.recovery is None:
        return False
    api = api_client(spec.connector, store.decrypted(flow.merchant_id, node.get("credential")))
    registered = vault().decrypt(endpoint.subscription)
    seen = _last_delivery(flow.id)  # before the new subscription delivers anything
    try:
        if spec.recovery.alive(api, registered):
            return False
        _remove(spec, api, registered)
        endpoint.subscription = None
        lifecycle.activate(flow)  # registers the URL again
        db.session.commit()
    except (NodeError, lifecycle.ProviderRefused) as error:
        db.session.rollback()
        log.warning(
            "flow %s: its %s webhook is gone and could not be registered again: %s",
            flow.id,
            spec.connector.key,
            error,
        )
        return False
    log.warning(
        "flow %s: %s had dropped its webhook; registered again", flow.id, spec.connector.key
    )
    quiet_since = last_events(flow.merchant_id).get(flow.id) or utcnow()
    event = spec.webhook_event(node.get("params", {}))
    fetched = _fetch_missed(flow, api, spec.recovery, event, seen)
    details = {"node": endpoint.node_id, "provider": spec.connector.title["en"]}
    kind = "subscription_restored"
    if isinstance(fetched, int):
        details["count"] = fetched
    else:
        kind, details["reason"] = "subscription_unrecovered", fetched
    key = f"{flow.id}:{endpoint.node_id}:{utcnow().isoformat()}"
    alerts.record(flow.merchant_id, kind, key, flow.id, quiet_since, details)
    db.session.commit()
    return True


def _remove(spec, api, registered: dict) -> None:
    """A webhook the provider switched off still exists: removed, so that it cannot deliver
    beside the new one if someone switches it on again. One already deleted is no error."""
    with contextlib.suppress(NodeError):
        spec.unsubscribe(api, registered)


def _last_delivery(flow_id: str):
    """The last event the flow received, as delivered, or None."""
    last = db.session.execute(
        select(Execution.raw_body, Execution.content_type)
        .where(Execution.flow_id == flow_id, Execution.mode == "webhook")
        .order_by(Execution.created_at.desc())
        .limit(1)
    ).first()
    return parse_body(*last) if last else None


def _fetch_missed(flow: Flow, api, recovery: Recovery, event: str, seen) -> int | str:
    """Start an execution for every event after the one ``seen``: how many, or the
    provider's refusal when they could not be fetched ("" when its API cannot list them)."""
    if seen is None:
        return 0  # nothing seen yet: there is no gap to fill
    try:
        missed = recovery.missed(api, event, seen, datetime.now(UTC))
    except NodeError as error:
        log.warning("flow %s: the missed events could not be fetched: %s", flow.id, error)
        return error.message
    if missed is None:
        return ""  # the provider's API cannot list such events (said in the alert's language)
    started = 0
    for key, delivery in missed:
        try:
            executions.start(
                merchant_id=flow.merchant_id,
                flow_id=flow.id,
                version_id=flow.current_version_id,
                body=json.dumps(delivery).encode(),
                content_type="application/json",
                mode="webhook",
                dedupe_key=key,  # once, however often this runs, and beside a delivery of it
            )
        except executions.Duplicate:
            continue
        started += 1
    log.warning("flow %s: started %s missed event(s)", flow.id, started)
    return started
