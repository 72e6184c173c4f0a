"""Shopware 6's Admin API, as far as Shopwire calls it.

There are no recorded Shopware payloads among the shared fixtures, so the answers follow the
shapes of Shopware's Admin API reference: ``POST /api/oauth/token`` (client credentials →
``{"token_type": "Bearer", "expires_in": 600, "access_token"}``), bearer tokens that expire,
``POST /api/search/order`` with criteria (ids, range filter, sort, limit) answering
``{"total", "data", "aggregations"}`` as plain JSON, the order state machine behind
``POST /api/_action/order/<id>/state/<transition>``, ``PATCH /api/product/<id>`` answering 204,
and errors ``{"errors": [{"status", "code", "title", "detail"}]}``.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

CLIENT_ID = "SWIAQ0NHCKDSBLK5Z1PMDHJNAG"
CLIENT_SECRET = "ZmhqS3NrZ1dWNk9sa0dUbHpsZ0pZb3Z6cHJmR3BHc0h0dWE2WWI"
SHOP_URL = "https://shop.example.com"
TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}
# Shopware's order state machine (order.state): transition → (from states, to state).
TRANSITIONS = {
    "process": ({"open"}, "in_progress"),
    "complete": ({"in_progress"}, "completed"),
    "cancel": ({"open", "in_progress"}, "cancelled"),
    "reopen": ({"completed", "cancelled"}, "open"),
}


def new_id() -> str:
    return secrets.token_hex(16)


class FakeShopware(FakeProvider):
    account = {"shop_url": SHOP_URL, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    sample_call = ("GET", "/_info/version", None)

    def __init__(self) -> None:
        super().__init__()
        order = example("shopware", "order")
        self.orders = {order["id"]: order}
        self.products = {"0193a7c1c4ba71f6a1d5e3c0b2a4f1c3": {"stock": 7}}
        self.expires_in = 600
        self.tokens: dict[str, float] = {}  # access token → expiry (time.time())
        self.token_requests = 0

    def add_order(self, created_at: datetime, number: str, id: str | None = None) -> dict:
        """A new order, as if a customer had just checked out."""
        order = example("shopware", "order") | {
            "id": id or new_id(),
            "orderNumber": number,
            "createdAt": created_at.isoformat(timespec="milliseconds"),
        }
        self.orders[order["id"]] = order
        return order

    def expire_tokens(self) -> None:
        """Every issued token stops working (revoked, or the integration's key changed)."""
        self.tokens.clear()

    def authorized(self, request: Recorded) -> bool:
        if request.path == "/api/oauth/token":
            return True
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        return scheme == "Bearer" and self.tokens.get(token, 0) > time.time()

    def error(self, status: int, message: str, code: str = "0") -> dict:
        if status == 401:
            code, message = "9", "Access token could not be verified."
        if status == 429:
            code = "FRAMEWORK__RATE_LIMIT_EXCEEDED"
            message = "Too many requests, try again in 1 seconds."
        return {
            "errors": [
                {
                    "status": str(status),
                    "code": code,
                    "title": TITLES.get(status, "Error"),
                    "detail": message,
                }
            ]
        }

    # auth

    @route("POST", "/api/oauth/token")
    def token(self, request):
        self.token_requests += 1
        sent = request.json() or {}
        if sent.get("grant_type") != "client_credentials":
            return 400, self.error(400, "The authorization grant type is not supported.", "2")
        if (sent.get("client_id"), sent.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {
                "errors": [
                    {
                        "status": "401",
                        "code": "4",
                        "title": "Unauthorized",
                        "detail": "Client authentication failed",
                    }
                ]
            }
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.time() + self.expires_in
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}

    @route("GET", "/api/_info/version")
    def version(self, request):
        return 200, {"version": "6.6.3.1"}

    # orders

    @route("POST", "/api/search/order")
    def search_orders(self, request):
        if request.header("Accept") != "application/json":
            return 400, self.error(400, "This fake answers plain JSON only.")
        criteria = request.json()
        found = list(self.orders.values())
        if "ids" in criteria:
            found = [o for o in found if o["id"] in criteria["ids"]]
        for condition in criteria.get("filter", []):
            if (condition.get("type"), condition.get("field")) != ("range", "createdAt"):
                return 400, self.error(400, f"This fake filters by createdAt only: {condition}")
            since = datetime.fromisoformat(condition["parameters"]["gte"])
            found = [o for o in found if datetime.fromisoformat(o["createdAt"]) >= since]
        for sort in reversed(criteria.get("sort", [])):
            key = sort["field"]
            found.sort(key=lambda o, k=key: o[k], reverse=sort["order"] == "DESC")
        found = found[: criteria.get("limit", 500)]
        return 200, {"total": len(found), "data": found, "aggregations": []}

    @route("POST", "/api/_action/order/{id}/state/{transition}")
    def transition(self, request, id, transition):
        order = self.orders.get(id)
        if order is None:
            return 404, self.error(
                404,
                f'Could not find entity for "order" with id "{id}".',
                "FRAMEWORK__ENTITY_NOT_FOUND",
            )
        current = order["stateMachineState"]["technicalName"]
        sources, target = TRANSITIONS.get(transition, (set(), None))
        if current not in sources:
            possible = ", ".join(t for t, (f, _) in TRANSITIONS.items() if current in f)
            return 400, self.error(
                400,
                f'Illegal transition "{transition}" from state "{current}". '
                f"Possible transitions are: {possible}",
                "SYSTEM__ILLEGAL_STATE_TRANSITION",
            )
        state = {"id": new_id(), "technicalName": target, "name": target.replace("_", " ")}
        order["stateMachineState"] = state
        return 200, state

    # products

    @route("PATCH", "/api/product/{id}")
    def update_product(self, request, id):
        product = self.products.get(id)
        if product is None:
            return 404, self.error(
                404,
                f"The product resource with the following primary key was not found: id({id})",
                "FRAMEWORK__RESOURCE_NOT_FOUND",
            )
        sent = request.json()
        if not isinstance(sent.get("stock"), int):
            return 400, self.error(
                400, "This value should be of type int.", "VIOLATION::INVALID_TYPE"
            )
        product.update(sent)
        return 204, None


def minutes_ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)
