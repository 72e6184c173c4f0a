"""The canvas editor in real headless Chromium: open a flow, build on it, save, see errors."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document

HOOK = {"id": "order", "type": "core.webhook", "position": {"x": 0, "y": 0}}


def create_flow(api, graph: dict, name: str = "Paid orders") -> str:
    created = api.post("/api/flows", json={"name": name, "graph": graph})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def open_editor(page, flow_id: str) -> None:
    page.goto(f"/flows/{flow_id}/edit")
    page.wait_for_selector(".flow-node")
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()


def node(page, node_id: str):
    return page.locator(f".react-flow__node[data-id='{node_id}']")


def settled(page) -> None:
    """Wait until the canvas stops moving (it pans to show a step just added)."""
    viewport = page.locator(".react-flow__viewport")
    before = None
    while (now := viewport.get_attribute("style")) != before:
        before = now
        page.wait_for_timeout(120)


def connect(page, source: str, target: str) -> None:
    """Drag from the source node's output dot to the target node's input dot."""
    settled(page)
    start = node(page, source).locator(".react-flow__handle.source").bounding_box()
    end = node(page, target).locator(".react-flow__handle.target").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_home_creates_a_flow_and_opens_it_in_the_editor(page, browser, served, screenshots):
    signed_out = browser.new_page(viewport={"width": 1280, "height": 800})
    signed_out.goto(f"{served}/login")
    signed_out.screenshot(path=screenshots / "login.png")
    signed_out.close()

    page.get_by_text("No flows yet").wait_for()
    page.screenshot(path=screenshots / "home-empty.png")

    page.get_by_test_id("new-flow").click()
    page.wait_for_url("**/flows/*/edit")
    page.wait_for_selector(".flow-node")
    assert node(page, "trigger").get_by_text("Webhook").is_visible()
    headings = page.locator(".palette-group h3").all_inner_texts()
    assert [h.lower() for h in headings] == ["triggers", "transforms", "actions"]
    page.screenshot(path=screenshots / "editor-new-flow.png")

    page.get_by_role("link", name="← Flows").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="Open editor").wait_for()
    page.screenshot(path=screenshots / "home-with-flow.png")


def test_add_a_map_node_connect_it_save_and_reload(page, demo_api, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)

    page.get_by_placeholder("Search steps").fill("map")
    expect(page.locator(".palette-item")).to_have_count(1)
    page.locator(".palette-item[data-node-type='core.map']").click()
    node(page, "map").wait_for()
    expect(page.locator(".react-flow__edge")).to_have_count(0)  # nothing was selected to add after
    connect(page, "order", "map")
    page.locator(".react-flow__edge").wait_for(state="attached")
    assert page.get_by_test_id("save-state").inner_text() == "Unsaved changes"

    node(page, "map").click()
    panel = page.locator(".panel")
    panel.get_by_label("Field name").fill("email")
    panel.get_by_role("button", name="Add field").click()
    panel.locator("[data-entry=email]").get_by_role("button", name="From data").click()
    panel.locator("#entry-fields-email").fill("trigger.email")
    page.screenshot(path=screenshots / "editor-map-panel.png")

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()

    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert [n["id"] for n in graph["nodes"]] == ["order", "map"]
    assert graph["nodes"][1]["params"] == {"fields": {}}
    assert graph["nodes"][1]["mapping"] == {"fields.email": "trigger.email"}
    assert graph["edges"] == [{"source": "order", "target": "map", "port": "main"}]

    page.reload()
    page.wait_for_selector(".react-flow__node[data-id='map']")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    node(page, "map").click()
    assert page.locator("#entry-fields-email").input_value() == "trigger.email"


def test_click_to_add_connects_after_the_selected_node(page, demo_api):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)
    node(page, "order").click()
    page.locator(".palette-item[data-node-type='core.filter']").click()
    page.locator(".palette-item[data-node-type='core.http_request']").click()
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    # The new request node is selected: Delete removes it and its connection.
    page.locator(".react-flow__pane").focus()
    page.keyboard.press("Delete")
    node(page, "http_request").wait_for(state="detached")
    expect(page.locator(".react-flow__edge")).to_have_count(1)


def test_drag_a_node_from_the_palette_onto_the_canvas_and_be_warned_on_leaving(page, demo_api):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)
    page.locator(".palette-item[data-node-type='core.filter']").drag_to(
        page.locator(".react-flow__pane"), target_position={"x": 600, "y": 400}
    )
    node(page, "filter").wait_for()
    assert page.get_by_test_id("save-state").inner_text() == "Unsaved changes"

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_a_broken_expression_shows_its_error_at_the_node_after_saving(page, demo_api, screenshots):
    big_id = 820982911946154508
    flow_id = create_flow(
        demo_api,
        flow_document(
            HOOK,
            {
                "id": "paid",
                "type": "core.filter",
                "mapping": {"condition": f"input.id == `{big_id}`"},
                "position": {"x": 280, "y": 0},
            },
        ),
    )
    open_editor(page, flow_id)
    node(page, "paid").click()
    condition = page.locator("#param-condition")
    assert condition.input_value() == f"input.id == `{big_id}`"
    condition.fill("input.total >")
    page.get_by_role("button", name="Save", exact=True).click()

    problems = page.get_by_test_id("problems")
    problems.get_by_text("Not a valid expression").wait_for()
    assert "has-error" in node(page, "paid").locator(".flow-node").get_attribute("class")
    assert "position 13" in node(page, "paid").inner_text()
    assert page.locator("[data-field=condition] .field-error").is_visible()
    assert page.get_by_test_id("save-state").inner_text() == "Unsaved changes"
    page.screenshot(path=screenshots / "editor-expression-error.png")

    condition.fill(f"input.id == `{big_id}`")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    expect(page.get_by_test_id("problems")).to_have_count(0)
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    assert graph["nodes"][1]["mapping"] == {"condition": f"input.id == `{big_id}`"}


def test_german_browsers_get_a_german_editor(browser, served, demo_api, page):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    context = browser.new_context(base_url=served, locale="de-DE")
    context.add_cookies(page.context.cookies())
    german = context.new_page()
    german.goto(f"/flows/{flow_id}/edit")
    german.get_by_text("Alles gespeichert").wait_for()
    german.locator(".palette-group h3", has_text="Auslöser").wait_for()
    assert german.get_by_role("button", name="Speichern").is_visible()
    assert german.get_by_placeholder("Schritte suchen").is_visible()
    assert german.get_by_role("button", name="Versionen").is_visible()
    assert "Aus" in german.get_by_role("switch").inner_text()
    german.get_by_role("button", name="Testen").click()
    german.get_by_role("button", name="Test starten").wait_for()
    german.get_by_role("button", name="Abbrechen").click()
    context.close()


def test_before_any_run_the_step_after_a_map_sees_the_fields_that_map_builds(page, demo_api):
    shaped = {
        "id": "shape",
        "type": "core.map",
        "position": {"x": 250, "y": 0},
        "params": {"fields": {"channel": "web"}},
        "mapping": {"fields.order_total": "trigger.total_price"},
    }
    send = {
        "id": "send",
        "type": "core.http_request",
        "position": {"x": 500, "y": 0},
        "params": {"url": "https://erp.example.com/orders"},
    }
    open_editor(page, create_flow(demo_api, flow_document(HOOK, shaped, send)))

    node(page, "send").click()
    body = page.locator(".panel [data-field=body]")
    body.get_by_role("button", name="From data").click()
    expect(body.locator("[data-path='input.channel']")).to_have_count(1)
    expect(body.locator("[data-path='input.email']")).to_have_count(0)  # not the generic example
    body.locator("[data-path='input.order_total']").click()
    body.get_by_test_id("preview").get_by_text("403.00").wait_for()
