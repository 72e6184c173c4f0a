"""The provider doubles behind `make run`'s demo: a Shopify shop and a Stripe account that answer
like the real APIs (from the vendors' own example payloads), so a newcomer can run a
Shopify → Stripe flow without accounts. `shopwire up --demo` serves them in its process
and points the connectors at them; :mod:`app.demo` gives the demo merchant accounts and a flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.kit.fakes.provider import FakeProvider
from nodes.shopify import fake as shopify
from nodes.stripe import fake as stripe


@dataclass
class Served:
    fakes: list[FakeProvider]
    origins: dict[str, str]  # connector key → where its fake listens
    accounts: dict[str, dict]  # connector key → the demo account's data
    payment_intent: str  # the Stripe payment of the shop's sample order

    def close(self) -> None:
        for fake in self.fakes:
            fake.close()


def start() -> Served:
    shop, payments = shopify.FakeShopify(http_addresses=True), stripe.FakeStripe()
    for fake in (shop, payments):
        fake.__enter__()
    (payment_intent,) = payments.payment_intents
    # The shop's sample order was paid with this payment: the demo flow finds it by the order.
    (order,) = shop.rest_orders
    payments.payment_intents[payment_intent]["metadata"] = {"shopify_order_id": str(order["id"])}
    return Served(
        fakes=[shop, payments],
        origins={"shopify": shop.origin, "stripe": payments.origin},
        accounts={
            "shopify": {
                "shop": shopify.SHOP,
                "access_token": shopify.ACCESS_TOKEN,
                "api_secret": shopify.API_SECRET,
            },
            "stripe": {"api_key": stripe.API_KEY},
        },
        payment_intent=payment_intent,
    )
