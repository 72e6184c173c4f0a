"""Seeing and fixing runs: every step of a live run in the editor's inspector on the execution
page (input, output, error, attempts; a split's items one by one), retry from there, run a
received event again against the flow's current version, and take a past run's event as the
trigger's test data in the editor."""

from __future__ import annotations

import json
import threading

from playwright.sync_api import expect

from tests.conftest import create_active_flow, flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor
from tests.e2e.test_executions import wait_finished
from tests.e2e.test_test_run import w1_like

JSON = {"Content-Type": "application/json"}


def send_event(demo_api, url: str, event: dict) -> str:
    sent = demo_api.client.post("/hooks/" + url.rsplit("/", 1)[1], json=event)
    return sent.get_json()["execution_id"]


def inspector(page):
    return page.get_by_test_id("step-inspector")


def choose_step(page, node_id: str) -> None:
    page.get_by_role("tablist").locator(f"[data-step='{node_id}']").click()
    expect(inspector(page)).to_have_attribute("data-step", node_id)


def test_inspect_a_failed_live_runs_steps_then_retry_it(
    page, demo_api, worker_process, receiver, screenshots
):
    receiver.reply = lambda request: (503, JSON, b'{"message": "ERP is restarting"}')
    graph = w1_like(receiver.url("/orders"))
    graph["nodes"][2]["retry"] = {"attempts": 3, "backoff_seconds": 0}
    flow, url = create_active_flow(demo_api, graph, name="Orders to the ERP")
    failed = send_event(demo_api, url, {"id": 1001, "email": "jon@example.com"})
    assert wait_finished(demo_api, failed)["status"] == "failed"

    page.goto(f"/executions/{failed}")
    # The failed step is shown first: its attempts in full, its error, what it got.
    shown = inspector(page)
    expect(shown).to_have_attribute("data-step", "erp")
    expect(shown.locator(".step-attempts")).to_have_text("3 attempts")
    expect(shown.get_by_role("alert")).to_contain_text("503")
    sent = json.loads(shown.locator("details", has_text="Input").locator("pre").inner_text())
    assert sent["body"] == {"id": 1001, "email": "jon@example.com"}
    assert sent["url"] == receiver.url("/orders")
    page.screenshot(path=screenshots / "execution-inspector-failed.png", full_page=True)

    choose_step(page, "fields")
    output = shown.locator("details", has_text="Output").locator("pre").inner_text()
    assert json.loads(output) == {"id": 1001, "email": "jon@example.com"}
    expect(shown.locator(".step-attempts")).to_have_text("1 attempt")
    # The timeline's step names lead to the same inspector.
    page.get_by_test_id("timeline").locator("li[data-step='order'] a").click()
    expect(shown).to_have_attribute("data-step", "order")
    assert "jon@example.com" in shown.locator("details", has_text="Output").inner_text()

    receiver.reply = lambda request: (200, JSON, b'{"id": "ERP-1"}')
    page.get_by_role("button", name="Retry from the failed step").click()
    page.get_by_text("it continues at the failed step").wait_for()
    assert wait_finished(demo_api, failed)["status"] == "succeeded"
    page.reload()
    choose_step(page, "erp")
    expect(inspector(page).locator(".step-badge")).to_have_text("succeeded")
    answer = inspector(page).locator("details", has_text="Output").locator("pre").inner_text()
    assert json.loads(answer)["body"] == {"id": "ERP-1"}


