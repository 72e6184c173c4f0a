"""The language switcher on the editor page (the header's, the only one there): an English editor
turns German, every text of the toolbar, palette and step panel included, and stays German after
a reload and on the other pages."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

PAID = {
    "id": "paid",
    "type": "core.filter",
    "position": {"x": 280, "y": 0},
    "mapping": {"condition": "to_number(trigger.total_price) > `0`"},
}


def test_switch_the_editor_to_german_and_back(page, demo_api):
    open_editor(page, create_flow(demo_api, flow_document(HOOK, PAID)))
    assert page.get_by_role("button", name="Save", exact=True).is_visible()

    expect(page.get_by_role("combobox", name="Language")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Language").get_by_role("link")).to_have_count(1)
    page.get_by_role("link", name="Deutsch").click()
    page.get_by_role("button", name="Speichern", exact=True).wait_for()
    expect(page.get_by_text("Alles gespeichert")).to_be_visible()
    expect(page.get_by_placeholder("Schritte suchen")).to_be_visible()
    page.locator(".palette-group h3", has_text="Auslöser").wait_for()
    node(page, "paid").click()
    panel = page.locator(".panel")
    panel.get_by_role("button", name="Bedingung bauen").wait_for()
    expect(panel.get_by_test_id("condition-builder")).to_contain_text("Bedingung hinzufügen")
    expect(page.get_by_text("Save", exact=True)).to_have_count(0)
    # The step's own settings too: titles, descriptions and choices.
    node(page, "order").click()
    expect(panel.get_by_text("Antwort an den Absender")).to_be_visible()
    choices = panel.locator("#param-respond option").all_inner_texts()
    assert "Sofort: Ereignis angekommen" in choices, choices
    expect(panel.get_by_label("Header mit der Signatur")).to_be_visible()

    page.reload()
    page.get_by_role("button", name="Speichern", exact=True).wait_for()
    page.goto("/executions")
    page.get_by_role("heading", name="Ausführungen").wait_for()

    page.go_back()
    page.get_by_role("link", name="English").click()
    page.get_by_role("button", name="Save", exact=True).wait_for()
