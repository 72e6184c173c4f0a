"""Tenant isolation, generated from the OpenAPI document: every documented operation, called by
merchant A (with A's browser session and with A's token) on merchant B's ids, answers 404 and
shows none of B's data. A route the document does not list fails here too."""

from __future__ import annotations

import json
import re

import pytest

from app.api.openapi import openapi_document
from app.extensions import db
from app.flows.webhook_urls import URLS
from app.models import ApiToken
from nodes.kit import files
from nodes.kit.base import NodeContext
from tests.conftest import create_active_flow, flow_document
from tests.people import browser_headers, member, sign_in

METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def merchant_b(client, other_api):
    """Merchant B ("globex") with one of everything a path can name."""
    owner = member("globex", "bea@globex.de")
    flow_id, _ = create_active_flow(
        other_api, flow_document({"id": "hook", "type": "core.webhook"})
    )
    run = other_api.post(f"/api/flows/{flow_id}/run", json={"payload": {"secret": "b-data"}})
    credential = other_api.post(
        "/api/credentials",
        json={"connector": "core", "name": "B's key", "data": {"secret": "b" * 24}},
    ).get_json()
    invitation = other_api.post(
        "/api/invitations", json={"email": "ivy@globex.de", "role": "viewer"}
    ).get_json()
    template = other_api.post(
        "/api/templates",
        json={
            "flow_id": flow_id,
            "title": "B's template",
            "description": "b-data",
            "category": "shop",
            "visibility": "private",
        },
    ).get_json()
    api_token, _ = ApiToken.issue(_merchant(), "b", owner)
    db.session.add(api_token)
    db.session.commit()
    saved_by = NodeContext(run.get_json()["id"], "hook", None)
    file_id = files.save(saved_by, b"b-data invoice", "b-invoice.pdf", "application/pdf")["file"]
    return {
        "flow_id": flow_id,
        "execution_id": run.get_json()["id"],
        "file_id": file_id,
        "credential_id": credential["id"],
        "number": "1",
        "user_id": str(owner.id),
        "invitation_id": invitation["id"],
        "token_id": str(api_token.id),
        "template_id": template["id"],
        "token": "hook-token-of-b",  # webhook ingress is public: tested by its own tests
        # choices loaded with B's account
        "node_type": "stripe.create_payment_link",
        "source": f"prices?credential={credential['id']}",
    }


def _merchant():
    from app.cli import merchant_named

    return merchant_named("globex")


def _callers(app, client):
    """A's owner through the browser session, and through A's own API token."""
    member("acme", "al@acme.de")
    browser = app.test_client()
    sign_in(browser, "al@acme.de")
    headers = browser_headers(browser)
    token = browser.post("/api/tokens", json={"name": "script"}, headers=headers).get_json()
    return [
        ("session", browser, headers),
        ("token", app.test_client(), {"Authorization": f"Bearer {token['token']}"}),
    ]


def _operations():
    for path, item in openapi_document()["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method in METHODS & set(item):
            yield path, method


def test_merchant_b_is_invisible_to_merchant_a(app, client, merchant_b):
    # B's uuids, e-mail addresses and data (small integer ids would match anything)
    b_values = [v for k, v in merchant_b.items() if len(v) > 8 and k != "node_type"]
    b_values += ["bea@globex.de", "ivy@globex.de", "b-data", "globex", "B's key"]
    checked = 0
    for kind, caller, headers in _callers(app, client):
        for path, method in _operations():
            names = re.findall(r"{(\w+)}", path)
            missing = [n for n in names if n not in merchant_b]
            assert not missing, f"{path}: give merchant_b an object for {missing}"
            url = path.format(**merchant_b)
            body = {"name": "x", "role": "viewer", "expression": "a", "email": "e@x.de"}
            reply = caller.open(url, method=method.upper(), json=body, headers=headers)
            text = reply.get_data(as_text=True)
            label = f"{kind}: {method.upper()} {url}"
            if names:
                assert reply.status_code == 404, (label, reply.status_code, text)
            else:
                assert reply.status_code < 500, (label, text)
            # A 404 may repeat the id that was asked for; nothing else of B's may appear.
            leaked = [v for v in b_values if v in text and v not in url]
            assert not leaked, (label, leaked)
            checked += 1
    assert checked >= 2 * 25


def test_list_filters_with_b_ids_show_nothing(app, client, merchant_b):
    for _kind, caller, headers in _callers(app, client):
        reply = caller.get(f"/api/executions?flow_id={merchant_b['flow_id']}", headers=headers)
        assert reply.status_code in (200, 404)
        assert merchant_b["execution_id"] not in json.dumps(reply.get_json())


def test_every_route_and_method_is_in_the_document(app):
    """A route missing from the document would miss the isolation test: so it fails here."""
    documented = {
        (path, method.upper())
        for path, item in openapi_document()["paths"].items()
        for method in METHODS & set(item)
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in [*app.url_map.iter_rules(), *URLS.iter_rules()]
        if rule.rule.startswith(("/api/", "/hooks/"))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - documented == set(), "serve these from a blueprint of app.api.openapi"
    assert documented - served == set(), "the document lists routes the app does not serve"
