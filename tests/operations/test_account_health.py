"""An account that stopped working: the provider refuses its key run after run. The shop is
told once (in the digest), and the overview says which account, since when and what to do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.identity.mail import outbox
from app.models import AlertSettings, Credential
from app.models.base import utcnow
from app.operations import account_health, alerts
from nodes.stripe.fake import FakeStripe, fixture
from tests.conftest import connected, run_now
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
    shop = db.session.get(Credential, credential).merchant_id
    db.session.add(AlertSettings(merchant_id=shop, emails="ops@acme.de", language="en"))
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
    shop = db.session.get(Credential, credential).merchant_id
    stripe.fail_next(401, stripe.error(401, ""))
    refund(api, run_queue, flow_id)
    assert refund(api, run_queue, flow_id)["status"] == "succeeded"
    for _ in range(2):
        stripe.fail_next(403, stripe.error(403, "The provided key does not have access"))
        refund(api, run_queue, flow_id)
    assert account_health.refused_accounts(shop, utcnow()) == []  # two since the success

    stripe.fail_next(403, stripe.error(403, "The provided key does not have access"))
    refund(api, run_queue, flow_id)
    [refused] = account_health.refused_accounts(shop, utcnow())
    assert (refused.count, refused.status) == (3, 403)

    saved = api.patch(f"/api/credentials/{credential}", json={"data": {"api_key": "sk_test_new"}})
    assert saved.status_code == 200, saved.get_json()
    assert account_health.refused_accounts(shop, utcnow()) == []


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
