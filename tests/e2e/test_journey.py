"""A new merchant builds the W1 flow (webhook → map fields → HTTP request) from an empty canvas:
drags steps in, connects them, maps fields by clicking in the data tree, saves, tests with the
trigger's example, sees every step succeed and opens the HTTP step's output."""

from __future__ import annotations

import json

from tests.e2e.test_editor import connect, node

BIG_ID = "820982911946154508"


def drop(page, node_type: str, x: int, y: int) -> None:
    page.locator(f".palette-item[data-node-type='{node_type}']").drag_to(
        page.locator(".react-flow__pane"), target_position={"x": x, "y": y}
    )


def test_build_w1_from_scratch(page, demo_api, worker_process, receiver, screenshots):
    page.get_by_test_id("new-flow").click()
    page.wait_for_url("**/flows/*/edit")
    node(page, "trigger").wait_for()

    drop(page, "core.map", 160, 120)
    drop(page, "core.http_request", 540, 160)
    node(page, "map").wait_for()
    node(page, "http_request").wait_for()
    connect(page, "trigger", "map")
    page.locator(".react-flow__edge").first.wait_for(state="attached")
    page.screenshot(path=screenshots / "journey-canvas.png")
    connect(page, "map", "http_request")
    page.locator(".react-flow__edge").nth(1).wait_for(state="attached")

    node(page, "map").click()
    panel = page.locator(".panel")
    for field in ("order_id", "email", "sku"):
        panel.get_by_label("Field name").fill(field)
        panel.get_by_role("button", name="Add field").click()
        panel.locator(f"[data-entry={field}]").get_by_role("button", name="From data").click()
    panel.locator("[data-entry=order_id] [data-path='trigger.id']").click()
    panel.locator("[data-entry=email] [data-path='input.email']").click()
    sku = panel.locator("[data-entry=sku]")
    sku.get_by_role("button", name="Open trigger.line_items", exact=True).click()
    sku.get_by_role("button", name="Open trigger.line_items[0]", exact=True).click()
    sku.locator("[data-path='trigger.line_items[0].sku']").click()
    panel.locator("[data-entry=order_id]").get_by_test_id("preview").get_by_text(BIG_ID).wait_for()
    sku.get_by_test_id("preview").get_by_text("IPOD2008PINK").wait_for()
    page.screenshot(path=screenshots / "journey-mapping.png")

    node(page, "http_request").click()
    panel.locator("#param-method").select_option("POST")
    panel.locator("#param-url").fill(receiver.url("/orders"))
    body = panel.locator("[data-field=body]")
    body.get_by_role("button", name="From data").click()
    body.locator("[data-path='input']").click()
    body.get_by_test_id("preview").get_by_text("group of fields").wait_for()

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()

    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_test_id("test-dialog").get_by_role("button", name="Run test").click()
    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    for node_id in ("trigger", "map", "http_request"):
        assert "step-succeeded" in node(page, node_id).locator(".flow-node").get_attribute("class")
    [delivery] = receiver.requests
    assert json.loads(delivery.body) == {
        "order_id": int(BIG_ID),
        "email": "jon@example.com",
        "sku": "IPOD2008PINK",
    }
    assert f'"order_id": {BIG_ID}' in delivery.body.decode()

    node(page, "http_request").click()
    output = page.get_by_test_id("last-run").locator("details", has_text="Output").locator("pre")
    assert json.loads(output.inner_text())["status"] == 200
    page.screenshot(path=screenshots / "journey-done.png")
