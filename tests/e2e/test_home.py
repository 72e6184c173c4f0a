"""The overview of flows: rename, duplicate, switch on and off, delete after confirming."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow


def test_manage_flows_from_the_overview(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    page.reload()
    row = page.locator(f"tr[data-flow='{flow_id}']")

    row.get_by_text("Rename").click()
    row.get_by_label("Name").fill("Big orders")
    row.get_by_role("button", name="Save name").click()
    page.get_by_text("The flow is now called “Big orders”.").wait_for()

    row.get_by_role("switch").click()
    page.get_by_text("“Big orders” is on").wait_for()
    assert row.get_by_role("switch").get_attribute("aria-checked") == "true"
    assert "/hooks/" in row.inner_text()

    row.get_by_role("button", name="Duplicate").click()
    page.get_by_text("“Big orders (copy)” was created as a copy").wait_for()
    expect(page.locator("tr[data-flow]")).to_have_count(2)
    page.screenshot(path=screenshots / "home-actions.png")

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.get_by_role("button", name="Delete").click()
    page.wait_for_timeout(300)
    assert "Delete the flow “Big orders”?" in asked[0]
    expect(row).to_have_count(1)  # dismissed: nothing happened

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    page.get_by_text("“Big orders” was deleted.").wait_for()
    expect(row).to_have_count(0)
    assert demo_api.get(f"/api/flows/{flow_id}").status_code == 404
