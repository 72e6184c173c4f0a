"""Logic without expressions: the merchant builds W1's filter ("the total is greater than 0")
with the condition builder, choosing the field from the data and typing only the number."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

W1_MAP = {
    "id": "map",
    "type": "core.map",
    "position": {"x": 280, "y": 0},
    "params": {"fields": {}},
    "mapping": {
        "fields.id": "trigger.id",
        "fields.email": "trigger.email",
        "fields.total": "to_number(trigger.total_price)",
    },
}


def test_build_w1_filter_with_the_condition_builder(page, demo_api, worker_process, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK, W1_MAP))
    open_editor(page, flow_id)
    node(page, "map").click()
    page.locator(".palette-item[data-node-type='core.filter']").click()
    node(page, "filter").wait_for()
    expect(page.locator(".react-flow__edge")).to_have_count(2)  # connected after the map

    condition = page.locator(".panel [data-field=condition]")
    builder = condition.get_by_test_id("condition-builder")
    builder.get_by_label("Field of condition 1").select_option("input.total")
    builder.get_by_label("Comparison of condition 1").select_option(label="is greater than")
    builder.get_by_label("Value of condition 1").fill("0")
    expect(condition.locator("input.expression")).to_have_value("to_number(input.total) > `0`")
    condition.get_by_test_id("preview").get_by_text("true", exact=True).wait_for()
    page.screenshot(path=screenshots / "condition-builder.png")

    # A second condition, combined with "any": the expression follows, and stays editable.
    builder.get_by_role("button", name="Add condition").click()
    builder.get_by_label("Field of condition 2").select_option("input.email")
    builder.get_by_label("Comparison of condition 2").select_option(label="is empty")
    builder.get_by_label("Let the data through when").select_option(label="any condition is true")
    expect(condition.locator("input.expression")).to_have_value(
        "(to_number(input.total) > `0`) || (!(input.email))"
    )
    builder.get_by_role("button", name="Remove condition 2").click()
    expect(condition.locator("input.expression")).to_have_value("to_number(input.total) > `0`")

    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    graph = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]
    [saved] = [n for n in graph["nodes"] if n["type"] == "core.filter"]
    assert saved["mapping"] == {"condition": "to_number(input.total) > `0`"}

    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_test_id("test-dialog").get_by_role("button", name="Run test").click()
    page.get_by_test_id("run-state").get_by_text("Test run: succeeded").wait_for(timeout=20_000)
    assert "step-succeeded" in node(page, "filter").locator(".flow-node").get_attribute("class")


def test_a_bare_number_typed_by_hand_says_to_use_backticks(page, demo_api):
    filter_step = {
        "id": "paid",
        "type": "core.filter",
        "position": {"x": 560, "y": 0},
        "mapping": {"condition": "input.total > `0`"},
    }
    open_editor(page, create_flow(demo_api, flow_document(HOOK, W1_MAP, filter_step)))
    node(page, "paid").click()
    condition = page.locator(".panel [data-field=condition]")
    condition.locator("input.expression").fill("input.total > 0")
    condition.get_by_test_id("preview").get_by_text(
        "a number is written in backticks, e.g. `0`"
    ).wait_for()
    # A hand-written condition is kept; the builder offers to start over instead of erasing it.
    expect(condition.get_by_test_id("condition-builder")).to_contain_text("written by hand")


def test_a_routers_branch_is_built_with_the_condition_builder(page, demo_api):
    open_editor(page, create_flow(demo_api, flow_document(HOOK, W1_MAP)))
    node(page, "map").click()
    page.locator(".palette-item[data-node-type='core.router']").click()
    node(page, "router").wait_for()
    branches = page.locator(".panel [data-field=branches]")
    branches.get_by_role("button", name="Add branch").click()
    branches.get_by_label("Name of branch 1").fill("abroad")
    builder = branches.get_by_test_id("condition-builder")
    builder.get_by_label("Field of condition 1").select_option("input.email")
    builder.get_by_label("Comparison of condition 1").select_option(label="contains")
    builder.get_by_label("Value of condition 1").fill("@example.at")
    expect(branches.locator("input.expression")).to_have_value(
        "contains(input.email || '', '@example.at')"
    )
    branches.get_by_test_id("preview").get_by_text("false", exact=True).wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    # The branch is a port of the step, ready to be connected.
    node(page, "router").get_by_text("abroad").wait_for()
