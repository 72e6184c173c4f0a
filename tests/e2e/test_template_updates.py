"""Templates over time in Chromium: a shop sees that a template it installed has a new version
(on the dashboard and in the editor), updates and undoes it by restoring; a publisher shares a
template by link, takes it back and deletes it."""

from __future__ import annotations

import copy

from playwright.sync_api import expect

from app.cli import issue_token, merchant_named
from tests.conftest import Api, flow_document
from tests.e2e.test_editor import node
from tests.people import PASSWORD, member

FIELDS = flow_document(
    {"id": "hook", "type": "core.webhook", "name": "Order in", "position": {"x": 0, "y": 0}},
    {
        "id": "set",
        "type": "core.set",
        "name": "Fields",
        "params": {"values": {"a": "b"}},
        "position": {"x": 280, "y": 0},
    },
)
MORE = {
    "id": "more",
    "type": "core.set",
    "version": 1,
    "name": "More fields",
    "params": {"values": {"c": "d"}},
    "position": {"x": 560, "y": 0},
}
BODY = {
    "title": {"en": "Order fields", "de": "Bestellfelder"},
    "description": "Sets fields.",
    "category": "shop",
}


def publisher(client) -> Api:
    return Api(client, issue_token(merchant_named("globex"), "tests"))


def test_an_installed_flow_is_updated_from_the_dashboard_notice_and_undone(
    page, demo_api, client, screenshots
):
    theirs = publisher(client)
    graph = copy.deepcopy(FIELDS)
    source = theirs.post("/api/flows", json={"name": "Source", "graph": graph}).get_json()["id"]
    published = theirs.post(
        "/api/templates", json={**BODY, "flow_id": source, "visibility": "public"}
    ).get_json()
    flow_id = demo_api.post(f"/api/templates/{published['id']}/install", json={}).get_json()[
        "flow_id"
    ]
    page.reload()
    row = page.locator(f"tr[data-flow='{flow_id}']")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("template-update")).to_have_count(0)

    graph["nodes"].append(MORE)
    graph["edges"].append({"source": "set", "target": "more"})
    theirs.put(f"/api/flows/{source}", json={"graph": graph})
    theirs.post("/api/templates", json={**BODY, "flow_id": source, "visibility": "public"})

    page.reload()
    notice = row.get_by_test_id("template-update")
    expect(notice).to_contain_text("Update available: version 2")
    expect(notice).to_contain_text("added: More fields")
    page.screenshot(path=screenshots / "dashboard-update.png")
    row.get_by_role("link", name="Open editor").click()

    page.wait_for_selector(".flow-node")
    notice = page.get_by_test_id("template-update")
    expect(notice).to_contain_text("added: More fields")
    notice.get_by_role("link", name="Details").click()
    summary = page.get_by_test_id("update-summary")
    expect(summary).to_contain_text("has a new version: 2 (yours: 1)")
    expect(summary.locator(".react-flow__node")).to_have_count(3)  # the new version, drawn
    page.screenshot(path=screenshots / "update-details.png", full_page=True)
    page.get_by_test_id("update").click()

    page.wait_for_url(f"**/flows/{flow_id}/edit")
    expect(page.get_by_role("status").first).to_contain_text(
        "version 2; the previous state is kept"
    )
    node(page, "more").wait_for()
    expect(page.get_by_test_id("template-update")).to_have_count(0)
    assert demo_api.get(f"/api/flows/{flow_id}").get_json()["version"] == 2

    page.get_by_role("button", name="Versions").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("versions").locator("[data-version='1']").get_by_role(
        "button", name="Restore"
    ).click()
    page.get_by_test_id("notice").get_by_text("Version 1 restored as version 3").wait_for()
    node(page, "more").wait_for(state="detached")
    page.goto("/")
    expect(
        page.locator(f"tr[data-flow='{flow_id}']").get_by_test_id("template-update")
    ).to_have_count(0)


def test_a_template_shared_by_link_is_taken_back_and_deleted(
    page, browser, served, demo_api, screenshots
):
    source = demo_api.post("/api/flows", json={"name": "Source", "graph": FIELDS}).get_json()["id"]
    published = demo_api.post(
        "/api/templates", json={**BODY, "flow_id": source, "visibility": "private"}
    ).get_json()
    member("globex", "gil@globex.de")
    other = browser.new_context(base_url=served, locale="de-DE").new_page()
    other.goto("/login")
    other.fill("input[name=email]", "gil@globex.de")
    other.fill("input[name=password]", PASSWORD)
    other.click("button[type=submit]")
    other.wait_for_url(f"{served}/")

    page.goto("/templates")
    page.locator("[data-template]", has_text="Order fields").get_by_role(
        "link", name="Preview and install"
    ).click()
    manage = page.get_by_test_id("manage-template")
    expect(manage).to_contain_text("Only your shop sees it.")
    manage.get_by_label("Who can see it").select_option("link")
    manage.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Now visible to: anyone with the link.")).to_be_visible()
    link = page.get_by_test_id("share-link").input_value()
    page.screenshot(path=screenshots / "template-link.png", full_page=True)

    other.goto("/templates")
    expect(other.locator("[data-template]", has_text="Bestellfelder")).to_have_count(0)
    other.goto(link)
    expect(other.get_by_role("heading", name="Bestellfelder")).to_be_visible()
    expect(other.get_by_test_id("manage-template")).to_have_count(0)
    expect(other.get_by_test_id("canvas-preview").locator(".react-flow__node")).to_have_count(2)

    manage = page.get_by_test_id("manage-template")
    manage.get_by_label("Who can see it").select_option("private")
    manage.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Now visible to: only your shop.")).to_be_visible()
    assert other.goto(link).status == 404

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Delete template").click()
    expect(page.get_by_text("The template “Order fields” was deleted.")).to_be_visible()
    assert "keep their flows" in questions[0]
    expect(page.locator("[data-template]", has_text="Order fields")).to_have_count(0)
    assert demo_api.get(f"/api/templates/{published['id']}").status_code == 404
    other.context.close()
