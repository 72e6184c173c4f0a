"""Times on the pages and in the editor are the shop's (Europe/Berlin unless its owner sets
another), written the way the reader's language writes dates."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from app.extensions import db
from app.models import AuditEvent
from tests.people import member, post_form, sign_in

WINTER_NOON_UTC = datetime(2026, 1, 15, 12, 0)


def _audit_page(client, lang: str = "en") -> str:
    db.session.execute(update(AuditEvent).values(created_at=WINTER_NOON_UTC))
    db.session.commit()
    return client.get("/settings/audit", headers={"Accept-Language": lang}).get_data(as_text=True)


def test_times_follow_the_shops_time_zone_in_the_readers_language(app, client):
    member("Acme", "owner@shop.de", "owner")
    sign_in(client, "owner@shop.de")
    shop = {"name": "Acme Tees", "timezone": "Europe/Berlin"}
    post_form(client, "/settings/shop", shop, "/settings/shop")  # an entry in the audit log
    assert "Jan 15, 2026, 1:00:00" in _audit_page(client)  # Berlin is an hour ahead in winter
    assert "15.01.2026, 13:00:00" in _audit_page(client, "de")
    assert 'data-time-zone="Europe/Berlin"' in client.get("/").get_data(as_text=True)
    settings = client.get("/settings/shop").get_data(as_text=True)
    assert '<option value="America/New_York">' in settings  # zones to choose from

    shop["timezone"] = "America/New_York"
    post_form(client, "/settings/shop", shop, "/settings/shop")
    assert "Jan 15, 2026, 7:00:00" in _audit_page(client)
    assert 'data-time-zone="America/New_York"' in client.get("/").get_data(as_text=True)


def test_pages_without_a_shop_use_berlin_time(app, client):
    assert 'data-time-zone="Europe/Berlin"' in client.get("/login").get_data(as_text=True)
