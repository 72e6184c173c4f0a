"""The executions page: filter the list, open a run, see its per-step timeline and its error
in plain words, and go on to the editor."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.conftest import create_active_flow, flow_document
from tests.e2e.test_editor import create_flow
from tests.e2e.test_test_run import w1_like


def wait_finished(api, execution_id: str) -> dict:
    for _ in range(150):
        execution = api.get(f"/api/executions/{execution_id}").get_json()
        if execution["status"] in ("succeeded", "failed"):
            return execution
        time.sleep(0.2)
    raise AssertionError("the execution did not finish")


def test_filter_executions_and_see_the_timeline(
    page, demo_api, worker_process, receiver, screenshots
):
    receiver.reply = lambda request: (
        (404, {"Content-Type": "text/plain"}, b"no such shop")
        if request.path == "/missing"
        else (200, {"Content-Type": "application/json"}, b"{}")
    )
    good, good_url = create_active_flow(
        demo_api, w1_like(receiver.url("/orders")), name="Paid orders"
    )
    bad, bad_url = create_active_flow(demo_api, w1_like(receiver.url("/missing")), name="Refunds")
    # Live events at the flows' addresses, and one test run from the editor's Test button.
    ran = [
        demo_api.client.post("/hooks/" + url.rsplit("/", 1)[1], json={"id": 1, "email": "a@b.c"})
        for url in (good_url, bad_url)
    ]
    ok, failed = (wait_finished(demo_api, reply.get_json()["execution_id"]) for reply in ran)
    assert (ok["status"], failed["status"]) == ("succeeded", "failed")
    tested = demo_api.post(
        f"/api/flows/{bad}/run", json={"payload": {"id": 2, "email": "jon_100%@example.com"}}
    ).get_json()
    assert wait_finished(demo_api, tested["id"])["status"] == "failed"

    page.reload()
    refunds = page.locator(f"tr[data-flow='{bad}']")
    # The failed test run is not counted: only the live failure.
    assert refunds.get_by_test_id("failures").inner_text() == "1 failed in the last 24 h"
    expect(page.locator(f"tr[data-flow='{good}']").get_by_test_id("failures")).to_have_count(0)
    page.screenshot(path=screenshots / "home-last-runs.png")

    page.get_by_role("link", name="All executions").click()
    table = page.get_by_test_id("executions")
    expect(table.locator("tr[data-execution]")).to_have_count(3)
    expect(table.get_by_test_id("test-run")).to_have_count(1)
    expect(table.locator(f"tr[data-execution='{tested['id']}']")).to_contain_text("test")
    # Search by a value in the event: only the run whose event has this e-mail.
    page.get_by_label("Value in the event").fill("jon_100%@example")
    page.get_by_role("button", name="Show").click()
    expect(table.locator("tr[data-execution]")).to_have_count(1)
    expect(table.locator(f"tr[data-execution='{tested['id']}']")).to_have_count(1)
    page.get_by_label("Value in the event").fill("")
    page.get_by_label("Runs").select_option(label="Live runs only")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**kind=live**")
    expect(table.locator("tr[data-execution]")).to_have_count(2)
    page.screenshot(path=screenshots / "executions.png")

    page.get_by_label("Status").select_option("failed")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**status=failed**")
    expect(table.locator("tr[data-execution]")).to_have_count(1)
    assert "Refunds" in table.inner_text()

    page.get_by_label("Flow").select_option(label="Paid orders")
    page.get_by_role("button", name="Show").click()
    page.get_by_text("No execution matches these filters").wait_for()

    page.goto("/executions?status=failed&kind=live")
    page.get_by_role("link", name="Details").click()
    page.get_by_test_id("execution-status").get_by_text("failed").wait_for()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li")).to_have_count(3)
    expect(timeline.locator(".bar")).to_have_count(3)
    erp = timeline.locator("li[data-step='erp']")
    assert "404" in erp.get_by_role("alert").inner_text()
    page.screenshot(path=screenshots / "execution-detail.png", full_page=True)

    page.get_by_role("link", name="Open in editor").click()
    page.wait_for_url(f"**/flows/{bad}/edit")
    page.wait_for_selector(".flow-node")


def test_a_run_the_filter_stopped_reads_stopped_by_filter(page, demo_api, worker_process):
    flow = create_flow(
        demo_api,
        flow_document(
            {"id": "hook", "type": "core.webhook"},
            {"id": "paid", "type": "core.filter", "mapping": {"condition": "trigger.paid"}},
        ),
        name="Paid orders",
    )
    ran = demo_api.post(f"/api/flows/{flow}/run", json={"payload": {"paid": False}}).get_json()
    wait_finished(demo_api, ran["id"])
    page.goto("/executions")
    row = page.locator(f"tr[data-execution='{ran['id']}']")
    expect(row.locator(".status")).to_have_text("stopped by filter")
    row.get_by_role("link").click()
    expect(page.get_by_test_id("execution-status")).to_have_text("stopped by filter")


def failing_live_runs(demo_api, receiver, count: int) -> tuple[str, list[str]]:
    """A switched-on flow whose ERP answers 404, and `count` live events that failed there."""
    receiver.reply = lambda request: (404, {"Content-Type": "text/plain"}, b"no such shop")
    flow, url = create_active_flow(demo_api, w1_like(receiver.url("/orders")), name="Orders")
    ids = []
    for number in range(count):
        sent = demo_api.client.post(
            "/hooks/" + url.rsplit("/", 1)[1], json={"id": number, "email": "a@b.c"}
        )
        ids.append(sent.get_json()["execution_id"])
    assert all(wait_finished(demo_api, i)["status"] == "failed" for i in ids)
    receiver.reply = lambda request: (200, {"Content-Type": "application/json"}, b"{}")
    return flow, ids


def test_retry_a_failed_live_run_from_its_page(page, demo_api, worker_process, receiver):
    _flow, [failed] = failing_live_runs(demo_api, receiver, 1)
    page.goto(f"/executions/{failed}")
    erp = page.get_by_test_id("timeline").locator("li[data-step='erp']")
    assert "404" in erp.get_by_role("alert").inner_text()
    page.get_by_role("button", name="Retry from the failed step").click()
    page.get_by_text("it continues at the failed step").wait_for()
    assert wait_finished(demo_api, failed)["status"] == "succeeded"
    page.reload()
    expect(page.get_by_test_id("execution-status")).to_have_text("succeeded")
    expect(page.get_by_role("button", name="Retry from the failed step")).to_have_count(0)
    # The map step ran once: the retry continued at the failed step.
    steps = demo_api.get(f"/api/executions/{failed}").get_json()["steps"]
    assert [s["status"] for s in steps] == ["succeeded", "succeeded", "succeeded"]


def test_bulk_retry_of_the_selected_failed_runs(page, demo_api, worker_process, receiver):
    flow, failed = failing_live_runs(demo_api, receiver, 3)
    page.goto(f"/executions?flow_id={flow}&status=failed")
    table = page.get_by_test_id("executions")
    expect(table.locator("tr[data-execution]")).to_have_count(3)
    for execution_id in failed[:2]:
        table.locator(f"tr[data-execution='{execution_id}']").get_by_role("checkbox").check()
    page.get_by_role("button", name="Retry the selected failed runs").click()
    page.get_by_text("2 failed runs queued again").wait_for()
    statuses = [wait_finished(demo_api, i)["status"] for i in failed[:2]]
    assert statuses == ["succeeded", "succeeded"]
    assert demo_api.get(f"/api/executions/{failed[2]}").get_json()["status"] == "failed"
