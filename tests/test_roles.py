"""Roles, enforced in one place for every route: viewers read, editors build, owners also
manage members and settings. Unknown callers are turned away from everything not public."""

from __future__ import annotations

import re

import pytest

from app.identity.access import required_role
from tests.conftest import flow_document
from tests.people import browser_headers, member, post_form, sign_in

GRAPH = flow_document({"id": "hook", "type": "core.webhook"})


@pytest.fixture
def signed_in(app):
    def as_role(role: str):
        member("Acme", f"{role}@shop.de", role)
        client = app.test_client()
        sign_in(client, f"{role}@shop.de")
        return client

    return as_role


def test_a_viewer_reads_but_changes_nothing(signed_in):
    viewer = signed_in("viewer")
    assert viewer.get("/api/flows").status_code == 200
    refused = viewer.post(
        "/api/flows", json={"name": "x", "graph": GRAPH}, headers=browser_headers(viewer)
    )
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    problem = refused.get_json()
    assert problem["required_role"] == "editor" and problem["role"] == "viewer"
    assert "needs the role “editor”" in problem["detail"]
    page = post_form(viewer, "/flows/new")
    assert page.status_code == 403
    assert "This needs the role “editor”; you are “viewer”" in page.get_data(as_text=True)
    # Previewing a mapping is reading, even though it is a POST.
    preview = viewer.post(
        "/api/mappings/preview", json={"expression": "a"}, headers=browser_headers(viewer)
    )
    assert preview.status_code == 200


def test_an_editor_builds_flows_but_does_not_manage_people(signed_in):
    editor = signed_in("editor")
    headers = browser_headers(editor)
    assert (
        editor.post("/api/flows", json={"name": "x", "graph": GRAPH}, headers=headers).status_code
        == 201
    )
    invite = editor.post(
        "/api/invitations", json={"email": "x@shop.de", "role": "viewer"}, headers=headers
    )
    assert invite.status_code == 403 and invite.get_json()["required_role"] == "owner"
    assert editor.get("/settings/audit").status_code == 403
    assert editor.put("/api/settings", json={"name": "Mine"}, headers=headers).status_code == 403


def test_an_owner_manages_people_and_settings(signed_in):
    owner = signed_in("owner")
    headers = browser_headers(owner)
    invite = owner.post(
        "/api/invitations", json={"email": "x@shop.de", "role": "viewer"}, headers=headers
    )
    assert invite.status_code == 201
    renamed = owner.put("/api/settings", json={"name": "Acme GmbH"}, headers=headers)
    assert renamed.get_json()["name"] == "Acme GmbH"
    assert owner.get("/settings/audit").status_code == 200


def test_a_users_token_acts_with_the_users_role(app, client):
    member("Acme", "viewer@shop.de", "viewer")
    sign_in(client, "viewer@shop.de")
    token = client.post(
        "/api/tokens", json={"name": "script"}, headers=browser_headers(client)
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    fresh = app.test_client()
    assert fresh.get("/api/flows", headers=bearer).status_code == 200
    assert (
        fresh.post("/api/flows", json={"name": "x", "graph": GRAPH}, headers=bearer).status_code
        == 403
    )


def test_the_last_owner_cannot_step_down(signed_in, app):
    owner = signed_in("owner")
    user_id = re.search(
        r"/settings/members/(\d+)/role", owner.get("/settings/members").get_data(as_text=True)
    ).group(1)
    reply = owner.put(
        f"/api/members/{user_id}", json={"role": "editor"}, headers=browser_headers(owner)
    )
    assert reply.status_code == 422
    assert "at least one owner" in reply.get_json()["errors"][0]["message"]


def test_every_route_but_the_public_ones_turns_strangers_away(app, client):
    """Generated from the URL map, so a new route is checked the day it is added."""
    public = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            with app.test_request_context(path, method=method):
                if required_role(rule.endpoint) is None:
                    public.append(rule.endpoint)
                    continue
            reply = client.open(path, method=method)
            if path.startswith("/api/"):
                assert reply.status_code == 401, (method, path)
            else:
                assert reply.status_code == 302 and reply.headers["Location"] == "/login", (
                    method,
                    path,
                )
    assert set(public) == {
        "accounts.login",
        "accounts.signup",
        "accounts.confirm_signup",
        "accounts.forgot_password",
        "accounts.reset_password",
        "accounts.accept_invitation",
        "language.choose",
        "catalog.flow_schema",
        "catalog.openapi",
        # the operator's probes and metrics (/metrics checks its own token)
        "operations_health.healthz",
        "operations_health.readyz",
        "operations_metrics.metrics",
    }
