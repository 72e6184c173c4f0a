"""Stripe's API, as far as Shopwire calls it, answering from Stripe's own fixtures.

Documented behaviour kept: Bearer secret-key auth (401 ``Invalid API Key provided``), form
bodies, ``{"error": {"type", "code", "message", "param"}}`` errors, 400 ``resource_missing``
for unknown ids, 429 ``rate_limit`` replies, and the signing secret returned once on
``POST /v1/webhook_endpoints``.

Events: :meth:`FakeStripe.emit` creates one as Stripe does when something happens in the
account; ``GET /v1/events`` lists them newest first with the documented ``type``,
``created[gt|gte|lt|lte]``, ``limit`` (1 to 100), ``starting_after`` and ``has_more``.
:meth:`FakeStripe.disable_endpoint` does what Stripe does to an endpoint whose deliveries
kept failing.
"""

from __future__ import annotations

import secrets
import time

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, form, query, route
from nodes.kit.fakes.receiver import Recorded

API_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


def fixture(name: str) -> dict:
    return example("stripe", f"openapi-fixture.{name}")


def resource(name: str) -> dict:
    full = example("stripe", "openapi-fixtures3.full")
    return full["resources"][name]


class FakeStripe(FakeProvider):
    account = {"api_key": API_KEY}
    sample_call = ("GET", "/v1/balance", None)

    def __init__(self) -> None:
        super().__init__()
        payment_intent = fixture("payment_intent")
        customer = fixture("customer")
        self.payment_intents = {payment_intent["id"]: payment_intent}
        self.customers = {customer["id"]: customer}
        self.webhook_endpoints: dict[str, dict] = {}
        self.issued_secrets: list[str] = []  # signing secrets handed out, newest last
        self.events: list[dict] = []  # oldest first

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == f"Bearer {API_KEY}"

    def error(self, status: int, message: str, **details) -> dict:
        kind = {401: "invalid_request_error", 429: "invalid_request_error"}.get(status)
        if status == 401:
            message = "Invalid API Key provided: sk_test_****"
        if status == 429:
            details.setdefault("code", "rate_limit")
            message = "Request rate limit exceeded. Learn more about rate limits here."
        return {"error": {"type": kind or "invalid_request_error", "message": message, **details}}

    def rate_limited(self, retry_after: int):
        # Stripe sends no Retry-After; clients back off on their own.
        return 429, self.error(429, ""), {}

    def _missing(self, kind: str, object_id: str, param: str = "id"):
        return 400, self.error(
            400, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
        )

    @route("GET", "/v1/balance")
    def balance(self, request):
        return 200, resource("balance")

    @route("GET", "/v1/customers/{id}")
    def customer(self, request, id):
        found = self.customers.get(id)
        return (200, found) if found else self._missing("customer", id)

    @route("GET", "/v1/payment_intents/{id}")
    def payment_intent(self, request, id):
        found = self.payment_intents.get(id)
        return (200, found) if found else self._missing("payment_intent", id)

    @route("GET", "/v1/prices")
    def list_prices(self, request):
        """Active prices; ``expand[]=data.product`` puts the product object in each."""
        asked = query(request)
        price, product = resource("price"), resource("product")
        if asked.get("expand[]") == "data.product":
            price = price | {"product": product | {"id": price["product"]}}
        prices = [price] if asked.get("active") in (None, "true") or price["active"] else []
        return 200, {"object": "list", "url": "/v1/prices", "has_more": False, "data": prices}

    @route("POST", "/v1/refunds")
    def create_refund(self, request):
        data = form(request)
        intent = self.payment_intents.get(data.get("payment_intent", ""))
        if intent is None:
            return self._missing("payment_intent", data.get("payment_intent"), "payment_intent")
        amount = int(data.get("amount", intent["amount"]))
        if amount > intent["amount"]:
            return 400, self.error(
                400,
                f"Refund amount ({amount}) is greater than charge amount ({intent['amount']})",
                code="amount_too_large",
                param="amount",
            )
        refund = fixture("refund") | {
            "id": "re_" + secrets.token_hex(8),
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "reason": data.get("reason"),
            "metadata": {k[9:-1]: v for k, v in data.items() if k.startswith("metadata[")},
        }
        return 200, refund

    @route("POST", "/v1/payment_links")
    def create_payment_link(self, request):
        data = form(request)
        if "line_items[0][price]" not in data:
            return 400, self.error(400, "Missing required param: line_items.", param="line_items")
        link_id = "plink_" + secrets.token_hex(8)
        return 200, resource("payment_link") | {
            "id": link_id,
            "url": f"https://buy.stripe.com/test_{link_id}",
        }

    @route("POST", "/v1/webhook_endpoints")
    def create_webhook_endpoint(self, request):
        data = form(request)
        endpoint = resource("webhook_endpoint") | {
            "id": "we_" + secrets.token_hex(8),
            "url": data["url"],
            "enabled_events": [v for k, v in data.items() if k.startswith("enabled_events[")],
        }
        self.webhook_endpoints[endpoint["id"]] = endpoint
        self.issued_secrets.append("whsec_" + secrets.token_hex(16))
        return 200, endpoint | {"secret": self.issued_secrets[-1]}

    @route("GET", "/v1/webhook_endpoints/{id}")
    def get_webhook_endpoint(self, request, id):
        found = self.webhook_endpoints.get(id)
        if found is None:
            return 404, self.error(
                404, f"No such webhook endpoint: '{id}'", code="resource_missing", param="id"
            )
        return 200, found

    def disable_endpoint(self, endpoint_id: str) -> None:
        self.webhook_endpoints[endpoint_id]["status"] = "disabled"

    def emit(self, event_type: str, data_object: dict) -> dict:
        """A new event in the account (Stripe's event fixture, with this type
        and object), created now."""
        event = resource("event") | {
            "id": "evt_" + secrets.token_hex(12),
            "type": event_type,
            "created": int(time.time()),
            "data": {"object": data_object},
        }
        self.events.append(event)
        return event

    @route("GET", "/v1/events")
    def list_events(self, request):
        asked = query(request)
        limit = int(asked.get("limit", 10))
        if not 1 <= limit <= 100:
            return 400, self.error(400, "Invalid integer: must be between 1 and 100", param="limit")
        newest_first = self.events[::-1]
        if "starting_after" in asked:
            ids = [event["id"] for event in newest_first]
            if asked["starting_after"] not in ids:
                return self._missing("event", asked["starting_after"], "starting_after")
            newest_first = newest_first[ids.index(asked["starting_after"]) + 1 :]
        compare = {"gt": int.__gt__, "gte": int.__ge__, "lt": int.__lt__, "lte": int.__le__}
        found = [
            event
            for event in newest_first
            if asked.get("type", event["type"]) == event["type"]
            and all(
                test(event["created"], int(asked[f"created[{name}]"]))
                for name, test in compare.items()
                if f"created[{name}]" in asked
            )
        ]
        return 200, {
            "object": "list",
            "url": "/v1/events",
            "has_more": len(found) > limit,
            "data": found[:limit],
        }

    @route("DELETE", "/v1/webhook_endpoints/{id}")
    def delete_webhook_endpoint(self, request, id):
        if self.webhook_endpoints.pop(id, None) is None:
            return self._missing("webhook_endpoint", id)
        return 200, {"id": id, "object": "webhook_endpoint", "deleted": True}