def test_browse_the_items_of_a_split(page, demo_api, worker_process, receiver):
    receiver.reply = lambda request: (
        (422, JSON, b'{"message": "unknown SKU"}')
        if request.json()["sku"] == "B-2"
        else (200, JSON, b'{"ok": true}')
    )
    graph = flow_document(
        HOOK,
        {"id": "lines", "type": "core.split", "mapping": {"items": "trigger.line_items"}},
        {
            "id": "stock",
            "type": "core.http_request",
            "params": {"method": "POST", "url": receiver.url("/stock")},
            "mapping": {"body": "item"},
            "on_error": "continue",
        },
    )
    _flow, url = create_active_flow(demo_api, graph, name="Stock per line")
    lines = [{"sku": "A-1"}, {"sku": "B-2"}, {"sku": "C-3"}]
    ran = send_event(demo_api, url, {"line_items": lines})
    wait_finished(demo_api, ran)

    page.goto(f"/executions/{ran}")
    choose_step(page, "stock")
    items = inspector(page).get_by_test_id("step-items")
    expect(items.get_by_test_id("item-position")).to_have_text("Item 1 of 3")
    expect(items.locator("details", has_text="Input")).to_contain_text("A-1")
    items.get_by_role("button", name="Next item →").click()
    expect(items.get_by_test_id("item-position")).to_have_text("Item 2 of 3")
    expect(items.get_by_role("alert")).to_contain_text("unknown SKU")
    items.get_by_role("button", name="Next item →").click()
    expect(items.get_by_test_id("item-position")).to_have_text("Item 3 of 3")
    expect(items.get_by_role("button", name="Next item →")).to_be_disabled()
    expect(items.locator("details", has_text="Input")).to_contain_text("C-3")
    items.get_by_role("button", name="← Previous item").click()
    expect(items.get_by_test_id("item-position")).to_have_text("Item 2 of 3")


def test_run_a_received_event_again_against_the_current_version(
    page, demo_api, worker_process, receiver
):
    receiver.reply = lambda request: (
        (404, JSON, b'{"message": "no such path"}')
        if request.path == "/old"
        else (200, JSON, b"{}")
    )
    flow, url = create_active_flow(demo_api, w1_like(receiver.url("/old")), name="Orders")
    failed = send_event(demo_api, url, {"id": 1002, "email": "ann@example.com"})
    assert wait_finished(demo_api, failed)["status"] == "failed"
    # The merchant fixes the address in the editor: a new version.
    demo_api.put(f"/api/flows/{flow}", json={"graph": w1_like(receiver.url("/new"))})

    page.goto(f"/executions/{failed}")
    page.get_by_role("button", name="Run this event again with the current version").click()
    page.get_by_text("The event runs again with version 2 of the flow.").wait_for()
    again = page.url.rsplit("/", 1)[1]
    assert again != failed
    assert wait_finished(demo_api, again)["status"] == "succeeded"
    page.reload()
    expect(page.get_by_test_id("execution-status")).to_have_text("succeeded")
    assert receiver.requests[-1].path == "/new"
    assert receiver.requests[-1].json() == {"id": 1002, "email": "ann@example.com"}
    page.get_by_test_id("rerun-of").get_by_role("link").click()
    page.wait_for_url(f"**/executions/{failed}")
    expect(page.get_by_test_id("execution-status")).to_have_text("failed")


def test_use_a_past_run_as_the_triggers_test_data(page, demo_api, worker_process, receiver):
    flow = create_flow(demo_api, w1_like(receiver.url("/orders")))
    demo_api.post(f"/api/flows/{flow}/activate")
    url = demo_api.get(f"/api/flows/{flow}").get_json()["webhooks"][0]["url"]
    live = send_event(demo_api, url, {"id": 4711, "email": "real@customer.de"})
    wait_finished(demo_api, live)

    open_editor(page, flow)
    page.get_by_role("button", name="Test", exact=True).click()
    dialog = page.get_by_test_id("test-dialog")
    expect(dialog.get_by_label("Or take the event of a past run").locator("option")).to_have_count(
        1
    )
    dialog.get_by_role("button", name="Use this run as test data").click()
    expect(dialog.get_by_label("Data to send (JSON)")).to_have_value(
        json.dumps({"id": 4711, "email": "real@customer.de"}, indent=2)
    )
    expect(dialog.get_by_test_id("test-data-pinned")).to_be_visible()
    dialog.get_by_role("button", name="Run test").click()
    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    assert receiver.requests[-1].json() == {"id": 4711, "email": "real@customer.de"}

    # Kept with the flow: the trigger's test data, and the data tree of the next step shows it.
    trigger = next(n for n in demo_api.get(f"/api/flows/{flow}").get_json()["graph"]["nodes"])
    assert trigger["sample"] == {"id": 4711, "email": "real@customer.de"}
    page.reload()
    page.wait_for_selector(".flow-node")
    page.get_by_role("button", name="Test", exact=True).click()
    expect(page.get_by_test_id("test-dialog").get_by_label("Data to send (JSON)")).to_have_value(
        json.dumps({"id": 4711, "email": "real@customer.de"}, indent=2)
    )


