"""Trigger health: a webhook trigger that usually receives events and has gone quiet for
longer than its normal gap; a provider subscription the provider dropped, registered again
with the events missed in between fetched back.

The normal gap is the median time between the flow's last deliveries: a shop with an order a
minute is quiet after a quarter of an hour; one with an order a day, after four days.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from app.credentials import store
from app.credentials.vault import vault
from app.extensions import db
from app.flows import lifecycle
from app.models import Execution, Flow, WebhookEndpoint
from app.models.base import utcnow
from app.operations import alerts
from app.runtime import executions
from app.runtime.provider_http import api_client
from nodes.engine.payloads import parse_body
from nodes.kit.base import NodeError
from nodes.shopify import recovery as shopify_recovery

log = logging.getLogger("shopwire.trigger_health")

SAMPLE = 21  # the last deliveries the normal gap is taken from
MIN_EVENTS = 5  # fewer, and nothing is known about a normal gap
QUIET_FACTOR = 4  # quiet after this many normal gaps without an event …
MIN_QUIET = timedelta(minutes=15)  # … and never sooner than this


@dataclass(frozen=True)
class Quiet:
    merchant_id: int
    flow_id: str
    flow_name: str
    node_id: str
    last_event_at: datetime
    normal_gap: timedelta


def quiet_triggers(now: datetime, merchant_id: int | None = None) -> list[Quiet]:
    """The active webhook triggers silent for longer than ``QUIET_FACTOR`` normal gaps."""
    query = (
        select(Flow.merchant_id, Flow.id, Flow.name, WebhookEndpoint.node_id)
        .join(WebhookEndpoint, WebhookEndpoint.flow_id == Flow.id)
        .where(Flow.active.is_(True), Flow.deleted_at.is_(None))
    )
    if merchant_id is not None:
        query = query.where(Flow.merchant_id == merchant_id)
    found = []
    for shop, flow_id, name, node_id in db.session.execute(query).all():
        times = db.session.scalars(
            select(Execution.created_at)
            .where(Execution.flow_id == flow_id, Execution.mode == "webhook")
            .order_by(Execution.created_at.desc())
            .limit(SAMPLE)
        ).all()
        if len(times) < MIN_EVENTS:
            continue
        normal = median(newer - older for newer, older in zip(times, times[1:], strict=False))
        if now - times[0] > max(QUIET_FACTOR * normal, MIN_QUIET):
            found.append(Quiet(shop, flow_id, name, node_id, times[0], normal))
    return found


def last_events(merchant_id: int) -> dict[str, datetime]:
    """When each of the shop's flows last received an event, by flow id."""
    rows = db.session.execute(
        select(Execution.flow_id, func.max(Execution.created_at))
        .where(Execution.merchant_id == merchant_id, Execution.mode == "webhook")
        .group_by(Execution.flow_id)
    ).all()
    return dict(rows)


# Connectors whose dropped subscriptions are noticed and whose missed events are fetched back.
RECOVERIES = {"shopify": shopify_recovery}


def restore_subscriptions() -> int:
    """The scheduler's job: every provider webhook subscription of an active flow that the
    provider dropped is registered again, and the events missed since the last one seen are
    started as executions. Returns how many subscriptions were restored."""
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
    recovery = RECOVERIES.get(spec.connector_key) if spec and spec.connector else None
    if recovery is None or lifecycle.set_up_by_hand(endpoint):  # nothing Shopwire registered
        return False
    api = api_client(spec.connector, store.decrypted(flow.merchant_id, node.get("credential")))
    try:
        if recovery.subscription_alive(api, vault().decrypt(endpoint.subscription)):
            return False
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
    fetched = _fetch_missed(flow, api, recovery, spec.key.split(".", 1)[1])
    details = {"node": endpoint.node_id, "provider": spec.connector.title["en"], "count": fetched}
    key = f"{flow.id}:{endpoint.node_id}:{utcnow().isoformat()}"
    alerts.record(flow.merchant_id, "subscription_restored", key, flow.id, quiet_since, details)
    db.session.commit()
    return True


def _fetch_missed(flow: Flow, api, recovery, trigger: str) -> int:
    """Start an execution for every event after the last one the flow received; how many."""
    last = db.session.execute(
        select(Execution.raw_body, Execution.content_type)
        .where(Execution.flow_id == flow.id, Execution.mode == "webhook")
        .order_by(Execution.created_at.desc())
        .limit(1)
    ).first()
    seen = parse_body(*last) if last else None
    if not isinstance(seen, dict) or not isinstance(seen.get("id"), int):
        return 0  # nothing seen yet: there is no gap to fill
    try:
        missed = recovery.missed_orders(api, trigger, seen["id"])
    except NodeError as error:
        log.warning("flow %s: the missed events could not be fetched: %s", flow.id, error)
        return 0
    started = 0
    for event in missed:
        try:
            executions.start(
                merchant_id=flow.merchant_id,
                flow_id=flow.id,
                version_id=flow.current_version_id,
                body=json.dumps(event).encode(),
                content_type="application/json",
                mode="webhook",
                dedupe_key=f"recovered:{event['id']}",  # once, however often this runs
            )
        except executions.Duplicate:
            continue
        started += 1
    log.warning("flow %s: started %s missed event(s)", flow.id, started)
    return started
