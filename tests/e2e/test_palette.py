"""The palette: each step added after the selected one is connected to it and shown, the
canvas panning to it when it lands outside the visible part."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor, settled


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_steps_added_from_the_palette_are_connected_and_in_view(page, demo_api):
    open_editor(page, create_flow(demo_api, flow_document(HOOK)))
    node(page, "order").click()
    for count, (kind, step) in enumerate(
        [("core.map", "map"), ("core.filter", "filter"), ("core.map", "map_2")], start=1
    ):
        page.locator(f".palette-item[data-node-type='{kind}']").click()
        node(page, step).wait_for()
        expect(page.locator(".react-flow__edge")).to_have_count(count)
        settled(page)
        canvas = page.locator(".react-flow").bounding_box()
        assert _inside(node(page, step).bounding_box(), canvas), step
