"""The sign-in page and the overview a merchant sees after `make run`."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from app.cli import DEMO_EMAIL, ensure_demo_login, ensure_demo_merchant
from tests.conftest import DEMO_PASSWORD, create_active_flow, flow_document, post_json


def csrf(page) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, password=DEMO_PASSWORD):
    ensure_demo_login(DEMO_PASSWORD)
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
    ensure_demo_login(DEMO_PASSWORD)
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


def test_home_renames_duplicates_switches_and_deletes_flows(app, client):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    graph = flow_document({"id": "hook", "type": "core.webhook"})
    flow_id = api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()["id"]
    sign_in(client)
    token = csrf(client.get("/"))
    assert client.post(f"/flows/{flow_id}/rename", data={"name": "x"}).status_code == 400

    home = client.post(
        f"/flows/{flow_id}/rename",
        data={"csrf": token, "name": " Big orders "},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "The flow is now called “Big orders”" in home
    assert api.get(f"/api/flows/{flow_id}").get_json()["name"] == "Big orders"

    client.post(f"/flows/{flow_id}/switch", data={"csrf": token, "on": "1"})
    assert api.get(f"/api/flows/{flow_id}").get_json()["active"] is True
    client.post(f"/flows/{flow_id}/duplicate", data={"csrf": token})
    copies = [f for f in api.get("/api/flows").get_json()["flows"] if f["id"] != flow_id]
    assert [(c["name"], c["active"]) for c in copies] == [("Big orders (copy)", False)]
    copied = api.get(f"/api/flows/{copies[0]['id']}").get_json()
    assert copied["graph"] == api.get(f"/api/flows/{flow_id}").get_json()["graph"]

    home = client.post(
        f"/flows/{flow_id}/delete", data={"csrf": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "“Big orders” was deleted." in home
    assert api.get(f"/api/flows/{flow_id}").status_code == 404
    assert client.post(f"/flows/{flow_id}/switch", data={"csrf": token}).status_code == 404


def test_executions_page_lists_filters_pages_and_shows_the_timeline(app, client, run_queue):
    from app.web import pages
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "fields", "type": "core.map", "params": {"fields": {"a": 1}}},
    )
    flow_id = api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()["id"]
    sign_in(client)
    assert "Nothing has run yet" in client.get("/executions").get_data(as_text=True)

    first = api.post(f"/api/flows/{flow_id}/run", json={"payload": {"id": 1}}).get_json()
    run_queue()
    home = client.get("/").get_data(as_text=True)
    assert f'href="/executions/{first["id"]}"' in home and "failed in the last 24 h" not in home
    listed = client.get("/executions").get_data(as_text=True)
    assert f'data-execution="{first["id"]}"' in listed and "succeeded" in listed
    assert "No execution matches" in client.get(
        f"/executions?flow_id={flow_id}&status=failed"
    ).get_data(as_text=True)

    assert "No execution matches" in client.get(
        "/executions?since=2000-01-01&until=2000-01-02"
    ).get_data(as_text=True)
    today = client.get("/executions?since=2000-01-01&until=2999-01-01").get_data(as_text=True)
    assert f'data-execution="{first["id"]}"' in today and 'value="2000-01-01"' in today
    assert "data-execution" in client.get("/executions?since=garbage").get_data(as_text=True)

    detail = client.get(f"/executions/{first['id']}").get_data(as_text=True)
    assert 'data-step="hook"' in detail and 'data-step="fields"' in detail
    assert "Map fields" in detail and f'href="/flows/{flow_id}/edit"' in detail
    assert 'class="bar succeeded"' in detail

    pages.PAGE_SIZE, size = 1, pages.PAGE_SIZE
    try:
        api.post(f"/api/flows/{flow_id}/run", json={"payload": {"id": 2}})
        newest = client.get(f"/executions?flow_id={flow_id}").get_data(as_text=True)
        older = re.search(r'href="(/executions\?[^"]*before=[^"]+)"', newest).group(1)
        second = client.get(older.replace("&amp;", "&")).get_data(as_text=True)
        assert f'data-execution="{first["id"]}"' in second
        assert f'data-execution="{first["id"]}"' not in newest
    finally:
        pages.PAGE_SIZE = size
    assert client.get("/executions/nope").status_code == 404


def test_a_run_the_filter_stopped_is_shown_as_stopped_by_filter(app, client, run_queue):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "paid", "type": "core.filter", "mapping": {"condition": "trigger.paid"}},
        {"id": "fields", "type": "core.map", "params": {"fields": {"a": 1}}},
    )
    flow_id = api.post("/api/flows", json={"name": "Paid orders", "graph": graph}).get_json()["id"]
    stopped = api.post(f"/api/flows/{flow_id}/run", json={"payload": {"paid": False}}).get_json()
    passed = api.post(f"/api/flows/{flow_id}/run", json={"payload": {"paid": True}}).get_json()
    run_queue()
    sign_in(client)
    listed = client.get("/executions").get_data(as_text=True)
    row = re.compile(
        r'data-execution="([^"]+)">\s*<td>(?:<input[^>]*>)?</td>\s*'
        r'<td><span class="status (\w+)">([^<]+)<'
    )
    shown = {found[0]: (found[1], found[2]) for found in row.findall(listed)}
    assert shown[stopped["id"]] == ("stopped", "stopped by filter")
    assert shown[passed["id"]] == ("succeeded", "succeeded")
    detail = client.get(f"/executions/{stopped['id']}").get_data(as_text=True)
    assert "stopped by filter" in detail


def test_a_step_waiting_to_retry_says_when_it_tries_again(app, client, receiver, run_queue):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    receiver.reply = lambda r: (429, {"Retry-After": "30"}, b"")
    graph = flow_document(
        {"id": "hook", "type": "core.webhook"},
        {"id": "send", "type": "core.http_request", "params": {"url": receiver.url("/x")}},
    )
    _flow_id, url = create_active_flow(api, graph, name="Stock")
    # A live event: a test run would not wait to retry (it says what a live run would do).
    execution_id = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()
    retry_at = api.get(f"/api/executions/{execution_id}").get_json()["steps"][1]["error"]
    retry_at = retry_at["retry_at"]
    sign_in(client)
    page = client.get(f"/executions/{execution_id}").get_data(as_text=True)
    assert "will try again" in page and "answered 429" in page
    moment = datetime.fromisoformat(retry_at)
    # in the reader's language and the shop's time zone: "December 3, 2026, 11:22:08 AM CET",
    # "3. Dezember 2026, …"
    berlin = ZoneInfo("Europe/Berlin")
    english = format_datetime(moment, "long", tzinfo=berlin, locale="en")
    assert f"Next attempt:</strong> {english}" in page
    german = client.get(f"/executions/{execution_id}", headers={"Accept-Language": "de"})
    german = german.get_data(as_text=True)
    assert "neuer Versuch folgt" in german
    german_time = format_datetime(moment, "long", tzinfo=berlin, locale="de")
    assert f"Nächster Versuch:</strong> {german_time}" in german


def test_german_executions_page(app, client):
    ensure_demo_merchant()
    sign_in(client)
    page = client.get("/executions", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Ausführungen" in page and "Alle Abläufe" in page


def test_an_account_without_a_shop_gets_a_message_not_an_error(app, client):
    from app.extensions import db
    from app.models import User

    user = User(email="lonely@example.com")
    user.set_password("a-long-password")
    db.session.add(user)
    db.session.commit()
    page = client.get("/login")
    reply = client.post(
        "/login",
        data={"email": "lonely@example.com", "password": "a-long-password", "csrf": csrf(page)},
    )
    assert reply.status_code == 200
    assert "belongs to no shop yet" in reply.get_data(as_text=True)


def test_sign_out_is_offered_on_every_page_once_signed_in(app, client):
    ensure_demo_merchant()
    assert "Sign out" not in client.get("/login").get_data(as_text=True)
    sign_in(client)
    assert "Sign out" in client.get("/").get_data(as_text=True)
    reply = client.post("/logout", data={"csrf": csrf(client.get("/executions"))})
    assert reply.status_code == 302
    assert client.get("/").headers["Location"].endswith("/login")


def test_an_unfinished_execution_can_be_cancelled_from_its_page(app, client):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    flow_id, _ = create_active_flow(api, flow_document({"id": "hook", "type": "core.webhook"}))
    execution_id = api.post(f"/api/flows/{flow_id}/run", json={"payload": {}}).get_json()["id"]
    sign_in(client)
    page = client.get(f"/executions/{execution_id}")
    assert 'data-testid="cancel-execution"' in page.get_data(as_text=True)
    done = client.post(
        f"/executions/{execution_id}/cancel", data={"csrf": csrf(page)}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert "The execution was cancelled." in text and 'data-testid="cancel-execution"' not in text


def test_failed_runs_are_found_by_their_error(app, client, receiver, run_queue):
    from tests.conftest import Api

    api = Api(client, ensure_demo_merchant())
    receiver.reply = lambda r: (
        (404, {}, b"no such shop") if r.path == "/gone" else (400, {}, b"unknown SKU")
    )
    runs = {}
    for path in ("/gone", "/sku"):
        graph = flow_document(
            {"id": "hook", "type": "core.webhook"},
            {"id": "send", "type": "core.http_request", "params": {"url": receiver.url(path)}},
        )
        _flow, url = create_active_flow(api, graph, name=path)
        runs[path] = post_json(client, url, {}).get_json()["execution_id"]
    run_queue()
    sign_in(client)
    listed = client.get("/executions?status=failed&error=404+Not+Found").get_data(as_text=True)
    assert f'data-execution="{runs["/gone"]}"' in listed
    assert f'data-execution="{runs["/sku"]}"' not in listed
    assert 'name="error" value="404 Not Found"' in listed
