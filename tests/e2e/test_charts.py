"""The charts of runs and failures, drawn by Chart.js on the overview and on a flow's runs."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from app.models.base import utcnow
from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow
from tests.operations.test_alerts import event


def test_charts_of_runs_and_failures(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    for hours, status in ((1, "succeeded"), (1, "failed"), (3, "succeeded")):
        event(flow_id, utcnow() - timedelta(hours=hours), status)

    page.reload()
    small = page.locator(f"canvas[data-flow='{flow_id}']")
    expect(small).to_have_attribute("data-drawn", "true")
    page.screenshot(path=screenshots / "home-chart.png")

    page.goto(f"/executions?flow_id={flow_id}")
    expect(page.locator("canvas[data-large]")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("last-event")).to_contain_text("Last event received")
    page.screenshot(path=screenshots / "flow-chart.png")
