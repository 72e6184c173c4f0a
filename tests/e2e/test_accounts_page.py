"""Settings → Accounts in Chromium: rename an account, test its connection (said once), and
delete it after the page names the flows that use it."""

from __future__ import annotations

from playwright.sync_api import expect

from nodes.stripe.fake import API_KEY, FakeStripe
from tests.conftest import connected, create_credential, flow_document
from tests.e2e.test_editor import HOOK, create_flow


def _refunds(api, credential: str, name: str) -> str:
    refund = {
        "id": "refund",
        "type": "stripe.create_refund",
        "credential": credential,
        "params": {"payment_intent": "pi_1"},
        "position": {"x": 280, "y": 0},
    }
    return create_flow(api, flow_document(HOOK, refund), name=name)


def test_rename_test_and_delete_an_account(app, page, demo_api, screenshots):
    credential = create_credential(demo_api, "stripe", {"api_key": API_KEY}, name="Stripe")
    _refunds(demo_api, credential, "Refund tagged orders")
    _refunds(demo_api, credential, "Refund cancelled orders")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Accounts").click()
    card = page.get_by_role("region", name="Stripe")
    expect(card).to_contain_text("Used by 2 flows:")

    card.get_by_label("Name").fill("Stripe EU")
    card.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("status")).to_have_text("The account is now called “Stripe EU”.")
    card = page.get_by_role("region", name="Stripe EU")

    with connected(app, "stripe", FakeStripe()):
        card.get_by_role("button", name="Test connection").click()
        expect(page.get_by_role("status")).to_have_text("Stripe EU: The connection works.")
    page.screenshot(path=screenshots / "accounts-page.png")

    page.get_by_role("region", name="Stripe EU").get_by_role("link", name="Delete…").click()
    question = page.get_by_test_id("delete-account")
    expect(question).to_contain_text("Delete the account “Stripe EU”?")
    expect(question).to_contain_text("2 flows use it and stop working")
    expect(question.get_by_role("link", name="Refund tagged orders")).to_be_visible()
    expect(question.get_by_role("link", name="Refund cancelled orders")).to_be_visible()
    question.get_by_role("button", name="Delete the account").click()
    expect(page.get_by_role("status")).to_have_text("The account “Stripe EU” was deleted.")
    expect(page.get_by_role("region", name="Stripe EU")).to_have_count(0)
    assert demo_api.get(f"/api/credentials/{credential}").status_code == 404
