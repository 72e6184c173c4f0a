"""The version list: every save is a version, and an older one can be restored."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

FILTER = {
    "id": "paid",
    "type": "core.filter",
    "mapping": {"condition": "input.total_price != '0.00'"},
    "position": {"x": 280, "y": 0},
}


def test_restore_an_older_version(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    reply = demo_api.put(f"/api/flows/{flow_id}", json={"graph": flow_document(HOOK, FILTER)})
    assert reply.status_code == 200, reply.get_json()
    open_editor(page, flow_id)
    node(page, "paid").wait_for()

    page.get_by_role("button", name="Versions").click()
    versions = page.get_by_test_id("versions")
    versions.locator("[data-version='1']").wait_for()
    assert "current" in versions.locator("[data-version='2']").inner_text()
    page.screenshot(path=screenshots / "editor-versions.png")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    versions.locator("[data-version='1']").get_by_role("button", name="Restore").click()
    page.get_by_test_id("notice").get_by_text("Version 1 restored as version 3").wait_for()
    assert "Restore version 1?" in questions[0]
    node(page, "paid").wait_for(state="detached")
    assert page.get_by_test_id("save-state").inner_text() == "All changes saved"

    flow = demo_api.get(f"/api/flows/{flow_id}").get_json()
    assert flow["version"] == 3
    assert [n["id"] for n in flow["graph"]["nodes"]] == ["order"]

    page.get_by_role("button", name="Versions").click()
    page.get_by_test_id("versions").locator("[data-version='3']").wait_for()
    expect(page.get_by_test_id("versions").locator("li")).to_have_count(3)
