"""`make run`'s demo: the demo merchant's Shopify → Stripe flow runs against the fakes."""

import json

from sqlalchemy import func, select

from app import demo
from app.cli import DEMO_MERCHANT, ensure_demo_merchant, merchant_named
from app.demo import doubles as fakes
from app.extensions import db
from app.models import Credential, Flow
from nodes.kit.fakes.provider import form
from tests.conftest import Api, load_fixture


def test_the_demo_flow_refunds_a_tagged_paid_order_in_the_stripe_double(app, client, run_queue):
    served = fakes.start()
    try:
        app.config["SHOPWIRE_CONNECTOR_ORIGINS"] = served.origins
        api = Api(client, ensure_demo_merchant())
        for _ in range(2):  # a restart seeds nothing twice
            demo.seed(merchant_named(DEMO_MERCHANT), served.accounts, served.payment_intent)
        assert db.session.scalar(select(func.count()).select_from(Credential)) == 2
        (flow_id,) = db.session.scalars(select(Flow.id).where(Flow.name == demo.FLOW_NAME))

        order = json.loads(load_fixture("shopify", "webhook.orders_paid.json"))
        order["tags"] = "refund, vip"
        started = api.post(f"/api/flows/{flow_id}/run", json={"payload": order}).get_json()
        run_queue()
        done = api.get(f"/api/executions/{started['id']}").get_json()
        assert done["status"] == "succeeded", done

        stripe = served.fakes[1]
        (refund,) = [r for r in stripe.requests if r.path == "/v1/refunds"]
        assert form(refund)["payment_intent"] == served.payment_intent
        assert form(refund)["metadata[shopify_order]"] == order["name"]
    finally:
        served.close()
