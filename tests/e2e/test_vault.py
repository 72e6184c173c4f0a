"""Secrets in the editor: a stored secret shows as set and can be replaced, never shown; an
OAuth account is signed in to from the account picker, tested, and shows "reconnect needed"."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select, update

from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential, FlowVersion
from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, node, open_editor
from tests.test_oauth import CLIENT_ID, CLIENT_SECRET, fakeshop, provider  # noqa: F401
from tests.test_secrets import TOKEN, secret_param_node  # noqa: F401

SECRET = "s3cret-value-old"
NEW_SECRET = "s3cret-value-new"
NEW_TOKEN = "tok_replaced_123456"


def stored_secret(credential_id: str) -> str:
    db.session.expire_all()
    return vault().decrypt(db.session.get(Credential, credential_id).secret)["secret"]


def test_secrets_show_as_set_and_can_be_replaced(page, demo_api, secret_param_node):  # noqa: F811
    credential = demo_api.post(
        "/api/credentials", json={"connector": "core", "name": "Shop", "data": {"secret": SECRET}}
    ).get_json()
    graph = flow_document(
        {**HOOK, "credential": credential["id"]},
        {
            "id": "send",
            "type": "testkit.send_token",
            "params": {"url": "https://example.com/", "token": TOKEN},
            "position": {"x": 300, "y": 0},
        },
    )
    flow_id = create_flow(demo_api, graph)
    open_editor(page, flow_id)
    assert TOKEN not in page.content() and SECRET not in page.content()

    # The account's secret: "Change account", leave the secret empty to keep it, or type one.
    node(page, "order").click()
    panel = page.locator("[data-panel-node='order']")
    panel.get_by_role("button", name="Change account").click()
    form = panel.get_by_test_id("new-account")
    assert form.get_by_label("Shared secret").input_value() == ""
    form.get_by_label("Account name").fill("Shop (renamed)")
    form.get_by_role("button", name="Save account").click()
    panel.get_by_test_id("account-chosen").get_by_text("Shop (renamed)").wait_for()
    assert stored_secret(credential["id"]) == SECRET
    panel.get_by_role("button", name="Change account").click()
    panel.get_by_test_id("new-account").get_by_label("Shared secret").fill(NEW_SECRET)
    panel.get_by_role("button", name="Save account").click()
    panel.get_by_test_id("new-account").wait_for(state="detached")
    assert stored_secret(credential["id"]) == NEW_SECRET

    # A secret param of a step: shown as set; saving without touching it keeps it.
    node(page, "send").click()
    panel = page.locator("[data-panel-node='send']")
    panel.get_by_test_id("secret-set").wait_for()
    panel.locator("[data-field='url'] input").fill("https://example.com/new")
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    assert _stored_params(flow_id) == {"url": "https://example.com/new", "token": TOKEN}
    # Replace it.
    panel.get_by_role("button", name="Replace").click()
    secret = panel.locator("#param-token")
    assert secret.get_attribute("type") == "password" and secret.input_value() == ""
    secret.fill(NEW_TOKEN)
    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("save-state").get_by_text("All changes saved").wait_for()
    assert _stored_params(flow_id)["token"] == NEW_TOKEN
    page.reload()
    page.wait_for_selector(".flow-node")
    assert NEW_TOKEN not in page.content() and NEW_SECRET not in page.content()


def _stored_params(flow_id: str) -> dict:
    db.session.expire_all()
    graph = db.session.scalar(
        select(FlowVersion.graph)
        .where(FlowVersion.flow_id == flow_id)
        .order_by(FlowVersion.number.desc())
    )
    return next(n for n in graph["nodes"] if n["id"] == "send")["params"]


def test_sign_in_test_connection_and_reconnect_needed(page, demo_api, provider, fakeshop):  # noqa: F811
    credential = demo_api.post(
        "/api/credentials",
        json={
            "connector": "fakeshop",
            "name": "Acme shop",
            "data": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        },
    ).get_json()
    graph = flow_document(
        {"id": "start", "type": "core.manual", "position": {"x": 0, "y": 0}},
        {
            "id": "who",
            "type": "fakeshop.whoami",
            "credential": credential["id"],
            "position": {"x": 300, "y": 0},
        },
    )
    flow_id = create_flow(demo_api, graph)
    open_editor(page, flow_id)
    node(page, "who").click()
    panel = page.locator("[data-panel-node='who']")
    chosen = panel.get_by_test_id("account-chosen")
    chosen.get_by_text("not connected yet").wait_for()

    with page.context.expect_page() as signing_in:
        panel.get_by_role("button", name="Sign in to connect").click()
    provider_page = signing_in.value
    provider_page.get_by_text("is connected; you can close this window").first.wait_for()
    provider_page.close()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(chosen).to_have_text("Acme shop · secret set · connected")

    panel.get_by_role("button", name="Test connection").click()
    notice = panel.get_by_test_id("account-notice")
    notice.get_by_text("The connection works: signed in as Acme Outdoor", exact=True).wait_for()

    provider.expire_access_tokens()
    panel.get_by_role("button", name="Test connection").click()
    failed = notice.get_by_text("Connection failed:")
    failed.wait_for()
    assert "The access token is invalid or expired." in failed.inner_text()

    db.session.execute(
        update(Credential)
        .where(Credential.id == credential["id"])
        .values(status="reconnect", status_message="401 The refresh token was revoked.")
    )
    db.session.commit()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    panel.get_by_test_id("reconnect").get_by_text("Reconnect needed").wait_for()
