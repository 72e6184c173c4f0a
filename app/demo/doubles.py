"""The provider doubles behind `make run`'s demo: a Shopify shop, a WooCommerce store, a Stripe
account, lexoffice and DHL that answer like the real APIs (from the vendors' own example
payloads), so a newcomer can run the demo flow and the shop, accounting and shipping starters
without accounts. `shopwire up --demo` serves them in its process and points the connectors at
them; :mod:`app.demo` gives the demo merchant accounts and a flow.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.dhl.fake import FakeDhl
from nodes.kit.fakes.provider import FakeProvider
from nodes.lexoffice.fake import FakeLexoffice
from nodes.shopify.fake import FakeShopify
from nodes.stripe.fake import FakeStripe
from nodes.woocommerce.fake import FakeWooCommerce


@dataclass
class Served:
    fakes: dict[str, FakeProvider]  # connector key → its double
    origins: dict[str, str]  # connector key → where its double listens
    accounts: dict[str, dict]  # connector key → the demo account's data
    payment_intent: str  # the Stripe payment of the shop's sample order

    def close(self) -> None:
        for fake in self.fakes.values():
            fake.close()


def start() -> Served:
    fakes: dict[str, FakeProvider] = {
        "shopify": FakeShopify(http_addresses=True),
        "stripe": FakeStripe(),
        "woocommerce": FakeWooCommerce(),
        "lexoffice": FakeLexoffice(),
        "dhl": FakeDhl(),
    }
    for fake in fakes.values():
        fake.__enter__()
    (payment_intent,) = fakes["stripe"].payment_intents
    # The shop's sample order was paid with this payment: the demo flow finds it by the order.
    (order,) = fakes["shopify"].rest_orders
    fakes["stripe"].payment_intents[payment_intent]["metadata"] = {
        "shopify_order_id": str(order["id"])
    }
    return Served(
        fakes=fakes,
        origins={key: fake.origin for key, fake in fakes.items()},
        accounts={key: dict(fake.account) for key, fake in fakes.items()},
        payment_intent=payment_intent,
    )
