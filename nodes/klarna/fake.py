"""Klarna's Order Management API, as far as Shopwire calls it.

There are no Klarna fixtures in ``shared/fixtures``: the order (``nodes/kit/examples/klarna``) and
every answer follow the shapes documented at docs.klarna.com/api/ordermanagement. Kept: HTTP
Basic auth, amounts in minor units, 201 with an empty body and the new id in Capture-Id /
Refund-Id and Location, errors as ``{"error_code", "error_messages", "correlation_id"}``
(NO_SUCH_ORDER 404, CAPTURE_NOT_ALLOWED / REFUND_NOT_ALLOWED 403, BAD_VALUE 400), 429 replies,
and Klarna-Idempotency-Key replays (the same key gets the first capture or refund again).
"""

from __future__ import annotations

import base64
import uuid

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

USERNAME = "K123456_abcdef123456"
PASSWORD = "pw_0123456789abcdef"
ORDERS = "/ordermanagement/v1/orders"


class FakeKlarna(FakeProvider):
    account = {"username": USERNAME, "password": PASSWORD, "region": "playground-eu"}
    sample_call = (
        "GET",
        f"{ORDERS}/{example('klarna', 'api.order')['order_id']}",
        None,
    )

    def __init__(self) -> None:
        super().__init__()
        order = example("klarna", "api.order")
        self.orders = {order["order_id"]: order}
        self.created_by_key: dict[str, tuple[int, None, dict[str, str]]] = {}

    def authorized(self, request: Recorded) -> bool:
        pair = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        return request.header("Authorization") == f"Basic {pair}"

    def error(self, status: int, message: str, code: str | None = None) -> dict:
        codes = {401: "UNAUTHORIZED", 404: "NO_SUCH_ORDER", 429: "TOO_MANY_REQUESTS"}
        return {
            "error_code": code or codes.get(status, "BAD_VALUE"),
            "error_messages": [message],
            "correlation_id": str(uuid.uuid4()),
        }

    def _answer(self, request: Recorded):
        """A repeated Klarna-Idempotency-Key gets the first capture or refund again."""
        key = request.header("Klarna-Idempotency-Key")
        if request.method == "POST" and key in self.created_by_key:
            return self._encode(*self.created_by_key[key])
        return super()._answer(request)

    def _order(self, order_id: str):
        return self.orders.get(order_id)

    def _created(self, request: Recorded, order_id: str, kind: str, apply):
        """201 with the new id in headers; a repeated idempotency key gets the first answer."""
        key = request.header("Klarna-Idempotency-Key")
        new_id = str(uuid.uuid4())
        apply(new_id)
        location = f"https://api.klarna.com{ORDERS}/{order_id}/{kind}s/{new_id}"
        reply = (201, None, {f"{kind.capitalize()}-Id": new_id, "Location": location})
        if key:
            self.created_by_key[key] = reply
        return reply

    @route("GET", ORDERS + "/{id}")
    def get_order(self, request, id):
        order = self._order(id)
        return (200, order) if order else (404, self.error(404, "Order not found"))

    @route("POST", ORDERS + "/{id}/captures")
    def capture(self, request, id):
        order = self._order(id)
        if order is None:
            return 404, self.error(404, "Order not found")
        amount = (request.json() or {}).get("captured_amount")
        if not isinstance(amount, int):
            return 400, self.error(400, "captured_amount must be an integer", "BAD_VALUE")
        if order["status"] not in ("AUTHORIZED", "PART_CAPTURED"):
            return 403, self.error(
                403, f"Capture not allowed in status {order['status']}", "CAPTURE_NOT_ALLOWED"
            )
        if amount > order["remaining_authorized_amount"]:
            return 403, self.error(
                403,
                "Captured amount is higher than the remaining authorized amount.",
                "CAPTURE_NOT_ALLOWED",
            )

        def apply(capture_id: str) -> None:
            order["captured_amount"] += amount
            order["remaining_authorized_amount"] -= amount
            order["status"] = (
                "CAPTURED" if order["remaining_authorized_amount"] == 0 else ("PART_CAPTURED")
            )
            order["captures"].append({"capture_id": capture_id, "captured_amount": amount})

        return self._created(request, id, "capture", apply)

    @route("POST", ORDERS + "/{id}/refunds")
    def refund(self, request, id):
        order = self._order(id)
        if order is None:
            return 404, self.error(404, "Order not found")
        amount = (request.json() or {}).get("refunded_amount")
        if not isinstance(amount, int):
            return 400, self.error(400, "refunded_amount must be an integer", "BAD_VALUE")
        if amount > order["captured_amount"] - order["refunded_amount"]:
            return 403, self.error(
                403, "Refunded amount is higher than the captured amount.", "REFUND_NOT_ALLOWED"
            )

        def apply(refund_id: str) -> None:
            order["refunded_amount"] += amount
            order["refunds"].append({"refund_id": refund_id, "refunded_amount": amount})

        return self._created(request, id, "refund", apply)
