"""Switching a flow on in the editor shows its webhook address, ready to copy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, open_editor


def test_switch_on_shows_the_webhook_address_and_copies_it(page, demo_api, served, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
    open_editor(page, flow_id)
    switch = page.get_by_role("switch")
    assert switch.get_attribute("aria-checked") == "false"
    expect(page.get_by_test_id("webhook")).to_have_count(0)

    switch.click()
    bar = page.get_by_test_id("webhook")
    bar.wait_for()
    assert switch.get_attribute("aria-checked") == "true"
    [hook] = demo_api.get(f"/api/flows/{flow_id}").get_json()["webhooks"]
    url = bar.get_by_label("Webhook address").input_value()
    token = hook["url"].rsplit("/", 1)[1]
    assert url == f"{served}/hooks/{token}"
    bar.get_by_role("button", name="Copy").click()
    bar.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.screenshot(path=screenshots / "editor-webhook.png")

    switch.click()
    bar.wait_for(state="detached")
    assert demo_api.get(f"/api/flows/{flow_id}").get_json()["active"] is False
