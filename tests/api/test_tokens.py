"""Per-user API tokens: created with a name and shown once, listed with when they were created
and last used, revoked at once; on the settings page and in the JSON API."""

from __future__ import annotations

import re
from datetime import timedelta

from app.extensions import db
from app.models import ApiToken
from tests.people import browser_headers, member, post_form, sign_in


def _signed_in(app, email="ann@shop.de", role="editor"):
    member("Acme", email, role)
    client = app.test_client()
    sign_in(client, email)
    return client


def test_create_use_list_and_revoke_a_token_through_the_api(app):
    browser = _signed_in(app)
    headers = browser_headers(browser)
    empty = browser.post("/api/tokens", json={"name": " "}, headers=headers)
    assert empty.status_code == 422 and empty.get_json()["errors"][0]["pointer"] == "/name"
    created = browser.post("/api/tokens", json={"name": "ERP import"}, headers=headers)
    assert created.status_code == 201
    token = created.get_json()["token"]
    assert token.startswith("sw_")

    listed = browser.get("/api/tokens").get_json()["tokens"]
    assert [t["name"] for t in listed] == ["ERP import"]
    assert listed[0]["last_used_at"] is None and "token" not in listed[0]
    assert token not in browser.get("/api/tokens").get_data(as_text=True)

    script = app.test_client()
    assert script.get("/api/flows", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert browser.get("/api/tokens").get_json()["tokens"][0]["last_used_at"] is not None

    revoked = browser.delete(f"/api/tokens/{listed[0]['id']}", headers=headers)
    assert revoked.status_code == 204
    refused = script.get("/api/flows", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]
    assert browser.get("/api/tokens").get_json()["tokens"] == []


def test_last_used_is_written_at_most_once_a_minute(app):
    browser = _signed_in(app)
    token = browser.post(
        "/api/tokens", json={"name": "poller"}, headers=browser_headers(browser)
    ).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    app.test_client().get("/api/flows", headers=bearer)
    stored = db.session.query(ApiToken).filter_by(name="poller").one()
    first = stored.last_used_at
    app.test_client().get("/api/flows", headers=bearer)
    db.session.refresh(stored)
    assert stored.last_used_at == first  # within the minute: no write
    stored.last_used_at = first - timedelta(minutes=2)
    db.session.commit()
    app.test_client().get("/api/flows", headers=bearer)
    db.session.refresh(stored)
    assert stored.last_used_at > first - timedelta(minutes=2)


def test_tokens_page_shows_a_new_token_once(app):
    browser = _signed_in(app)
    empty = browser.get("/settings/tokens").get_data(as_text=True)
    assert "No API tokens yet" in empty
    page = post_form(browser, "/settings/tokens", {"name": "Shop sync"}, page="/settings/tokens")
    text = page.get_data(as_text=True)
    token = re.search(r'<code id="new-token">(sw_[^<]+)</code>', text).group(1)
    assert "shown only once" in text
    again = browser.get("/settings/tokens").get_data(as_text=True)
    assert "Shop sync" in again and token not in again and "never" in again
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", again).group(1)
    done = post_form(browser, f"/settings/tokens/{token_id}/revoke", page="/settings/tokens")
    assert "was revoked" in browser.get(done.headers["Location"]).get_data(as_text=True)
    assert (
        app.test_client()
        .get("/api/flows", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 401
    )


def test_a_removed_members_tokens_stop_working(app):
    member("Acme", "boss@shop.de", "owner")
    browser = _signed_in(app, "temp@shop.de", "editor")
    token = browser.post(
        "/api/tokens", json={"name": "t"}, headers=browser_headers(browser)
    ).get_json()["token"]
    boss = app.test_client()
    sign_in(boss, "boss@shop.de")
    temp_id = next(
        m["user_id"]
        for m in boss.get("/api/members").get_json()["members"]
        if m["email"] == "temp@shop.de"
    )
    assert boss.delete(f"/api/members/{temp_id}", headers=browser_headers(boss)).status_code == 204
    bearer = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/flows", headers=bearer).status_code == 401
    assert browser.get("/").status_code == 302  # the session ends with the membership too


def test_operator_tokens_have_no_user_to_own_tokens(api):
    reply = api.get("/api/tokens")
    assert reply.status_code == 403 and "Tokens belong to users" in reply.get_json()["detail"]
