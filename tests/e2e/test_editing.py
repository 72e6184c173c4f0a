"""Editing on the canvas: undo/redo, copy/paste, auto-layout, the keyboard, touch, 200 steps."""

from __future__ import annotations

from playwright.sync_api import expect

from app.cli import DEMO_EMAIL
from tests.conftest import DEMO_PASSWORD, flow_document
from tests.e2e.large_flow import large_flow
from tests.e2e.test_editor import HOOK, connect, create_flow, node, open_editor

MOD = "Control"


def save(page) -> None:
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()


def stored(api, flow_id: str) -> dict:
    return api.get(f"/api/flows/{flow_id}").get_json()["graph"]


def test_undo_and_redo_adding_connecting_editing_and_deleting(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)
    undo, redo = page.get_by_test_id("undo"), page.get_by_test_id("redo")
    assert undo.is_disabled() and redo.is_disabled()

    page.locator(".palette-item[data-node-type='core.map']").click()
    node(page, "map").wait_for()
    connect(page, "order", "map")
    page.locator(".react-flow__edge").wait_for(state="attached")
    node(page, "map").click()
    page.locator(".panel").get_by_label("Name", exact=True).fill("Order fields")
    assert "Order fields" in node(page, "map").inner_text()
    page.screenshot(path=screenshots / "editor-undo.png")

    undo.click()  # the name, typed in one go, is one step
    assert "Order fields" not in node(page, "map").inner_text()
    page.locator(".react-flow__pane").click(position={"x": 50, "y": 50})
    page.keyboard.press(f"{MOD}+z")  # the connection
    page.locator(".react-flow__edge").wait_for(state="detached")
    page.keyboard.press(f"{MOD}+z")  # the node
    node(page, "map").wait_for(state="detached")
    assert undo.is_disabled()

    page.keyboard.press(f"{MOD}+Shift+z")
    node(page, "map").wait_for()
    page.keyboard.press(f"{MOD}+y")
    page.locator(".react-flow__edge").wait_for(state="attached")
    redo.click()
    node(page, "map").get_by_text("Order fields").wait_for()
    assert redo.is_disabled()

    # Delete on the canvas is undone with its connection.
    node(page, "map").click()
    page.keyboard.press("Delete")
    node(page, "map").wait_for(state="detached")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    undo.click()
    node(page, "map").wait_for()
    expect(page.locator(".react-flow__edge")).to_have_count(1)

    save(page)
    graph = stored(demo_api, flow_id)
    assert [(n["id"], n.get("name")) for n in graph["nodes"]] == [
        ("order", None),
        ("map", "Order fields"),
    ]
    assert graph["edges"] == [{"source": "order", "target": "map", "port": "main"}]


def test_copy_and_paste_selected_steps_with_their_settings(page, demo_api):
    graph = flow_document(
        HOOK,
        {
            "id": "fields",
            "type": "core.map",
            "params": {"fields": {"shop": "Demo"}},
            "mapping": {"fields.id": "trigger.id"},
            "position": {"x": 280, "y": 0},
        },
        {
            "id": "paid",
            "type": "core.filter",
            "mapping": {"condition": "input.id != `0`"},
            "position": {"x": 560, "y": 0},
        },
    )
    flow_id = create_flow(demo_api, graph)
    open_editor(page, flow_id)
    node(page, "fields").click()
    node(page, "paid").click(modifiers=[MOD])
    page.keyboard.press(f"{MOD}+c")
    page.keyboard.press(f"{MOD}+v")
    node(page, "map").wait_for()
    node(page, "filter").wait_for()
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    save(page)

    saved = stored(demo_api, flow_id)
    by_id = {n["id"]: n for n in saved["nodes"]}
    assert by_id["map"]["params"] == {"fields": {"shop": "Demo"}}
    assert by_id["map"]["mapping"] == {"fields.id": "trigger.id"}
    assert by_id["filter"]["mapping"] == {"condition": "input.id != `0`"}
    assert by_id["map"]["position"] == {"x": 320, "y": 40}
    assert [e for e in saved["edges"] if e["source"] == "map"][0]["target"] == "filter"
    assert len(saved["edges"]) == 3


def test_auto_layout_arranges_steps_left_to_right(page, demo_api):
    graph = flow_document(
        {**HOOK, "position": {"x": 700, "y": 300}},
        {
            "id": "fields",
            "type": "core.map",
            "params": {"fields": {}},
            "position": {"x": 0, "y": 0},
        },
        {
            "id": "paid",
            "type": "core.filter",
            "mapping": {"condition": "input"},
            "position": {"x": 300, "y": 500},
        },
    )
    flow_id = create_flow(demo_api, graph)
    open_editor(page, flow_id)
    page.get_by_role("button", name="Auto-layout").click()
    save(page)
    positions = {n["id"]: n["position"] for n in stored(demo_api, flow_id)["nodes"]}
    assert positions == {
        "order": {"x": 0, "y": 0},
        "fields": {"x": 280, "y": 0},
        "paid": {"x": 560, "y": 0},
    }
    page.get_by_test_id("undo").click()
    save(page)
    assert stored(demo_api, flow_id)["nodes"][0]["position"] == {"x": 700, "y": 300}


