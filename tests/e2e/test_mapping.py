"""The mapping panel: click a field in the data tree to map it, see its value live, and see a
broken expression's error (with its position) while typing, before saving."""

from __future__ import annotations

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

BIG_ID = "820982911946154508"


def test_click_in_the_data_tree_to_map_and_see_the_value_live(page, demo_api, screenshots):
    flow_id = create_flow(
        demo_api,
        flow_document(
            HOOK,
            {
                "id": "fields",
                "type": "core.map",
                "params": {"fields": {"sku": "", "id": ""}},
                "position": {"x": 280, "y": 0},
            },
        ),
    )
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    open_editor(page, flow_id)
    node(page, "fields").click()
    for entry in ("sku", "id"):
        page.locator(f"[data-entry={entry}]").get_by_role("button", name="From data").click()
    sku = page.locator("[data-entry=sku]")
    tree = sku.get_by_test_id("data-tree")
    assert "Example data" in tree.inner_text()
    tree.get_by_role("button", name="Open trigger.line_items", exact=True).click()
    tree.get_by_role("button", name="Open trigger.line_items[0]", exact=True).click()
    tree.locator("[data-path='trigger.line_items[0].sku']").click()
    assert page.locator("#entry-fields-sku").input_value() == "trigger.line_items[0].sku"
    sku.get_by_test_id("preview").get_by_text('"IPOD2008PINK"').wait_for()
    assert "TEXT" in sku.get_by_test_id("preview").inner_text().upper()

    ident = page.locator("[data-entry=id]")
    ident.locator("[data-path='input.id']").click()
    ident.get_by_test_id("preview").get_by_text(BIG_ID).wait_for()  # exact, not …500
    page.screenshot(path=screenshots / "editor-mapping-tree.png")

    page.locator("#entry-fields-id").fill("trigger.id ==")
    error = ident.get_by_test_id("preview")
    error.get_by_text("position").wait_for()
    assert "bad" in error.get_attribute("class")
    assert console_errors == []  # a half-typed expression is no failed request
    page.screenshot(path=screenshots / "editor-mapping-error.png")

    page.locator("#entry-fields-id").fill("trigger.nope")
    ident.get_by_test_id("preview").get_by_text("nothing found").wait_for()

    page.locator("#entry-fields-id").fill("trigger.id")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert graph["nodes"][1]["mapping"] == {
        "fields.sku": "trigger.line_items[0].sku",
        "fields.id": "trigger.id",
    }


def test_the_functions_help_inserts_a_function_around_the_selected_path(
    page, demo_api, screenshots
):
    flow_id = create_flow(
        demo_api,
        flow_document(
            HOOK,
            {
                "id": "fields",
                "type": "core.map",
                "params": {"fields": {"total": ""}},
                "position": {"x": 280, "y": 0},
            },
        ),
    )
    open_editor(page, flow_id)
    node(page, "fields").click()
    entry = page.locator("[data-entry=total]")
    entry.get_by_role("button", name="From data").click()
    field = page.locator("#entry-fields-total")
    field.fill("trigger.total_price")
    field.evaluate("el => el.setSelectionRange(0, el.value.length)")
    entry.get_by_role("button", name="Functions").click()
    functions = entry.get_by_test_id("function-list")
    functions.get_by_role("searchbox").fill("cents")
    assert functions.locator("[data-function]").count() == 1
    page.screenshot(path=screenshots / "editor-functions.png")
    functions.locator("[data-function=round_money]").click()
    assert field.input_value() == "round_money(trigger.total_price)"
    entry.get_by_test_id("preview").get_by_text('"403.00"').wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert graph["nodes"][1]["mapping"] == {"fields.total": "round_money(trigger.total_price)"}


def test_saving_a_mapping_that_finds_nothing_warns_but_saves(page, demo_api):
    flow_id = create_flow(
        demo_api,
        flow_document(
            HOOK,
            {
                "id": "fields",
                "type": "core.map",
                "params": {"fields": {"email": ""}},
                "position": {"x": 280, "y": 0},
            },
        ),
    )
    open_editor(page, flow_id)
    node(page, "fields").click()
    email = page.locator("[data-entry=email]")
    email.get_by_role("button", name="From data").click()
    page.locator("#entry-fields-email").fill("trigger.emial")
    email.get_by_role("button", name="From data").click()  # already on: keeps the expression
    assert page.locator("#entry-fields-email").input_value() == "trigger.emial"
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    warning = page.get_by_test_id("problems")
    warning.get_by_text("finds nothing in the sample data").wait_for()
    assert "Saved. Check these fields" in warning.inner_text()
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert graph["nodes"][1]["mapping"] == {"fields.email": "trigger.emial"}
