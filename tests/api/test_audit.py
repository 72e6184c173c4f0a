"""The audit log: who changed which flow, credential, member, invitation or setting, and when;
visible to owners on a page and in the API."""

from __future__ import annotations

from tests.conftest import flow_document
from tests.people import browser_headers, member, post_form, sign_in


def test_changes_are_logged_with_who_made_them(app):
    member("Acme", "owner@shop.de", "owner")
    member("Acme", "ed@shop.de", "editor")
    editor = app.test_client()
    sign_in(editor, "ed@shop.de")
    headers = browser_headers(editor)
    graph = flow_document({"id": "hook", "type": "core.webhook"})
    flow = editor.post("/api/flows", json={"name": "Orders", "graph": graph}, headers=headers)
    flow_id = flow.get_json()["id"]
    editor.post(f"/api/flows/{flow_id}/activate", headers=headers)
    credential = editor.post(
        "/api/credentials",
        json={"connector": "core", "name": "Shop key", "data": {"secret": "s3cr3t-value-123456"}},
        headers=headers,
    ).get_json()
    editor.delete(f"/api/credentials/{credential['id']}", headers=headers)
    post_form(editor, f"/flows/{flow_id}/delete")

    owner = app.test_client()
    sign_in(owner, "owner@shop.de")
    owner_headers = browser_headers(owner)
    owner.post(
        "/api/invitations", json={"email": "vi@shop.de", "role": "viewer"}, headers=owner_headers
    )
    owner.put("/api/settings", json={"timezone": "Europe/Vienna"}, headers=owner_headers)

    events = owner.get("/api/audit").get_json()["events"]
    seen = [(e["actor"], e["action"], e["target_id"]) for e in reversed(events)]
    assert seen == [
        ("ed@shop.de", "flow.create", flow_id),
        ("ed@shop.de", "flow.update", flow_id),
        ("ed@shop.de", "credential.create", credential["id"]),
        ("ed@shop.de", "credential.delete", credential["id"]),
        ("ed@shop.de", "flow.delete", flow_id),
        ("owner@shop.de", "invitation.create", seen[5][2]),
        ("owner@shop.de", "settings.update", seen[6][2]),
    ]
    assert events[0]["detail"] == {"timezone": ["Europe/Berlin", "Europe/Vienna"]}
    assert "s3cr3t-value-123456" not in owner.get("/api/audit").get_data(as_text=True)

    page = owner.get("/settings/audit").get_data(as_text=True)
    assert "ed@shop.de created the flow “Orders”." in page
    assert "ed@shop.de switched on the flow “Orders”." in page
    assert "ed@shop.de deleted the account “Shop key”." in page
    assert "owner@shop.de invited vi@shop.de as viewer." in page
    assert "changed the shop&#39;s time zone from Europe/Berlin to Europe/Vienna." in page
    german = owner.get("/settings/audit", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "ed@shop.de hat den Ablauf „Orders“ eingeschaltet." in german
    assert "owner@shop.de hat vi@shop.de als Betrachter eingeladen." in german
    assert editor.get("/api/audit").status_code == 403


def test_empty_audit_log_says_what_will_appear(app):
    member("Acme", "owner@shop.de", "owner")
    owner = app.test_client()
    sign_in(owner, "owner@shop.de")
    assert "Nothing has been changed yet" in owner.get("/settings/audit").get_data(as_text=True)


def test_members_page_invites_changes_roles_and_removes(app):
    member("Acme", "owner@shop.de", "owner")
    member("Acme", "ed@shop.de", "editor")
    owner = app.test_client()
    sign_in(owner, "owner@shop.de")
    page = owner.get("/settings/members").get_data(as_text=True)
    assert "ed@shop.de" in page and "Invite someone" in page
    bad = post_form(owner, "/settings/members/invite", {"email": "ed@shop.de", "role": "viewer"})
    assert "is a member of this shop already" in owner.get(bad.headers["Location"]).get_data(
        as_text=True
    )
    ed_id = next(
        m["user_id"]
        for m in owner.get("/api/members").get_json()["members"]
        if m["email"] == "ed@shop.de"
    )
    post_form(owner, f"/settings/members/{ed_id}/role", {"role": "viewer"})
    roles = {m["email"]: m["role"] for m in owner.get("/api/members").get_json()["members"]}
    assert roles == {"owner@shop.de": "owner", "ed@shop.de": "viewer"}
    post_form(owner, f"/settings/members/{ed_id}/remove")
    assert [m["email"] for m in owner.get("/api/members").get_json()["members"]] == [
        "owner@shop.de"
    ]
