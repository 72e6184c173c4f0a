"""The language switcher in the header: the pages and the editor follow the choice."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow


def test_switch_to_german_and_back(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    page.get_by_role("link", name="Deutsch").click()
    expect(page.get_by_role("heading", name="Ihre Abläufe")).to_be_visible()
    page.get_by_role("link", name="Editor öffnen").click()
    page.get_by_text("Alles gespeichert").wait_for()
    expect(page.locator(f'[data-flow-id="{flow_id}"]')).to_have_attribute("data-lang", "de")
    page.screenshot(path=screenshots / "editor-german.png")

    page.get_by_role("link", name="English").click()
    page.get_by_text("All changes saved").wait_for()
    page.goto("/")
    expect(page.get_by_role("heading", name="Your flows")).to_be_visible()
