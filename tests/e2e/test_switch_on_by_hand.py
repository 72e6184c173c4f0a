"""Switching on by hand in Chromium: Shopify refuses the installation's http:// address (or no
account is chosen), the switch-on dialog says why and offers the way by hand — the address to
add in the shop's admin, the signing secret the shop shows — and the flow goes on with it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlalchemy import func, select

from app import demo
from app.cli import DEMO_MERCHANT, merchant_named
from app.demo import doubles as fakes
from app.extensions import db
from app.models import Execution, Flow
from nodes.shopify.fake import FakeShopify
from tests.conftest import flow_document, load_fixture
from tests.e2e.test_editor import create_flow, open_editor

SECRET = "shpss_from_the_shop_admin"
ORDER = load_fixture("shopify", "webhook.orders_paid.json")


def _deliver(client, url: str):
    signature = base64.b64encode(hmac.new(SECRET.encode(), ORDER, hashlib.sha256).digest())
    headers = {
        "X-Shopify-Hmac-Sha256": signature.decode(),
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Webhook-Id": "set-up-by-hand-1",
    }
    return client.post(
        urlsplit(url).path, data=ORDER, content_type="application/json", headers=headers
    )


def test_a_refused_address_is_set_up_by_hand(app, page, client, screenshots):
    served = fakes.start()
    try:
        demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
    finally:
        served.close()
    (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))
    with FakeShopify() as shop:  # like the real Shopify: https addresses only
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = {"shopify": shop.origin}
        open_editor(page, flow_id)
        page.get_by_role("switch").click()
        dialog = page.get_by_role("dialog", name="Switch the flow on")
        expect(dialog).to_contain_text("Shopify sends events only to a public https:// address")
        expect(dialog).to_contain_text("Settings → Notifications → Webhooks")
        address = dialog.get_by_test_id("by-hand-address").locator("input").input_value()
        dialog.get_by_role("button", name="Switch on with this secret").click()
        expect(dialog.get_by_text("Paste the signing secret first.")).to_be_visible()
        dialog.get_by_label("Paste the signing secret").fill(SECRET)
        page.screenshot(path=screenshots / "switch-on-by-hand.png")
        dialog.get_by_role("button", name="Switch on with this secret").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "true")
        production = page.get_by_test_id("webhook-production").locator("input")
        expect(production).to_have_value(address)
        assert shop.webhook_subscriptions == {}
    assert not page.get_by_test_id("problems").is_visible()

    assert _deliver(client, address).status_code == 202
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Execution)) == 1


def test_without_an_account_the_dialog_asks_for_the_shops_account(page, demo_api):
    trigger = {"id": "paid", "type": "shopify.order_paid", "position": {"x": 0, "y": 0}}
    flow_id = create_flow(demo_api, flow_document(trigger))
    open_editor(page, flow_id)
    page.get_by_role("switch").click()
    dialog = page.get_by_role("dialog", name="Switch the flow on")
    expect(dialog).to_contain_text("Choose the account of your shop for this step")
    expect(dialog).not_to_contain_text("API secret key")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "false")
