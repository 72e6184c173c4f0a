"""Mollie's API, as far as Shopwire calls it, answering from Mollie's own SDK test responses.

Documented behaviour kept: Bearer API-key auth, application/hal+json answers, errors as
``{"status", "title", "detail", "field", "_links"}``, 404 for unknown payment ids, 422 for a
refund above what is left or an amount with the wrong number of decimals, 429 replies, and
Idempotency-Key replays (the same key gets the first answer again). Payments and refunds are
copies of ``shared/fixtures/mollie``; there is no fixture for payment links, so those answers
follow the documented shape (the shipped example ``nodes/kit/examples/mollie/api.payment_link``).
"""

from __future__ import annotations

import json
import re
import secrets

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

API_KEY = "test_dHar4XY7LxsDOtmnkVtjNVWXLSlXsM"
DECIMALS = re.compile(r"^[0-9]+\.[0-9]{2}$")
DOCS = {"documentation": {"href": "https://docs.mollie.com/overview/handling-errors"}}


def fixture(name: str) -> dict:
    return example("mollie", f"api.{name}.response")


class FakeMollie(FakeProvider):
    account = {"api_key": API_KEY}
    sample_call = ("GET", "/v2/methods", None)

    content_type = "application/hal+json"

    def __init__(self) -> None:
        super().__init__()
        self.payments: dict[str, dict] = {}
        self.payment_links: dict[str, dict] = {}
        self.replies_by_key: dict[str, tuple[int, dict]] = {}

    def add_payment(self, status: str, **changes) -> str:
        """A copy of Mollie's example payment in ``status``, nothing refunded yet."""
        payment = fixture("payment_single") | {
            "id": "tr_" + secrets.token_hex(5),
            "status": status,
            **changes,
        }
        for key in ("amountChargedBack", "amountCaptured"):
            payment.pop(key, None)
        self.payments[payment["id"]] = payment
        return payment["id"]

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == f"Bearer {API_KEY}"

    def error(self, status: int, message: str, field: str | None = None) -> dict:
        titles = {
            401: "Unauthorized Request",
            404: "Not Found",
            422: "Unprocessable Entity",
            429: "Too Many Requests",
        }
        if status == 401:
            message = "Missing authentication, or failed to authenticate"
        if status == 429:
            message = "You have exceeded the rate limit. Please try again later."
        body = {"status": status, "title": titles.get(status, "Error"), "detail": message}
        if field:
            body["field"] = field
        return body | {"_links": DOCS}

    def _answer(self, request: Recorded):
        """Mollie answers a repeated Idempotency-Key with the first reply."""
        key = request.header("Idempotency-Key")
        if request.method == "POST" and key and key in self.replies_by_key:
            return self._encode(*self.replies_by_key[key], {})
        reply = super()._answer(request)
        if request.method == "POST" and key and reply[0] < 300:
            self.replies_by_key[key] = (reply[0], json.loads(reply[2]))
        return reply

    def _amount_problem(self, amount) -> tuple[int, dict] | None:
        if not isinstance(amount, dict) or not amount.get("currency"):
            return 422, self.error(422, "The amount is required", "amount")
        if not DECIMALS.match(str(amount.get("value", ""))):
            return 422, self.error(
                422, "The amount contains an invalid value: use 2 decimals", "amount.value"
            )
        return None

    @route("GET", "/v2/methods")
    def methods(self, request):
        return 200, {"count": 0, "_embedded": {"methods": []}, "_links": {}}

    @route("GET", "/v2/payments/{id}")
    def payment(self, request, id):
        found = self.payments.get(id)
        if found is None:
            return 404, self.error(404, f"No payment exists with token {id}.")
        return 200, found

    @route("POST", "/v2/payment-links")
    def create_payment_link(self, request):
        sent = request.json()
        if not sent.get("description"):
            return 422, self.error(422, "The description is required", "description")
        if problem := self._amount_problem(sent.get("amount")):
            return problem
        token = secrets.token_urlsafe(15)
        link = example("mollie", "api.payment_link") | {
            "id": f"pl_{token}",
            "description": sent["description"],
            "amount": sent["amount"],
            "redirectUrl": sent.get("redirectUrl"),
            "webhookUrl": sent.get("webhookUrl"),
            "expiresAt": sent.get("expiresAt"),
        }
        link["_links"]["paymentLink"]["href"] = f"https://paymentlink.mollie.com/payment/{token}/"
        self.payment_links[link["id"]] = link
        return 201, link

    @route("POST", "/v2/payments/{id}/refunds")
    def create_refund(self, request, id):
        payment = self.payments.get(id)
        if payment is None:
            return 404, self.error(404, f"No payment exists with token {id}.")
        sent = request.json()
        if problem := self._amount_problem(sent.get("amount")):
            return problem
        refunded = float((payment.get("amountRefunded") or {}).get("value", 0))
        left = float(payment["amount"]["value"]) - refunded
        if payment["status"] != "paid" or float(sent["amount"]["value"]) > left:
            return 422, self.error(
                422, f"The amount is higher than the maximum of {left:.2f}", "amount"
            )
        payment["amountRefunded"] = {
            "currency": payment["amount"]["currency"],
            "value": f"{refunded + float(sent['amount']['value']):.2f}",
        }
        refund = fixture("refund_single") | {
            "id": "re_" + secrets.token_hex(5),
            "amount": sent["amount"],
            "paymentId": id,
            "status": "pending",
            "description": sent.get("description", ""),
            "metadata": sent.get("metadata"),
        }
        refund.pop("lines", None)
        refund.pop("orderId", None)
        return 201, refund
