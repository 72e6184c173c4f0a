"""The parameter form (react-jsonschema-form). A parameter whose choices come from the connected
account ("x-options"): the editor asks GET /api/nodes/<type>/options/<source>, offers the answer,
and takes a typed value when the server cannot answer (the endpoint is answered by the browser
test itself). A composed parameter (oneOf) is typed as JSON, and no schema is compiled in the
browser: the Content-Security-Policy forbids it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FlowVersion
from nodes.kit import registry
from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

NODE_TYPE = "testkit.pick_location"
OPTIONS = f"**/api/nodes/{NODE_TYPE}/options/locations*"


@pytest.fixture
def options_node():
    registry.node(
        NODE_TYPE,
        kind="action",
        title={"en": "Pick location", "de": "Lager wählen"},
        description={"en": "Test", "de": "Test"},
        params={
            "type": "object",
            "properties": {
                "location": {
                    "type": "integer",
                    "title": "Location",
                    "x-options": {"source": "locations"},
                }
            },
        },
        output_schema={"type": "object"},
        output_example={},
    )(lambda ctx, params, input: {})
    yield
    registry._specs.pop((NODE_TYPE, 1))


@pytest.fixture
def composed_node():
    registry.node(
        "testkit.composed",
        kind="action",
        title={"en": "Composed", "de": "Zusammengesetzt"},
        description={"en": "Test", "de": "Test"},
        params={
            "type": "object",
            "properties": {
                "target": {
                    "title": "Target",
                    "oneOf": [{"type": "string"}, {"type": "integer"}],
                }
            },
        },
        output_schema={"type": "object"},
        output_example={},
    )(lambda ctx, params, input: {})
    yield
    registry._specs.pop(("testkit.composed", 1))


def stored_params(flow_id: str) -> dict:
    db.session.expire_all()
    graph = db.session.scalar(
        select(FlowVersion.graph)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.number.desc())
    )
    return next(n for n in graph["nodes"] if n["id"] == "pick")["params"]


def open_pick(page, demo_api):
    graph = flow_document(HOOK, {"id": "pick", "type": NODE_TYPE, "position": {"x": 300, "y": 0}})
    flow_id = create_flow(demo_api, graph)
    open_editor(page, flow_id)
    node(page, "pick").click()
    return flow_id, page.locator("[data-panel-node='pick'] [data-field=location]")


def save(page):
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()


def test_choices_from_the_account_are_offered(page, demo_api, options_node):
    items = [{"value": 17, "label": "Main warehouse"}, {"value": 18, "label": "Store"}]
    page.route(OPTIONS, lambda route: route.fulfill(json={"items": items}))
    flow_id, field = open_pick(page, demo_api)
    options = field.locator("datalist option")
    options.nth(1).wait_for(state="attached")
    assert [options.nth(i).get_attribute("label") for i in range(2)] == ["Main warehouse", "Store"]
    field.locator("#param-location").fill("18")
    field.get_by_test_id("options-chosen").get_by_text("Store").wait_for()
    save(page)
    assert stored_params(flow_id) == {"location": 18}


def test_a_failing_source_is_explained_and_a_value_can_be_typed(page, demo_api, options_node):
    problem = {"title": "Bad Gateway", "status": 502, "detail": "The shop did not answer."}
    page.route(
        OPTIONS,
        lambda route: route.fulfill(
            status=502, content_type="application/problem+json", body=json.dumps(problem)
        ),
    )
    flow_id, field = open_pick(page, demo_api)
    field.get_by_test_id("options-failed").get_by_text("The shop did not answer.").wait_for()
    field.locator("#param-location").fill("42")
    save(page)
    assert stored_params(flow_id) == {"location": 42}


def test_a_composed_parameter_is_one_json_field(page, demo_api, composed_node):
    composed = {"id": "x", "type": "testkit.composed", "params": {"target": 3}}
    graph = flow_document(HOOK, {**composed, "position": {"x": 300, "y": 0}})
    open_editor(page, create_flow(demo_api, graph))
    node(page, "x").click()
    field = page.locator("[data-panel-node='x'] [data-field=target]")
    assert field.locator("#param-target").input_value() == "3"
    assert field.locator("select, input").count() == 0
    # The page fixture fails the test on a Content-Security-Policy error.
