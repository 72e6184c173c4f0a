"""The demo merchant's accounts and a Shopify → Stripe flow, for `shopwire up --demo`.

The accounts point at the provider fakes that command serves (see ``app/demo/doubles.py``);
created once, by name, so restarting keeps what the newcomer changed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.credentials.vault import vault
from app.extensions import db
from app.flows import lifecycle
from app.models import Credential, Flow, Merchant
from nodes.kit import registry

FLOW_NAME = "Demo: refund paid Shopify orders tagged “refund” in Stripe"
# The Stripe search query for the payment of the order that started the flow.
FIND_PAYMENT = "join('', ['metadata[\\'shopify_order_id\\']:\\'', to_string(trigger.id), '\\''])"


def seed(merchant: Merchant, accounts: dict[str, dict[str, Any]]) -> None:
    credential_ids = {
        connector: _account(merchant, connector, data) for connector, data in accounts.items()
    }
    exists = db.session.scalar(
        select(Flow.id).where(Flow.merchant_id == merchant.id, Flow.name == FLOW_NAME)
    )
    if exists is None:
        lifecycle.create(merchant.id, FLOW_NAME, _refund_flow(credential_ids))
    db.session.commit()


def _account(merchant: Merchant, connector: str, data: dict[str, Any]) -> str:
    title = registry.connector(connector).title["en"]
    name = f"Demo {title} (test double)"
    found = db.session.scalar(
        select(Credential.id).where(Credential.merchant_id == merchant.id, Credential.name == name)
    )
    if found:
        return found
    credential = Credential(
        merchant_id=merchant.id, connector=connector, name=name, secret=vault().encrypt(data)
    )
    db.session.add(credential)
    db.session.flush()
    return credential.id


def _refund_flow(credentials: dict[str, str]) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "nodes": [
            {
                "id": "paid",
                "type": "shopify.order_paid",
                "version": 1,
                "name": "Paid order",
                "credential": credentials["shopify"],
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "tagged",
                "type": "core.filter",
                "version": 1,
                "name": "Tagged “refund”",
                "mapping": {"condition": "contains(trigger.tags, 'refund')"},
                "position": {"x": 300, "y": 0},
            },
            {
                "id": "payment",
                "type": "stripe.api_call",
                "version": 1,
                "name": "The order's payment",
                "credential": credentials["stripe"],
                "params": {"method": "GET", "path": "/v1/payment_intents/search"},
                # Stripe's search: the payment whose metadata names this order.
                "mapping": {"query.query": FIND_PAYMENT},
                "position": {"x": 600, "y": 0},
            },
            {
                "id": "refund",
                "type": "stripe.create_refund",
                "version": 1,
                "name": "Refund in Stripe",
                "credential": credentials["stripe"],
                "params": {"reason": "requested_by_customer"},
                "mapping": {
                    "payment_intent": "steps.payment.body.data[0].id",
                    "metadata.shopify_order_id": "to_string(trigger.id)",
                    "metadata.shopify_order": "trigger.name",
                },
                "position": {"x": 900, "y": 0},
            },
        ],
        "edges": [
            {"source": "paid", "target": "tagged", "port": "main"},
            {"source": "tagged", "target": "payment", "port": "main"},
            {"source": "payment", "target": "refund", "port": "main"},
        ],
    }
