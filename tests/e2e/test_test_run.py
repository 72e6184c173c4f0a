"""The Test button: the trigger's sample runs through the saved flow on a real worker, every
step shows its status on the canvas, and a click on a step shows what it got and gave."""

from __future__ import annotations

import json

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

BIG_ID = "820982911946154508"


def w1_like(url: str) -> dict:
    return flow_document(
        HOOK,
        {
            "id": "fields",
            "type": "core.map",
            "params": {"fields": {}},
            "mapping": {"fields.id": "trigger.id", "fields.email": "trigger.email"},
            "position": {"x": 280, "y": 0},
        },
        {
            "id": "erp",
            "type": "core.http_request",
            "params": {"method": "POST", "url": url},
            "mapping": {"body": "input"},
            "position": {"x": 560, "y": 0},
        },
    )


def test_a_test_run_colours_every_step_and_shows_its_data(
    page, demo_api, worker_process, receiver, screenshots
):
    flow_id = create_flow(demo_api, w1_like(receiver.url("/orders")))
    open_editor(page, flow_id)
    page.get_by_role("button", name="Test", exact=True).click()

    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    for node_id in ("order", "fields", "erp"):
        assert "step-succeeded" in node(page, node_id).locator(".flow-node").get_attribute("class")
    [delivery] = receiver.requests
    assert delivery.body.startswith(b'{"id": ' + BIG_ID.encode())

    node(page, "fields").click()
    last_run = page.get_by_test_id("last-run")
    assert "succeeded" in last_run.inner_text()
    output = last_run.locator("details", has_text="Output").locator("pre").inner_text()
    assert json.loads(output)["email"] == "jon@example.com"
    assert f'"id": {BIG_ID}' in output  # exact, not 820982911946154500
    page.screenshot(path=screenshots / "editor-test-run.png")


def test_a_failed_step_shows_its_error(page, demo_api, worker_process, receiver, screenshots):
    receiver.reply = lambda request: (404, {"Content-Type": "text/plain"}, b"no such shop")
    flow_id = create_flow(demo_api, w1_like(receiver.url("/missing")))
    open_editor(page, flow_id)
    page.get_by_role("button", name="Test", exact=True).click()

    page.get_by_test_id("run-state").get_by_text("Test run: failed").wait_for(timeout=30_000)
    assert "step-failed" in node(page, "erp").locator(".flow-node").get_attribute("class")
    assert "step-succeeded" in node(page, "fields").locator(".flow-node").get_attribute("class")
    node(page, "erp").click()
    error = page.get_by_test_id("last-run").locator(".field-error")
    assert "404" in error.inner_text()
    page.screenshot(path=screenshots / "editor-test-run-failed.png")