def test_the_editor_works_from_the_keyboard(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)
    page.get_by_placeholder("Search steps").fill("map")
    page.keyboard.press("Tab")  # from the search box to the one palette entry left
    assert page.evaluate("document.activeElement.dataset.nodeType") == "core.map"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.screenshot(path=screenshots / "editor-keyboard-focus.png")
    page.keyboard.press("Enter")
    node(page, "map").wait_for()

    # The toolbar is reachable by Tab too.
    page.get_by_role("button", name="Undo").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") in ("Redo", "Auto-layout")

    # Arrow keys move the selected step; one undo step puts it back.
    node(page, "order").click()
    before = node(page, "order").bounding_box()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    after = node(page, "order").bounding_box()
    assert after["x"] > before["x"] + 5 and after["y"] > before["y"]
    save(page)
    moved = stored(demo_api, flow_id)["nodes"][0]["position"]
    assert moved == {"x": 40, "y": 10}  # 10 px a key press
    page.get_by_test_id("undo").click()
    save(page)
    assert stored(demo_api, flow_id)["nodes"][0]["position"] == {"x": 0, "y": 0}


def test_a_tablet_adds_a_step_and_opens_its_panel_by_tapping(
    browser, served, demo_api, page, screenshots
):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    context = browser.new_context(
        base_url=served, has_touch=True, viewport={"width": 1024, "height": 768}, locale="en-US"
    )
    context.set_default_timeout(10_000)
    tablet = context.new_page()
    tablet.goto("/login")
    tablet.fill("input[name=email]", DEMO_EMAIL)
    tablet.fill("input[name=password]", DEMO_PASSWORD)
    tablet.locator("button[type=submit]").tap()
    tablet.wait_for_url(f"{served}/")
    open_editor(tablet, flow_id)
    node(tablet, "order").tap()
    tablet.locator(".panel[data-panel-node='order']").wait_for()
    tablet.locator(".palette-item[data-node-type='core.filter']").tap()
    node(tablet, "filter").wait_for()
    expect(tablet.locator(".react-flow__edge")).to_have_count(1)  # added after the tapped step
    tablet.get_by_role("button", name="Fit view", exact=True).tap()
    tablet.wait_for_timeout(400)  # the fit is animated
    node(tablet, "order").tap()
    tablet.locator(".panel[data-panel-node='order']").wait_for()
    node(tablet, "filter").tap()
    tablet.locator(".panel[data-panel-node='filter']").wait_for()
    tablet.screenshot(path=screenshots / "editor-tablet.png")
    context.close()


def test_a_200_step_flow_renders_and_a_step_can_be_selected(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, large_flow(200), name="200 steps")
    page.goto(f"/flows/{flow_id}/edit")
    # expect() rather than wait_for_function: the page's CSP forbids the eval() it polls with
    expect(page.locator(".react-flow__node")).to_have_count(200, timeout=30_000)
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    page.screenshot(path=screenshots / "editor-200-steps.png")
    node(page, "s100").click()
    page.locator(".panel[data-panel-node='s100']").wait_for()
    assert "selected" in node(page, "s100").locator(".flow-node").get_attribute("class")


def test_undo_a_mapping_edit_from_the_toolbar(page, demo_api):
    condition = {"id": "paid", "type": "core.filter", "position": {"x": 280, "y": 0}}
    condition["mapping"] = {"condition": "input.total > `0`"}
    flow_id = create_flow(demo_api, flow_document(HOOK, condition))
    open_editor(page, flow_id)
    node(page, "paid").click()
    field = page.locator("#param-condition")
    field.fill("input.total > `100`")
    page.get_by_test_id("undo").click()
    assert field.input_value() == "input.total > `0`"
    page.get_by_test_id("redo").click()
    assert field.input_value() == "input.total > `100`"
    save(page)
    mapping = stored(demo_api, flow_id)["nodes"][1]["mapping"]
    assert mapping == {"condition": "input.total > `100`"}


def test_searching_filter_finds_the_filter_first(page, demo_api):
    open_editor(page, create_flow(demo_api, flow_document(HOOK)))
    page.get_by_placeholder("Search steps").fill("filter")
    assert page.locator(".palette-item").first.get_attribute("data-node-type") == "core.filter"
    page.keyboard.press("Tab")  # the first entry is the one the keyboard reaches first
    page.keyboard.press("Enter")
    node(page, "filter").wait_for()


def test_a_trigger_from_the_palette_replaces_the_trigger_after_a_question(page, demo_api):
    mapped = {"id": "fields", "type": "core.map", "params": {"fields": {"a": "1"}}}
    flow_id = create_flow(demo_api, flow_document(HOOK, {**mapped, "position": {"x": 280, "y": 0}}))
    open_editor(page, flow_id)
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.locator(".palette-item[data-node-type='core.manual']").click()
    expect(page.locator(".react-flow__node")).to_have_count(2)
    assert "keeps its webhook address" in questions[0]
    assert stored_type(page, "order") == "core.webhook"

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.locator(".palette-item[data-node-type='core.manual']").click()
    expect(page.locator(".react-flow__node")).to_have_count(2)
    expect(page.locator(".react-flow__edge")).to_have_count(1)  # still connected to the map
    save(page)
    nodes = stored(demo_api, flow_id)["nodes"]
    assert [(n["id"], n["type"]) for n in nodes] == [
        ("order", "core.manual"),
        ("fields", "core.map"),
    ]


def stored_type(page, node_id: str) -> str:
    return node(page, node_id).locator(".flow-node").get_attribute("data-node-type")
