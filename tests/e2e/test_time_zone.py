"""Language switch with times in the shop's time zone: a shop in New York sees its flow's
versions and its audit log at New York times, written the English or the German way."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect
from sqlalchemy import select, update

from app.cli import DEMO_MERCHANT, merchant_named
from app.extensions import db
from app.models import AuditEvent, FlowVersion
from tests.conftest import flow_document
from tests.e2e.test_editor import HOOK, create_flow, open_editor

SAVED_UTC = datetime(2026, 1, 15, 12, 5)  # 07:05 in New York


def test_language_switch_with_times_in_the_shops_zone(page, demo_api, screenshots):
    merchant_named(DEMO_MERCHANT).timezone = "America/New_York"
    flow_id = create_flow(demo_api, flow_document(HOOK))
    db.session.execute(update(FlowVersion).values(created_at=SAVED_UTC))
    db.session.execute(update(AuditEvent).values(created_at=SAVED_UTC))
    db.session.commit()
    assert db.session.scalar(select(AuditEvent.id)) is not None

    open_editor(page, flow_id)
    page.get_by_role("button", name="Versions").click()
    expect(page.locator(".version-date")).to_have_text("15 Jan 2026, 07:05")

    page.get_by_role("link", name="Deutsch").click()
    page.get_by_role("button", name="Versionen").click()
    expect(page.locator(".version-date")).to_have_text("15.01.2026, 07:05")
    page.screenshot(path=screenshots / "versions-new-york-german.png")

    page.goto("/settings/audit")
    row = page.locator("tr[data-action='flow.create']")
    expect(row).to_contain_text("15.01.2026, 07:05:00")
    expect(row).to_contain_text("hat den Ablauf „Paid orders“ angelegt.")
    page.get_by_role("link", name="English").click()
    expect(row).to_contain_text("Jan 15, 2026, 7:05:00")
    expect(row).to_contain_text("created the flow “Paid orders”.")
    expect(page.locator("body")).to_have_attribute("data-time-zone", "America/New_York")
