"""A failed save says why once: the problems of the last attempt do not stay beside the
message of this one."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, open_editor


def _server_error(route):
    if route.request.method != "PUT":
        route.continue_()
        return
    problem = {"title": "Internal error", "detail": "Something went wrong on our side."}
    route.fulfill(status=500, content_type="application/problem+json", body=json.dumps(problem))


def test_a_failed_save_shows_its_error_once(page, demo_api):
    open_editor(page, create_flow(demo_api, flow_document(HOOK)))
    problems = page.get_by_test_id("problems")
    page.locator(".flow-name").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(problems).to_contain_text("The name must be a non-empty text.")

    page.route("**/api/flows/*", _server_error)
    page.locator(".flow-name").fill("Paid orders")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(problems).to_have_text("Saving failed: Something went wrong on our side.")
    expect(page.get_by_text("Something went wrong on our side.")).to_have_count(1)
