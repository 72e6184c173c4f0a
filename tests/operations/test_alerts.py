"""Alerts: a digest per flow at most once an hour, by e-mail and to Slack or Teams, in plain
words; the clock is a parameter, so the hour passes without waiting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text

from app.credentials.vault import vault
from app.extensions import db
from app.identity.mail import outbox
from app.models import AlertSettings, Credential, Execution, Flow
from app.operations import alerts, trigger_health
from tests.conftest import create_active_flow, flow_document
from tests.people import member, post_form, sign_in

T0 = datetime(2026, 12, 3, 9, 0)
HOOK = flow_document(
    {"id": "order", "type": "core.webhook", "name": "Paid order"},
    {"id": "erp", "type": "core.map", "name": "To the ERP", "params": {"fields": {}}},
)


def shop_of(flow_id: str) -> int:
    return db.session.get(Flow, flow_id).merchant_id


def event(flow_id: str, at: datetime, status: str = "succeeded", mode: str = "webhook") -> str:
    flow = db.session.get(Flow, flow_id)
    error = {
        "message": "lexoffice answered 401: the API key was revoked",
        "node_name": "To the ERP",
    }
    row = Execution(
        merchant_id=flow.merchant_id,
        flow_id=flow_id,
        version_id=flow.current_version_id,
        status=status,
        mode=mode,
        raw_body=b"{}",
        created_at=at,
        queued_at=at,
        finished_at=at,
        error=error if status == "failed" else None,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def settings_for(shop: int, **values) -> AlertSettings:
    settings = AlertSettings(merchant_id=shop, **{"emails": "ops@acme.de", **values})
    db.session.add(settings)
    db.session.commit()
    return settings


def test_failures_reach_the_merchant_as_one_digest_per_flow_an_hour(app, api, receiver):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example.com"
    flow_id, _ = create_active_flow(api, HOOK, name="Paid orders to lexoffice")
    other_flow, _ = create_active_flow(api, HOOK, name="Refunds")
    webhook = vault().encrypt({"url": receiver.url("/slack")})
    settings_for(shop_of(flow_id), language="en", webhook=webhook)
    first = event(flow_id, T0, "failed", mode="schedule")
    event(flow_id, T0 - timedelta(minutes=1), "failed", mode="test")  # a test run: no alert

    alerts.run(T0 + timedelta(minutes=1))

    [mail] = outbox()
    assert mail["To"] == "ops@acme.de"
    assert mail["Subject"] == "Shopwire: 1 problem(s) with “Paid orders to lexoffice”"
    body = mail.get_content()
    assert "A run failed at step “To the ERP”" in body
    assert "the API key was revoked" in body
    assert "Retry from this step" in body
    assert f"https://shopwire.example.com/executions/{first}" in body
    [posted] = receiver.requests
    assert posted.json()["text"].startswith("*Shopwire: 1 problem(s)")

    # A storm: ten more failures within the hour, and one of another flow.
    for minute in range(2, 12):
        event(flow_id, T0 + timedelta(minutes=minute), "failed", mode="schedule")
    event(other_flow, T0 + timedelta(minutes=5), "failed", mode="schedule")
    for minute in range(12, 60, 7):
        alerts.run(T0 + timedelta(minutes=minute))
    assert [m["Subject"] for m in outbox()] == [
        "Shopwire: 1 problem(s) with “Paid orders to lexoffice”",
        "Shopwire: 1 problem(s) with “Refunds”",
    ]

    alerts.run(T0 + timedelta(minutes=62))  # the hour is over: the rest in one digest

    assert len(outbox()) == 3
    later = outbox()[-1]
    assert later["Subject"] == "Shopwire: 11 problem(s) with “Paid orders to lexoffice”"
    assert "11 runs failed within the last hour" in later.get_content()
    assert len(receiver.requests) == 3


def test_another_shops_failures_stay_out_of_the_digest(app, api, other_api):
    flow_id, _ = create_active_flow(api, HOOK, name="Ours")
    theirs, _ = create_active_flow(other_api, HOOK, name="Theirs")
    settings_for(shop_of(flow_id))
    event(theirs, T0, "failed")

    alerts.run(T0 + timedelta(minutes=1))

    assert outbox() == []


def test_a_quiet_trigger_is_flagged_after_its_normal_gap(app, api):
    flow_id, _ = create_active_flow(api, HOOK, name="Bestellungen")
    last = T0 + timedelta(minutes=50)
    for minute in range(0, 60, 10):  # an order every ten minutes
        event(flow_id, T0 + timedelta(minutes=minute))

    assert trigger_health.quiet_triggers(last + timedelta(minutes=39)) == []
    [quiet] = trigger_health.quiet_triggers(last + timedelta(minutes=41))
    assert (quiet.flow_id, quiet.node_id, quiet.last_event_at) == (flow_id, "order", last)
    assert quiet.normal_gap == timedelta(minutes=10)

    settings_for(shop_of(flow_id), language="de")
    alerts.run(last + timedelta(minutes=41))
    alerts.run(last + timedelta(minutes=120))  # still quiet: told once, not again

    [mail] = outbox()
    assert mail["Subject"] == "Shopwire: 1 Problem(e) mit „Bestellungen“"
    body = mail.get_content()
    assert "Der Auslöser „order“ hat seit" in body
    assert "üblicherweise kommt alle 10 Minuten eines" in body
    assert "Webhook beim Anbieter" in body


def test_a_trigger_without_a_history_is_never_called_quiet(app, api):
    flow_id, _ = create_active_flow(api, HOOK)
    event(flow_id, T0)
    assert trigger_health.quiet_triggers(T0 + timedelta(days=30)) == []


def test_an_account_that_stopped_working_goes_to_teams(app, api, receiver):
    flow_id, _ = create_active_flow(api, HOOK)
    shop = shop_of(flow_id)
    credential = Credential(
        merchant_id=shop,
        connector="shopify",
        name="Main shop",
        secret=vault().encrypt({"access_token": "shpat_x"}),
        status="reconnect",
        status_message="Shopify refused the refresh token.",
    )
    db.session.add(credential)
    db.session.commit()
    webhook = vault().encrypt({"url": receiver.url("/teams")})
    settings_for(shop, emails="", webhook=webhook, webhook_format="teams", language="en")

    alerts.run(T0)

    [posted] = receiver.requests
    card = posted.json()["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    title, body = card["content"]["body"]
    assert title["text"] == "Shopwire: 1 problem(s) in your shop"
    assert "The account “Main shop” (Shopify) stopped working" in body["text"]
    assert body["text"].endswith("/#account-problems")  # the overview lists it
    assert "connect it again" in body["text"]
    assert "shpat_x" not in posted.body.decode()


def test_owners_set_alerts_on_the_shop_settings_page(app, client):
    member("acme", "owner@acme.de")
    sign_in(client, "owner@acme.de")
    page = client.get("/settings/shop").get_data(as_text=True)
    assert "at most one e-mail per flow per hour" in page

    refused = post_form(client, "/settings/alerts", {"emails": "not an address"}, "/settings/shop")
    assert "is not an e-mail address" in client.get(refused.location).get_data(as_text=True)

    hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    post_form(
        client,
        "/settings/alerts",
        {"emails": "a@acme.de, b@acme.de", "webhook": hook, "on_failed_run": "1"},
        "/settings/shop",
    )
    saved = db.session.scalar(select(AlertSettings))
    assert saved.emails == "a@acme.de, b@acme.de"
    assert (saved.on_failed_run, saved.on_quiet_trigger) == (True, False)
    assert vault().decrypt(saved.webhook) == {"url": hook}
    stored = repr(db.session.execute(text("SELECT * FROM alert_settings")).all())
    assert "XXXXSECRET" not in stored
    page = client.get("/settings/shop").get_data(as_text=True)
    assert "A webhook URL is set" in page and "XXXXSECRET" not in page


def test_only_owners_change_alerts(app, client):
    member("acme", "viewer@acme.de", role="editor")
    sign_in(client, "viewer@acme.de")
    reply = post_form(client, "/settings/alerts", {"emails": "x@acme.de"})
    assert reply.status_code == 403
    assert db.session.scalar(select(AlertSettings)) is None
