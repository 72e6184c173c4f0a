"""The side panel's account picker: a signing webhook trigger gets a new account with a secret,
which stays chosen after a reload and signs the deliveries the switched-on flow accepts."""

from __future__ import annotations

import hashlib
import hmac

from tests.conftest import flow_document, post_json
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor

SECRET = "s3cret-value"


def test_new_account_signs_the_webhook(page, demo_api, client, screenshots):
    flow_id = create_flow(demo_api, flow_document(HOOK))
    open_editor(page, flow_id)
    node(page, "order").click()
    panel = page.locator("[data-panel-node='order']")
    panel.get_by_label("Header with the signature").fill("X-Signature")

    account = panel.get_by_label("Account", exact=True)
    assert account.input_value() == ""
    account.select_option(label="New account…")
    form = panel.get_by_test_id("new-account")
    form.get_by_label("Account name").fill("Shop secret")
    secret = form.get_by_label("Shared secret")
    assert secret.get_attribute("type") == "password"
    secret.fill("short")
    form.get_by_role("button", name="Create account").click()
    form.locator("[data-field='secret'] .field-error").wait_for()  # 422, shown at the field
    secret.fill(SECRET)
    form.get_by_role("button", name="Create account").click()
    form.wait_for(state="detached")
    chosen = panel.get_by_test_id("account-chosen")
    assert chosen.inner_text() == "Shop secret · secret set"
    assert SECRET not in panel.inner_text()

    [credential] = demo_api.get("/api/credentials").get_json()["credentials"]
    assert credential["connector"] == "core" and credential["fields"] == {"secret": {"set": True}}
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    [stored] = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]["nodes"]
    assert stored["credential"] == credential["id"]
    assert stored["params"]["signature"] == {"header": "X-Signature"}

    page.reload()
    page.wait_for_selector(".flow-node")
    node(page, "order").click()
    panel = page.locator("[data-panel-node='order']")
    panel.get_by_test_id("account-chosen").wait_for()
    assert panel.get_by_label("Account", exact=True).input_value() == credential["id"]
    assert panel.get_by_test_id("account-chosen").inner_text() == "Shop secret · secret set"
    page.screenshot(path=screenshots / "editor-account.png")

    page.get_by_role("switch").click()
    # The bar is there before (with the test address): wait for the production address.
    page.get_by_test_id("webhook-production").wait_for()
    [hook] = demo_api.get(f"/api/flows/{flow_id}").get_json()["webhooks"]
    url = "/hooks/" + hook["url"].rsplit("/", 1)[1]
    body = b'{"email": "jon@example.com"}'
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert post_json(client, url, body, **{"X-Signature": digest}).status_code == 202
    assert post_json(client, url, body).status_code == 401


def test_none_removes_the_account(page, demo_api):
    created = demo_api.post(
        "/api/credentials",
        json={"connector": "core", "name": "Old secret", "data": {"secret": SECRET}},
    )
    credential_id = created.get_json()["id"]
    flow_id = create_flow(demo_api, flow_document({**HOOK, "credential": credential_id}))
    open_editor(page, flow_id)
    node(page, "order").click()
    account = page.get_by_label("Account", exact=True)
    page.get_by_test_id("account-chosen").wait_for()
    account.select_option(label="none")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    [stored] = demo_api.get(f"/api/flows/{flow_id}").get_json()["graph"]["nodes"]
    assert "credential" not in stored
