"""The back-office journey in Chromium: a merchant installs the lexoffice invoice starter from
the gallery, connects lexoffice on the spot, runs a test from the editor, follows it to the
execution page, sees every step and downloads the invoice PDF, which no other shop can."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from app.extensions import db
from app.flows.templates import install_starters
from nodes.lexoffice.fake import API_KEY, PDF, FakeLexoffice
from nodes.shopify import fake as shopify
from tests.conftest import connected, create_credential, load_fixture
from tests.e2e.test_editor import node
from tests.people import PASSWORD, member

INVOICE = "Invoice paid Shopify orders in lexoffice and e-mail the PDF"
STEPS = ["paid", "contact", "invoice", "pdf", "mail", "tag"]


def finish(page, run_queue) -> None:
    """Work the queue, as the worker would, until the editor shows the test run has ended."""
    state = page.get_by_test_id("run-state")
    for _ in range(40):
        run_queue()
        if re.search("succeeded|failed", state.inner_text()):
            return
        page.wait_for_timeout(250)


def signed_in(browser, served, email: str):
    tab = browser.new_context(base_url=served, locale="en-US").new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{served}/")
    return tab


def test_a_paid_order_is_invoiced_and_its_pdf_downloaded_from_the_execution(
    app, page, browser, served, demo_api, run_queue, mail_server, screenshots
):
    install_starters()
    shop_account = create_credential(
        demo_api, "shopify", {"shop": shopify.SHOP, "access_token": shopify.ACCESS_TOKEN}, "Shop"
    )
    db.session.commit()  # the served app reads through its own connection
    with (
        connected(app, "shopify", shopify.FakeShopify()) as shop,
        connected(app, "lexoffice", FakeLexoffice()) as lexoffice,
    ):
        page.goto("/templates")
        page.get_by_role("navigation", name="Category").get_by_role(
            "link", name="Accounting"
        ).click()
        card = page.locator("[data-template]", has_text=INVOICE)
        expect(card.locator("[data-connector=lexoffice]")).to_be_visible()
        card.get_by_role("link", name="Preview and install").click()

        expect(page.get_by_test_id("canvas-preview").locator(".react-flow__node")).to_have_count(6)
        expect(page.get_by_label("Shopify account")).to_have_value(shop_account)
        slot = page.locator("[data-slot=lexoffice]")
        slot.get_by_label("lexoffice account").select_option("new")
        slot.get_by_label("Name of the new account").fill("Buchhaltung")
        slot.get_by_label("API key").fill(API_KEY)
        page.screenshot(path=screenshots / "backoffice-install.png", full_page=True)
        page.get_by_test_id("install").click()

        page.wait_for_url("**/flows/*/edit")
        page.wait_for_selector(".flow-node")
        expect(page.locator(".react-flow__node")).to_have_count(6)
        page.get_by_role("button", name="Test", exact=True).click()
        page.get_by_test_id("test-dialog").get_by_role("button", name="Run test").click()
        state = page.get_by_test_id("run-state")
        finish(page, run_queue)
        expect(state).to_have_text("Test run: succeeded")
        for step in STEPS:
            expect(node(page, step).locator(".flow-node")).to_have_class(re.compile("succeeded"))
        page.screenshot(path=screenshots / "backoffice-test-run.png")
        with page.context.expect_page() as opened:  # the run's details open in a new tab
            state.click()

    page, errors = opened.value, []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.wait_for_url("**/executions/*")
    expect(page.get_by_test_id("execution-status")).to_have_text("succeeded")
    timeline = page.get_by_test_id("timeline")
    for step in STEPS:
        expect(timeline.locator(f"li[data-step={step}] .status")).to_have_text("succeeded")
    [invoice] = lexoffice.vouchers.values()
    filename = f"{invoice['voucherNumber']}.pdf"
    link = page.get_by_test_id("files").get_by_role("link", name=filename)
    expect(page.get_by_test_id("files")).to_contain_text("Get the PDF")
    page.screenshot(path=screenshots / "backoffice-execution.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == filename
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF-") and data == PDF
    assert not errors, f"JavaScript errors on the execution page: {errors}"

    [sent] = mail_server.received
    [attachment] = sent.message.iter_attachments()
    assert attachment.get_filename() == filename and attachment.get_content() == PDF
    order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))  # the test's data
    assert "invoiced" in shop.orders[order["admin_graphql_api_id"]]["tags"]

    member("globex", "gil@globex.de")
    other = signed_in(browser, served, "gil@globex.de")
    assert other.goto(link.get_attribute("href")).status == 404
    other.context.close()
