"""The merchant's charts: runs and failures per hour per flow, the last event a trigger
received, the slowest steps — only ever the shop's own."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import StepRun
from app.models.base import utcnow
from tests.conftest import create_active_flow
from tests.operations.test_alerts import HOOK, event
from tests.people import member, sign_in


def signed_in(client) -> None:
    member("acme", "owner@acme.de")
    sign_in(client, "owner@acme.de")


def test_runs_and_failures_per_hour_of_the_shops_flows(app, client, api, other_api):
    flow_id, _ = create_active_flow(api, HOOK, name="Orders")
    theirs, _ = create_active_flow(other_api, HOOK, name="Theirs")
    now = utcnow()
    two_hours_ago = now - timedelta(hours=2)
    for status in ("succeeded", "succeeded", "failed"):
        event(flow_id, two_hours_ago, status)
    event(flow_id, now - timedelta(hours=30), "failed")  # outside the day
    event(theirs, two_hours_ago, "failed")
    event(flow_id, two_hours_ago, "failed", mode="manual")  # a test run: not a failure
    event(flow_id, two_hours_ago, "failed", mode="test")
    signed_in(client)

    stats = client.get("/dashboard/stats.json").get_json()

    assert len(stats["hours"]) == 24
    [flow] = stats["flows"]  # not the other shop's
    assert flow["name"] == "Orders"
    assert sum(flow["succeeded"]) == 2 and sum(flow["failed"]) == 1
    hour = stats["hours"].index(two_hours_ago.strftime("%Y-%m-%dT%H:00:00.000Z"))
    assert (flow["succeeded"][hour], flow["failed"][hour]) == (2, 1)
    week = client.get(f"/dashboard/stats.json?window=week&flow_id={flow_id}").get_json()
    assert len(week["hours"]) == 24 * 7 and sum(week["flows"][0]["failed"]) == 2
    assert client.get(f"/dashboard/stats.json?flow_id={theirs}").status_code == 404


def test_the_overview_has_a_chart_per_flow(app, client, api):
    flow_id, _ = create_active_flow(api, HOOK, name="Orders")
    signed_in(client)
    page = client.get("/").get_data(as_text=True)
    assert f'data-flow="{flow_id}"' in page and "data-runs-chart=" in page
    assert "/static/dist/dashboard.js" in page


def test_a_flows_runs_show_its_last_event_and_slowest_steps(app, client, api):
    flow_id, _ = create_active_flow(api, HOOK, name="Orders")
    at = utcnow() - timedelta(hours=1)
    execution_id = event(flow_id, at)
    for node_id, ms in (("order", 2), ("erp", 840)):
        db.session.add(
            StepRun(
                execution_id=execution_id,
                node_id=node_id,
                status="succeeded",
                input={},
                output={},
                started_at=at,
                finished_at=at + timedelta(milliseconds=ms),
            )
        )
    db.session.commit()
    signed_in(client)

    page = client.get(f"/executions?flow_id={flow_id}").get_data(as_text=True)

    assert f"Last event received: {at:%Y-%m-%d %H:%M} UTC" in page
    slowest = page[page.index('data-testid="slowest-steps"') :]
    assert slowest.index("erp") < slowest.index("order")
    assert "840 ms" in slowest
    german = client.get(
        f"/executions?flow_id={flow_id}", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Langsamste Schritte" in german


def test_the_overview_flags_a_trigger_gone_quiet(app, client, api):
    flow_id, _ = create_active_flow(api, HOOK, name="Orders")
    last = utcnow() - timedelta(hours=2)
    for minutes in range(50, -1, -10):  # an order every ten minutes, until two hours ago
        event(flow_id, last - timedelta(minutes=minutes))
    signed_in(client)

    page = client.get("/").get_data(as_text=True)

    flagged = page[page.index('data-testid="quiet"') :]
    assert "Quiet: no event since" in flagged
    assert "one usually comes every 10 minutes" in flagged
    german = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "üblicherweise kommt alle 10 Minuten eines" in german
