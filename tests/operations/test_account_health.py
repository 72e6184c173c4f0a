"""An account that stopped working: the provider refuses its key run after run. The shop is
told once (in the digest), and the overview says which account, since when and what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.identity.mail import outbox
from app.models import AlertSettings, Credential, Flow
from app.models.base import utcnow
from app.operations import account_health, alerts
from app.runtime import timed_triggers
from nodes.stripe.fake import FakeStripe, fixture
from tests.conftest import connected, run_now
from tests.nodes.test_polling import polling_flow, shop  # noqa: F401  (the fake shop fixture)
from tests.nodes.test_stripe import account, refund_flow
from tests.people import member, sign_in


@pytest.fixture
def stripe(app):
    with connected(app, "stripe", FakeStripe()) as fake:
        yield fake


INTENT = fixture("payment_intent")["id"]


def refund(api, run_queue, flow_id: str) -> dict:
    return run_now(api, run_queue, flow_id, {"payment": INTENT, "cents": 5})


def test_an_account_refused_in_three_runs_in_a_row_is_reported_once(app, api, run_queue, stripe):
    app.config["SHOPWIRE_PUBLIC_URL"] = "https://shopwire.example"
    credential = account(api, api_key="sk_test_revokedKey")  # revoked in the dashboard
    flow_id = refund_flow(api, credential)
    shop_id = db.session.get(Credential, credential).merchant_id
    db.session.add(AlertSettings(merchant_id=shop_id, emails="ops@acme.de", language="en"))
    db.session.commit()

    first = refund(api, run_queue, flow_id)
    assert first["steps"][1]["error"]["status"] == 401
    refund(api, run_queue, flow_id)
    alerts.run()
    assert outbox() == []  # twice may be a hiccup
    last = refund(api, run_queue, flow_id)

    alerts.run()
    alerts.run(utcnow() + timedelta(hours=2))  # still refused: told once, not again

    [mail] = outbox()
    assert mail["Subject"] == "Shopwire: 1 problem(s) in your shop"
    body = mail.get_content()
    assert "Stripe refused the account “Stripe” in 3 runs in a row" in body
    assert "Invalid API Key provided" in body
    assert "revoked or has expired: create a new one in Stripe" in body
    assert f"https://shopwire.example/executions/{last['id']}" in body
    assert "sk_test_revokedKey" not in body


def test_a_success_or_a_new_key_ends_the_streak(app, api, run_queue, stripe):
    credential = account(api)
    flow_id = refund_flow(api, credential)
    shop_id = db.session.get(Credential, credential).merchant_id
    stripe.fail_next(401, stripe.error(401, ""))
    refund(api, run_queue, flow_id)
    assert refund(api, run_queue, flow_id)["status"] == "succeeded"
    for _ in range(2):
        stripe.fail_next(403, stripe.error(403, "The provided key does not have access"))
        refund(api, run_queue, flow_id)
    assert account_health.refused_accounts(shop_id, utcnow()) == []  # two since the success

    stripe.fail_next(403, stripe.error(403, "The provided key does not have access"))
    refund(api, run_queue, flow_id)
    [refused] = account_health.refused_accounts(shop_id, utcnow())
    assert (refused.count, refused.status) == (3, 403)

    saved = api.patch(f"/api/credentials/{credential}", json={"data": {"api_key": "sk_test_new"}})
    assert saved.status_code == 200, saved.get_json()
    assert account_health.refused_accounts(shop_id, utcnow()) == []


def test_the_overview_says_which_account_since_when_and_what_to_do(
    app, api, client, run_queue, stripe
):
    credential = account(api, api_key="sk_test_revokedKey")
    flow_id = refund_flow(api, credential)
    for _ in range(3):
        last = refund(api, run_queue, flow_id)
    member("acme", "owner@acme.de")
    sign_in(client, "owner@acme.de")

    page = client.get("/").get_data(as_text=True)

    problem = page[page.index('data-testid="account-problems"') :]
    assert "An account stopped working" in problem
    assert "Stripe refused the account “Stripe” in 3 runs in a row, since" in problem
    assert "Invalid API Key provided" in problem
    assert "What to do: its key or token was changed, revoked or has expired" in problem
    assert f"/flows/{flow_id}/edit" in problem and f"/executions/{last['id']}" in problem
    german = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Stripe hat das Konto „Stripe“ in 3 Läufen nacheinander abgelehnt" in german
    assert db.session.scalar(select(Credential.status).filter_by(id=credential)) == "ok"


def test_an_account_a_polling_trigger_is_refused_with_is_reported_until_it_works(
    app,
    api,
    client,
    shop,  # noqa: F811
):
    flow_id = polling_flow(api, shop)
    shop_id = db.session.get(Flow, flow_id).merchant_id
    db.session.add(AlertSettings(merchant_id=shop_id, emails="ops@acme.de", language="en"))
    db.session.commit()
    shop.token = "rotated-by-the-shop"  # the key Shopwire has no longer works
    for _ in range(3):
        assert timed_triggers.poll_flow(flow_id) == 0

    [refused] = account_health.refused_accounts(shop_id, utcnow())
    assert (refused.count, refused.status, refused.flows) == (3, 401, {flow_id: "Test flow"})
    alerts.run()
    [mail] = outbox()
    assert "refused the account “Shop” in 3 polls in a row" in mail.get_content()
    assert "what came in meanwhile is found by the first poll after" in mail.get_content()
    member("acme", "owner@acme.de")
    sign_in(client, "owner@acme.de")
    assert "in 3 polls in a row, since" in client.get("/").get_data(as_text=True)

    shop.token = "s3cret-token"  # fixed on the shop's side
    timed_triggers.poll_flow(flow_id)
    assert account_health.refused_accounts(shop_id, utcnow()) == []
