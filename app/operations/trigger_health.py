"""Trigger health: a webhook trigger that usually receives events and has gone quiet for
longer than its normal gap.

The normal gap is the median time between the flow's last deliveries: a shop with an order a
minute is quiet after a quarter of an hour; one with an order a day, after four days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select

from app.extensions import db
from app.models import Execution, Flow, WebhookEndpoint

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
