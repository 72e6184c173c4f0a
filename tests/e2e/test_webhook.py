"""The editor's webhook bar: the test address from the start, the production address while the
flow is on, copying, and waiting for a test event that then runs live on the canvas."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor


def test_switch_on_shows_the_production_address_and_copies_it(page, demo_api, served, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
    open_editor(page, flow_id)
    switch = page.get_by_role("switch")
    assert switch.get_attribute("aria-checked") == "false"
    bar = page.get_by_test_id("webhook")
    bar.get_by_test_id("webhook-test").wait_for()  # the test address works while off
    expect(bar.get_by_test_id("webhook-production")).to_have_count(0)
    bar.get_by_text("Switch the flow on to receive real events").wait_for()

    switch.click()
    production = bar.get_by_test_id("webhook-production")
    production.wait_for()
    assert switch.get_attribute("aria-checked") == "true"
    [hook] = demo_api.get(f"/api/flows/{flow_id}").get_json()["webhooks"]
    url = bar.get_by_label("Production address").input_value()
    token = hook["url"].rsplit("/", 1)[1]
    assert url == f"{served}/hooks/{token}"
    assert bar.get_by_label("Test address").input_value() == f"{served}/hooks/test/{token}"
    production.get_by_role("button", name="Copy").click()
    production.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.screenshot(path=screenshots / "editor-webhook.png")

    switch.click()
    production.wait_for(state="detached")
    assert demo_api.get(f"/api/flows/{flow_id}").get_json()["active"] is False


def test_waiting_for_a_test_event_follows_the_run_it_starts(
    page, demo_api, worker_process, screenshots
):
    shaped = {
        "id": "shape",
        "type": "core.map",
        "position": {"x": 250, "y": 0},
        "mapping": {"fields.email": "trigger.email"},
    }
    flow_id = create_flow(demo_api, flow_document(HOOK, shaped))
    open_editor(page, flow_id)
    bar = page.get_by_test_id("webhook")
    test_url = bar.get_by_label("Test address").input_value()

    bar.get_by_role("button", name="Wait for a test event").click()
    bar.get_by_role("status").get_by_text("Waiting for an event").wait_for()
    page.screenshot(path=screenshots / "editor-waiting-for-test-event.png")
    assert requests.post(test_url, json={"email": "zoë@example.com"}, timeout=10).status_code == 202

    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    expect(bar.get_by_role("status")).to_have_count(0)
    node(page, "shape").click()
    output = page.get_by_test_id("last-run").locator("details", has_text="Output").locator("pre")
    assert '"email": "zoë@example.com"' in output.inner_text()
    [execution] = demo_api.get(f"/api/executions?flow_id={flow_id}").get_json()["executions"]
    assert execution["mode"] == "test"
