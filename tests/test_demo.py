"""`make run`'s demo: the demo merchant's Shopify → Stripe flow and the starters run against the
fakes."""

import json

from sqlalchemy import func, select

from app import demo
from app.cli import (
    DEMO_EMAIL,
    DEMO_MERCHANT,
    ensure_demo_login,
    ensure_demo_merchant,
    merchant_named,
)
from app.demo import doubles as fakes
from app.extensions import db
from app.flows.templates import STARTERS, install_starters
from app.identity.mail import outbox
from app.models import Credential, Flow
from nodes.kit.examples import example
from nodes.kit.fakes.provider import form, query
from nodes.shopify.fake import FakeShopify
from tests.conftest import Api, load_fixture
from tests.people import sign_in


def test_the_demo_flow_refunds_a_tagged_paid_order_in_the_stripe_double(app, client, run_queue):
    served = fakes.start()
    try:
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = served.origins
        api = Api(client, ensure_demo_merchant())
        for _ in range(2):  # a restart seeds nothing twice
            demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
        assert db.session.scalar(select(func.count()).select_from(Credential)) == len(served.fakes)
        (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))

        order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))
        order["tags"] = "refund, vip"
        started = api.post(f"/api/flows/{flow_id}/run", json={"payload": order}).get_json()
        run_queue()
        done = api.get(f"/api/executions/{started['id']}").get_json()
        assert done["status"] == "succeeded", done

        stripe = served.fakes["stripe"]
        # The payment of this order, found by it in Stripe, not a fixed one.
        (search,) = [r for r in stripe.requests if r.path.startswith("/v1/payment_intents/")]
        assert query(search) == {"query": f"metadata['shopify_order_id']:'{order['id']}'"}
        (refund,) = [r for r in stripe.requests if r.path == "/v1/refunds"]
        assert form(refund)["payment_intent"] == served.payment_intent
        assert form(refund)["metadata[shopify_order]"] == order["name"]
    finally:
        served.close()


def test_the_demo_flow_can_be_switched_on_at_an_http_address(app, client):
    served = fakes.start()
    try:
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = served.origins
        api = Api(client, ensure_demo_merchant())
        demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
        (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))
        switched = api.post(f"/api/flows/{flow_id}/activate")
        assert switched.status_code == 200, switched.get_json()
        [hook] = switched.get_json()["webhooks"]
        assert hook["url"].startswith("http://")
        [subscription] = served.fakes["shopify"].webhook_subscriptions.values()
        assert subscription["uri"] == hook["url"]
    finally:
        served.close()


def test_a_real_shopify_refusing_http_is_told_the_real_cause_and_the_way_around(app, client):
    with FakeShopify() as shop:  # like the real Shopify: https addresses only
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = {"shopify": shop.origin}
        served = fakes.start()
        try:
            api = Api(client, ensure_demo_merchant())
            demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
        finally:
            served.close()
        (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))
        refused = api.post(f"/api/flows/{flow_id}/activate")
    assert refused.status_code == 422
    detail = refused.get_json()["detail"]
    assert "Shopify sends events only to a public https:// address" in detail
    assert "Set SHOPWIRE_PUBLIC_URL" in detail and "set the webhook up by hand" in detail
    assert "Check the values this step sends" not in detail


def test_the_demo_login_has_a_generated_password_shown_only_when_it_is_created(app, client):
    password = ensure_demo_login()
    assert password and len(password) >= 16
    assert ensure_demo_login() is None  # a restart keeps the login and shows no password
    assert sign_in(client, DEMO_EMAIL, "shopwire-demo").status_code == 200  # no known password
    assert sign_in(client, DEMO_EMAIL, password).status_code == 302


def test_each_start_prints_a_token_that_revokes_the_one_printed_before(app, client):
    before, now = ensure_demo_merchant(), ensure_demo_merchant()
    assert Api(client, before).get("/api/flows").status_code == 401
    assert Api(client, now).get("/api/flows").status_code == 200


def test_the_accounting_and_shipping_starters_run_on_the_demo_accounts(app, client, run_queue):
    """A newcomer installs the lexoffice and DHL starters with the demo's accounts and tests
    them: the invoice and the label are made in the doubles, the mails go to the log."""
    german = {"address_1": "Kurt-Schumacher-Str. 20", "postcode": "53113", "city": "Bonn"}
    order = example("woocommerce", "rest-v3.order.create.response")
    order["shipping"] |= german | {"state": "", "country": "DE"}  # what the test dialog allows
    served = fakes.start()
    try:
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = served.origins
        api = Api(client, ensure_demo_merchant())
        demo.seed(merchant_named(DEMO_MERCHANT), served.accounts)
        install_starters()
        credentials = api.get("/api/credentials").get_json()["credentials"]
        accounts = {c["connector"]: c["id"] for c in credentials}
        gallery = {t["title"]: t["id"] for t in api.get("/api/templates").get_json()["items"]}
        runs = {}
        for key, payload, parameters in (
            ("shopify-order-lexoffice-invoice", example("shopify", "webhook.orders_paid"), {}),
            ("woocommerce-order-dhl-label", order, {"shipper_ref": "Lager Bonn"}),
        ):
            template = gallery[json.loads((STARTERS / f"{key}.json").read_text())["title"]["en"]]
            slots = api.get(f"/api/templates/{template}").get_json()["credential_slots"]
            installed = api.post(
                f"/api/templates/{template}/install",
                json={
                    "credentials": {s["id"]: accounts[s["connector"]] for s in slots},
                    "parameters": parameters,
                },
            )
            assert installed.status_code == 201, installed.get_json()
            flow_id = installed.get_json()["flow_id"]
            started = api.post(f"/api/flows/{flow_id}/run", json={"payload": payload}).get_json()
            run_queue()
            runs[key] = api.get(f"/api/executions/{started['id']}").get_json()
    finally:
        served.close()

    invoiced, shipped = runs.values()
    assert invoiced["status"] == shipped["status"] == "succeeded", runs
    [voucher] = served.fakes["lexoffice"].vouchers.values()
    [shipment] = served.fakes["dhl"].shipments
    assert [f["filename"] for f in invoiced["files"] + shipped["files"]] == [
        f"{voucher['voucherNumber']}.pdf",
        f"dhl-{shipment}.pdf",
    ]
    invoice_mail, tracking_mail = outbox()[-2:]
    assert invoice_mail["To"] == "jon@example.com"
    assert [a.get_filename() for a in invoice_mail.iter_attachments()] == [
        f"{voucher['voucherNumber']}.pdf"
    ]
    assert tracking_mail["To"] == order["billing"]["email"]
    assert f"piececode={shipment}" in tracking_mail.get_body(("plain",)).get_content()
