"""Switching on: the shipped Shopify demo flow goes on from the editor in the `make run` setup
(an http:// address, the demo's Shopify double), and the shop then knows the flow's address."""

from __future__ import annotations

from sqlalchemy import select

from app import demo
from app.cli import DEMO_MERCHANT, merchant_named
from app.demo import doubles as fakes
from app.extensions import db
from app.models import Flow
from tests.e2e.test_editor import open_editor


def test_switch_the_shopify_demo_on(app, page, screenshots):
    served = fakes.start()
    try:
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = served.origins
        demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
        (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))
        open_editor(page, flow_id)
        switch = page.get_by_role("switch")
        switch.click()
        page.get_by_test_id("webhook-production").wait_for()
        assert switch.get_attribute("aria-checked") == "true"
        page.screenshot(path=screenshots / "demo-switched-on.png")
        [subscription] = served.fakes["shopify"].webhook_subscriptions.values()
        address = page.get_by_test_id("webhook-production").locator("input").input_value()
        assert subscription["uri"] == address
        assert not page.get_by_test_id("problems").is_visible()
    finally:
        served.close()
