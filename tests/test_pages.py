"""The sign-in page and the overview a merchant sees after `make run`."""

import re

from app.cli import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_merchant
from tests.conftest import create_active_flow, flow_document


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, password=DEMO_PASSWORD):
    page = client.get("/login")
    return client.post(
        "/login", data={"email": DEMO_EMAIL, "password": password, "csrf": csrf(page)}
    )


def test_overview_needs_sign_in_and_shows_flows(app, client):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}), "Paid orders")
    assert client.get("/").headers["Location"].endswith("/login")

    assert "E-mail or password is wrong" in sign_in(client, "nope").get_data(as_text=True)
    assert sign_in(client).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Paid orders" in home and "/hooks/" in home
    assert "Nothing has run yet" in home


def test_german_browsers_get_german(app, client):
    page = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert "Anmelden" in page.get_data(as_text=True)


def test_forms_without_csrf_token_are_refused(app, client):
    ensure_demo_merchant()
    client.get("/login")
    reply = client.post("/login", data={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert reply.status_code == 400


def test_the_signed_in_browser_may_use_the_api_with_its_csrf_token(app, client):
    ensure_demo_merchant()
    sign_in(client)
    assert client.get("/api/flows").status_code == 200
    graph = flow_document({"id": "hook", "type": "core.webhook"})
    refused = client.post("/api/flows", json={"name": "x", "graph": graph})
    assert refused.status_code == 403
    token = csrf(client.get("/"))
    created = client.post(
        "/api/flows", json={"name": "x", "graph": graph}, headers={"X-CSRF-Token": token}
    )
    assert created.status_code == 201