def test_a_test_run_against_a_failing_address_fails_fast(page, demo_api, worker_process, receiver):
    receiver.reply = lambda request: (503, JSON, b"{}")
    flow = create_flow(demo_api, w1_like(receiver.url("/orders")))
    open_editor(page, flow)
    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_test_id("test-dialog").get_by_role("button", name="Run test").click()
    # A live run tries 4 times, waiting 1, 2 and 4 s; the test waits out the first second only.
    page.get_by_test_id("run-state").get_by_text("Test run: failed").wait_for(timeout=20_000)
    [tested] = demo_api.get(f"/api/executions?flow_id={flow}").get_json()["executions"]
    assert tested["duration_ms"] < 3_000
    node(page, "erp").click()
    last_run = page.get_by_test_id("last-run")
    expect(last_run.locator(".step-attempts")).to_have_text("2 attempts")
    expect(last_run.get_by_test_id("live-retries")).to_have_text(
        "A live run would try 2 more times, waiting 6 s in all."
    )
    assert len(receiver.requests) == 2


LONG_NAME = "customer_shipping_address_second_line_for_the_carrier_label"


def test_the_inspector_opens_each_step_at_its_last_run_and_nothing_is_cut(
    page, demo_api, worker_process, receiver
):
    receiver.reply = lambda request: (503, JSON, b"{}")
    graph = flow_document(
        HOOK,
        {"id": "fields", "type": "core.map", "params": {"fields": {LONG_NAME: "Hinterhaus"}}},
        {
            "id": "send_the_order_to_erp",
            "type": "core.http_request",
            "params": {"method": "POST", "url": receiver.url("/orders")},
            "retry": {"attempts": 4, "backoff_seconds": 0},
            "position": {"x": 560, "y": 0},
        },
    )
    flow, url = create_active_flow(demo_api, graph, name="Orders")
    failed = send_event(demo_api, url, {"id": 1, "email": "a@b.c"})
    assert wait_finished(demo_api, failed)["status"] == "failed"

    # The execution page's timeline shows "4 attempts" whole.
    page.goto(f"/executions/{failed}")
    small = page.get_by_test_id("timeline").locator("li[data-step='send_the_order_to_erp'] small")
    expect(small).to_contain_text("4 attempts")
    assert small.evaluate("e => e.scrollWidth <= e.clientWidth")

    # In the editor, the last (live) run's error shows without a new test run.
    open_editor(page, flow)
    node(page, "fields").click()
    panel = page.locator(".panel")
    remove = panel.get_by_role("button", name=f"Remove {LONG_NAME}")
    box, frame = remove.bounding_box(), panel.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"]
    panel.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    node(page, "send_the_order_to_erp").click()
    assert panel.evaluate("e => e.scrollTop") == 0
    expect(page.get_by_test_id("last-run").get_by_role("alert")).to_contain_text("503")
    expect(page.get_by_test_id("last-run").locator(".step-attempts")).to_have_text("4 attempts")


def test_a_run_still_going_is_followed_until_it_ends(page, demo_api, worker_process, receiver):
    release = threading.Event()

    def slow_erp(request):
        release.wait(30)
        return 200, JSON, b'{"id": "ERP-2"}'

    receiver.reply = slow_erp
    flow, url = create_active_flow(demo_api, w1_like(receiver.url("/orders")), name="Slow ERP")
    going = send_event(demo_api, url, {"id": 1002, "email": "ann@example.com"})

    try:
        page.goto(f"/executions/{going}")
        steps = page.get_by_role("tablist")
        order = steps.locator("[data-step='order'] .step-badge")
        expect(order).to_have_text("succeeded", timeout=20_000)
        erp = steps.locator("[data-step='erp'] .step-badge")
        expect(erp).not_to_have_text("succeeded")  # the ERP has not answered yet
    finally:
        release.set()
    # Without reloading by hand: the page follows the run and shows how it ended.
    expect(erp).to_have_text("succeeded", timeout=20_000)
    assert wait_finished(demo_api, going)["status"] == "succeeded"
