"""The Test button: the trigger's sample runs through the saved flow on a real worker, every
step shows its status on the canvas, and a click on a step shows what it got and gave."""

from __future__ import annotations

import json

from playwright.sync_api import expect

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


def start_test(page) -> None:
    """Test → the payload dialog (the trigger's example) → Run test."""
    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_test_id("test-dialog").get_by_role("button", name="Run test").click()


def test_a_test_run_colours_every_step_and_shows_its_data(
    page, demo_api, worker_process, receiver, screenshots
):
    flow_id = create_flow(demo_api, w1_like(receiver.url("/orders")))
    open_editor(page, flow_id)
    start_test(page)

    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    assert page.get_by_test_id("run-state").get_attribute("href").startswith("/executions/")
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
    start_test(page)

    page.get_by_test_id("run-state").get_by_text("Test run: failed").wait_for(timeout=30_000)
    assert "step-failed" in node(page, "erp").locator(".flow-node").get_attribute("class")
    assert "step-succeeded" in node(page, "fields").locator(".flow-node").get_attribute("class")
    node(page, "erp").click()
    error = page.get_by_test_id("last-run").locator(".field-error")
    assert "404" in error.inner_text()
    page.screenshot(path=screenshots / "editor-test-run-failed.png")


def test_a_pasted_payload_is_checked_then_sent(
    page, demo_api, worker_process, receiver, screenshots
):
    flow_id = create_flow(demo_api, w1_like(receiver.url("/orders")))
    open_editor(page, flow_id)
    page.get_by_role("button", name="Test", exact=True).click()
    dialog = page.get_by_test_id("test-dialog")
    payload = dialog.get_by_label("Data to send (JSON)")
    assert BIG_ID in payload.input_value()  # the trigger's example, exact
    payload.fill('{"id": 9007199254740993, "email": "ann@example.com",}')
    dialog.get_by_role("button", name="Run test").click()
    dialog.get_by_role("alert").get_by_text("This is not valid JSON").wait_for()
    page.screenshot(path=screenshots / "editor-test-payload.png")

    payload.fill('{"id": 9007199254740993, "email": "ann@example.com"}')
    dialog.get_by_role("button", name="Run test").click()
    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    [delivery] = receiver.requests
    assert json.loads(delivery.body)["email"] == "ann@example.com"
    assert delivery.body.startswith(b'{"id": 9007199254740993')


def test_a_failed_run_succeeds_on_retry_from_the_failed_step(
    page, demo_api, worker_process, receiver, screenshots
):
    replies = iter([(503, {"Content-Type": "text/plain"}, b"down for maintenance")])
    fixed = (200, {"Content-Type": "application/json"}, b"{}")
    receiver.reply = lambda request: next(replies, fixed)
    flow = w1_like(receiver.url("/orders"))
    flow["nodes"][2]["retry"] = {"attempts": 1}
    flow_id = create_flow(demo_api, flow)
    open_editor(page, flow_id)
    start_test(page)
    page.get_by_test_id("run-state").get_by_text("Test run: failed").wait_for(timeout=30_000)
    page.screenshot(path=screenshots / "editor-test-run-retry.png")

    page.get_by_test_id("retry").click()
    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=30_000)
    assert "step-succeeded" in node(page, "erp").locator(".flow-node").get_attribute("class")
    expect(page.get_by_test_id("retry")).to_have_count(0)
    assert len(receiver.requests) == 2
