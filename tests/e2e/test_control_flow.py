"""The editor draws a node's output ports from its configuration: a router's branches, and the
error output of a step that sends its errors on; a step's error handling and retries."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editing import save, stored
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

BRANCHES = [
    {"name": "express", "condition": "trigger.total > `100`"},
    {"name": "ausland", "condition": "trigger.country != 'DE'"},
]


def ports(page, node_id: str):
    return node(page, node_id).locator(".react-flow__handle.source")


def test_router_ports_follow_its_branches_and_connect_by_name(page, demo_api, screenshots):
    router = {
        "id": "route",
        "type": "core.router",
        "params": {"branches": BRANCHES},
        "position": {"x": 300, "y": 0},
    }
    target = {
        "id": "pickup_note",
        "type": "core.map",
        "params": {"fields": {}},
        "position": {"x": 650, "y": 200},
    }
    flow_id = create_flow(demo_api, flow_document(HOOK, router, target, edges=[("order", "route")]))
    open_editor(page, flow_id)
    expect(ports(page, "route")).to_have_count(3)
    handles = ports(page, "route")
    assert [handles.nth(i).get_attribute("data-handleid") for i in range(3)] == [
        "express",
        "ausland",
        "default",
    ]

    node(page, "route").click()
    branches = page.locator(".panel [data-field=branches]")
    branches.get_by_role("button", name="Add branch").click()
    branches.get_by_label("Name of branch 3").fill("abholung")
    branches.locator("#param-branches-2-condition").fill("trigger.pickup")
    expect(ports(page, "route")).to_have_count(4)
    pickup = node(page, "route").locator(".react-flow__handle.source[data-handleid='abholung']")
    start = pickup.bounding_box()
    end = node(page, "pickup_note").locator(".react-flow__handle.target").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    node(page, "pickup_note").click()
    page.locator("#node-on-error").select_option("branch")
    expect(ports(page, "pickup_note")).to_have_count(2)
    page.get_by_label("Attempts on temporary errors").fill("5")
    page.get_by_label("First wait between attempts (seconds, doubling)").fill("2.5")
    page.screenshot(path=screenshots / "editor-router-ports.png")
    save(page)

    graph = stored(demo_api, flow_id)
    assert {"source": "route", "target": "pickup_note", "port": "abholung"} in graph["edges"]
    note = next(n for n in graph["nodes"] if n["id"] == "pickup_note")
    assert note["on_error"] == "branch"
    assert note["retry"] == {"attempts": 5, "backoff_seconds": 2.5}
