"""Triggers that are not webhooks going quiet, on a controlled clock: a polling trigger that
usually finds records and finds none for longer than its normal gap; a schedule that did not
start a planned run (one alert for the outage, not one per missed time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.identity.mail import outbox
from app.models import Alert
from app.operations import alerts, trigger_health
from app.runtime.timed_triggers import fire_due
from tests.nodes.test_polling import polling_flow, shop  # noqa: F401  (the fake shop fixture)
from tests.operations.test_alerts import event, settings_for, shop_of
from tests.test_schedules import schedule_flow

# A whole hour a day ago: the schedule was switched on two days ago.
T0 = (datetime.now(UTC) - timedelta(days=1)).replace(minute=0, second=0, microsecond=0)


def naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def test_a_poll_that_usually_finds_orders_is_flagged_after_its_normal_gap(api, shop):  # noqa: F811
    flow_id = polling_flow(api, shop)
    start = naive(T0)
    for minute in range(0, 100, 20):  # an order found every twenty minutes
        event(flow_id, start + timedelta(minutes=minute), mode="poll")
    last = start + timedelta(minutes=80)

    assert trigger_health.quiet_triggers(last + timedelta(minutes=79)) == []
    [quiet] = trigger_health.quiet_triggers(last + timedelta(minutes=81))
    assert (quiet.kind, quiet.flow_id, quiet.node_id) == ("poll", flow_id, "orders")
    assert quiet.normal_gap == timedelta(minutes=20)

    settings_for(shop_of(flow_id), language="en")
    alerts.run(last + timedelta(minutes=81))
    [mail] = outbox()
    body = mail.get_content()
    assert "The trigger “orders” has found no new record since" in body
    assert "it usually finds one every 20 minutes" in body
    assert "press “Test” on the trigger" in body


def test_a_schedule_that_stopped_firing_is_flagged_once_per_outage(api):
    flow_id = schedule_flow(api, {"interval_minutes": 60, "timezone": "UTC"})
    hour = timedelta(hours=1)
    assert fire_due((T0 + timedelta(minutes=1)).isoformat()) == 1
    assert fire_due((T0 + hour + timedelta(minutes=1)).isoformat()) == 1

    def quiet_at(moment: datetime) -> list:
        return trigger_health.quiet_triggers(naive(moment), shop_of(flow_id))

    assert quiet_at(T0 + hour + timedelta(minutes=20)) == []
    assert quiet_at(T0 + 2 * hour + timedelta(minutes=10)) == []  # not overdue yet
    [missed] = quiet_at(T0 + 2 * hour + timedelta(minutes=20))  # the scheduler stopped
    assert (missed.kind, missed.node_id, missed.last_event_at) == (
        "schedule",
        "clock",
        naive(T0 + 2 * hour),
    )
    [still] = quiet_at(T0 + 5 * hour + timedelta(minutes=20))
    assert still.last_event_at == naive(T0 + 2 * hour)  # the same outage

    settings_for(shop_of(flow_id), language="de")
    alerts.run(naive(T0 + 2 * hour + timedelta(minutes=20)))
    alerts.run(naive(T0 + 5 * hour + timedelta(minutes=20)))
    assert db.session.scalar(select(func.count()).where(Alert.kind == "schedule_missed")) == 1
    [mail] = outbox()
    body = mail.get_content()
    assert "Der Zeitplan des Auslösers „clock“ hat den für" in body
    assert "Zeitplaner" in body

    # The scheduler is back: the latest planned time runs, and the schedule is healthy again.
    assert fire_due((T0 + 5 * hour + timedelta(minutes=30)).isoformat()) == 1
    assert quiet_at(T0 + 5 * hour + timedelta(minutes=40)) == []
