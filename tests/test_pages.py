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


def test_new_flow_starts_with_a_webhook_and_opens_the_editor(app, client):
    ensure_demo_merchant()
    sign_in(client)
    home = client.get("/").get_data(as_text=True)
    assert "New flow" in home
    refused = client.post("/flows/new")
    assert refused.status_code == 400

    created = client.post("/flows/new", data={"csrf": csrf(client.get("/"))})
    assert created.status_code == 302
    editor_url = created.headers["Location"]
    flow_id = re.fullmatch(r"/flows/([^/]+)/edit", editor_url).group(1)
    home = client.get("/").get_data(as_text=True)
    assert f'href="/flows/{flow_id}/edit"' in home

    flow = client.get(f"/api/flows/{flow_id}").get_json()
    assert [(n["id"], n["type"]) for n in flow["graph"]["nodes"]] == [("trigger", "core.webhook")]
    assert flow["graph"]["edges"] == []


def test_the_editor_page_mounts_the_canvas_with_flow_token_and_language(app, client):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    flow_id, _ = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    assert client.get(f"/flows/{flow_id}/edit").headers["Location"].endswith("/login")
    sign_in(client)

    page = client.get(f"/flows/{flow_id}/edit", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', text).group(1)
    assert token == csrf(client.get("/"))
    assert f'data-flow-id="{flow_id}"' in text and 'data-lang="de"' in text


def test_the_editor_page_explains_how_to_build_a_missing_editor(app, client, tmp_path):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    flow_id, _ = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    sign_in(client)
    app.static_folder = str(tmp_path)  # a checkout where nobody ran the frontend build
    text = client.get(f"/flows/{flow_id}/edit").get_data(as_text=True)
    assert "The editor has not been built yet" in text
    assert "npm --prefix frontend ci && npm --prefix frontend run build" in text
    assert "make run" in text and "editor.js" not in text


def test_another_merchants_flow_is_not_found_in_the_editor(app, client, other_api):
    flow_id, _ = create_active_flow(
        other_api, flow_document({"id": "hook", "type": "core.webhook"})
    )
    ensure_demo_merchant()
    sign_in(client)
    assert client.get(f"/flows/{flow_id}/edit").status_code == 404
    assert client.get("/flows/no-such-flow/edit").status_code == 404
