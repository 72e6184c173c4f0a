"""The template journey in Chromium: a new shop starts from a template, connects its accounts on
the spot, lands in the editor; a merchant shares a flow after seeing what is removed."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.flows.templates import install_starters
from nodes.shopify.fake import ACCESS_TOKEN, SHOP
from nodes.stripe.fake import API_KEY
from tests.conftest import flow_document

REFUND = "Refund paid Shopify orders tagged “refund” in Stripe"


def test_a_new_shop_starts_from_a_template(page, served, demo_api, screenshots):
    install_starters()
    db.session.commit()  # the served app reads through its own connection
    page.reload()
    page.get_by_test_id("empty-start-from-template").click()

    page.get_by_label("Search templates").fill("refund")
    page.get_by_role("button", name="Search").click()
    cards = page.locator("[data-template]")
    expect(cards).to_have_count(3)  # two that refund, one that books a refund
    page.get_by_role("navigation", name="Category").get_by_role("link", name="Payments").click()
    card = page.locator("[data-template]", has_text=REFUND)
    expect(card.locator("[data-connector=shopify]")).to_be_visible()
    expect(card.get_by_test_id("installs")).to_have_text("0 installs")
    page.screenshot(path=screenshots / "gallery.png")
    card.get_by_role("link", name="Preview and install").click()

    preview = page.get_by_test_id("canvas-preview")
    expect(preview.locator(".react-flow__node")).to_have_count(4)
    expect(preview.locator(".react-flow__edge")).to_have_count(3)
    step = preview.locator(".react-flow__node", has_text="Refund in Stripe")
    expect(step.locator(".flow-node-icon")).to_have_text("S")  # Stripe's icon, as on the card
    expect(step).to_contain_text("Action")
    expect(step).not_to_have_class(re.compile(r"draggable|selectable"))  # looking only
    page.get_by_label("Shopify account").select_option("new")
    page.get_by_label("Name of the new account").first.fill("My shop")
    page.get_by_label("Shop domain").fill(SHOP)
    page.get_by_label("Admin API access token").fill(ACCESS_TOKEN)
    page.get_by_label("Stripe account").select_option("new")
    page.get_by_label("Secret key", exact=True).fill(API_KEY)
    page.get_by_label("Tag that starts the refund").fill("refund-now")
    page.screenshot(path=screenshots / "gallery-install.png", full_page=True)
    page.get_by_test_id("install").click()

    page.wait_for_url("**/flows/*/edit")
    expect(page.locator(".react-flow__node")).to_have_count(4)
    flow_id = page.url.rsplit("/", 2)[-2]
    flow = demo_api.get(f"/api/flows/{flow_id}").get_json()
    assert flow["active"] is False
    assert flow["graph"]["nodes"][1]["params"]["values"]["tag"] == "refund-now"
    page.goto("/templates?category=payments")
    card = page.locator("[data-template]", has_text=REFUND)
    expect(card.get_by_test_id("installs")).to_have_text("1 install")


def test_sharing_a_flow_shows_what_is_removed_before_publishing(page, demo_api, screenshots):
    graph = flow_document(
        {"id": "hook", "type": "core.webhook", "name": "Order in"},
        {
            "id": "erp",
            "type": "core.http_request",
            "name": "To ERP",
            "params": {
                "url": "https://erp.acme.de/orders?api_key=abcdef0123456789",
                "headers": {"Authorization": "Bearer 0123456789abcdef"},
                "body": {"channel": "webshop"},
            },
        },
    )
    created = demo_api.post("/api/flows", json={"name": "Orders to ERP", "graph": graph})
    page.reload()
    page.get_by_role("link", name="Share as template").click()

    page.get_by_label("Description (English)").fill("Posts each order to an ERP.")
    page.get_by_label("Category").select_option("accounting")
    page.get_by_label("Who can see it").select_option("public")
    page.locator("tr", has_text="webshop").get_by_role("checkbox").check()
    page.get_by_test_id("show-preview").click()

    removed = page.get_by_test_id("removed")
    expect(removed).to_contain_text("To ERP: headers › Authorization")
    expect(removed).to_contain_text("a key in the URL's query parameter api_key")
    expect(page.get_by_test_id("publish-preview")).to_contain_text("To ERP: body › channel")
    shared = page.get_by_test_id("publish-preview").get_by_test_id("canvas-preview")
    expect(shared.locator(".react-flow__node")).to_have_count(2)
    expect(shared.locator(".react-flow__node", has_text="To ERP")).to_contain_text("HTTP")
    page.screenshot(path=screenshots / "publish-preview.png", full_page=True)
    page.get_by_test_id("publish").click()

    expect(page.get_by_text("Published as version 1.")).to_be_visible()
    expect(page.get_by_test_id("canvas-preview").locator(".react-flow__node")).to_have_count(2)
    template_id = page.url.rsplit("/", 1)[-1]
    shared = demo_api.get(f"/api/templates/{template_id}").get_json()
    assert shared["visibility"] == "public"
    assert "0123456789abcdef" not in str(shared) and created.status_code == 201
