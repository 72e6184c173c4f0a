"""PayPal's REST API, as far as Shopwire calls it, and PayPal's side of webhook deliveries.

Documented behaviour kept: OAuth 2 client credentials (``POST /v1/oauth2/token`` with the app's
id and secret as Basic auth, ``{"error": "invalid_client", ...}`` when they are wrong), Bearer
tokens on every other call, ``{"name", "message", "debug_id", "details": [{"issue",
"description"}]}`` errors, 429 ``RATE_LIMIT_REACHED``, PayPal-Request-Id replays, webhook
registration, and ``verify-webhook-signature`` answering SUCCESS only for a transmission PayPal
signed for that webhook id and that event. The capture and the event come from
``shared/fixtures/paypal``; PayPal's real signature is an RSA signature with its certificate,
the fake signs with a key of its own (the verdict is all Shopwire sees).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
import zlib
from datetime import UTC, datetime

from nodes.kit.examples import example
from nodes.kit.fakes.provider import FakeProvider, form, route
from nodes.kit.fakes.receiver import Recorded

CLIENT_ID = "AdOu-W3GPkrfuTbJNuW9dWVijxvhaXHFIRuKrLDwu14UDwTTHWMFkUwuu9D8I1MAQluERl9cFOd7Mfqe"
CLIENT_SECRET = "EOjRcXmbLh9nq2PdUXcjEaJSf5vTsSWKuT6ZlkZpLxqAVnHw1d3YYRu5Ey6zN8eHn2Yzez2yQ5"
CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77"
SIGNED_FIELDS = ("transmission_id", "transmission_time", "transmission_sig", "cert_url")


def fixture(name: str) -> dict:
    return example("paypal", f"{name}")


def canonical(event) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


class FakePayPal(FakeProvider):
    account = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "environment": "sandbox"}
    sample_call = (
        "GET",
        "/v1/notifications/webhooks",
        None,
    )

    def __init__(self) -> None:
        super().__init__()
        event = fixture("webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator")
        capture = event["resource"]
        self.captures = {capture["id"]: {**capture, "refunded": 0.0}}
        order_request = fixture("api.checkout-orders-v2.create.request.example")
        order_id = capture["supplementary_data"]["related_ids"]["order_id"]
        self.orders = {
            order_id: {
                "id": order_id,
                "intent": order_request["intent"],
                "status": "COMPLETED",
                "purchase_units": [
                    {
                        **unit,
                        "amount": capture["amount"],
                        "payments": {"captures": [{"id": capture["id"], "status": "COMPLETED"}]},
                    }
                    for unit in order_request["purchase_units"]
                ],
                "create_time": capture["create_time"],
            }
        }
        self.tokens: list[str] = []  # access tokens issued, newest last
        self.webhooks: dict[str, dict] = {}
        self.refunds_by_request: dict[str, dict] = {}
        self._signing_key = secrets.token_bytes(32)

    # PayPal's side of a delivery

    def deliver(self, event: dict | bytes, webhook_id: str, at: datetime | None = None):
        """The body and headers PayPal sends for ``event`` to the webhook ``webhook_id``."""
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        transmission = {
            "transmission_id": str(uuid.uuid1()),
            "transmission_time": (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "cert_url": CERT_URL,
            "auth_algo": "SHA256withRSA",
        }
        transmission["transmission_sig"] = self._sign(transmission, webhook_id, json.loads(body))
        headers = {f"PAYPAL-{k.upper().replace('_', '-')}": v for k, v in transmission.items()}
        return body, headers

    def _sign(self, transmission: dict, webhook_id: str, event) -> str:
        crc = zlib.crc32(canonical(event))
        signed = f"{transmission['transmission_id']}|{transmission['transmission_time']}|"
        signed += f"{webhook_id}|{crc}"
        digest = hmac.new(self._signing_key, signed.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    # auth and errors

    def authorized(self, request: Recorded) -> bool:
        if request.path == "/v1/oauth2/token":
            return True  # the route checks the app's Basic auth and answers OAuth's way
        return request.header("Authorization") in {f"Bearer {t}" for t in self.tokens}

    def error(self, status: int, message: str, name: str | None = None, **detail) -> dict:
        if status == 401:
            name = "AUTHENTICATION_FAILURE"
            message = (
                "Authentication failed due to invalid authentication credentials or a missing "
                "Authorization header."
            )
        if status == 429:
            name, message = "RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."
        body = {
            "name": name or "INVALID_REQUEST",
            "message": message,
            "debug_id": secrets.token_hex(6),
            "links": [
                {
                    "href": "https://developer.paypal.com/api/rest/reference/orders/v2/errors/",
                    "rel": "information_link",
                }
            ],
        }
        if detail:
            body["details"] = [detail]
        return body

    def rate_limited(self, retry_after: int):
        return 429, self.error(429, ""), {}

    def _not_found(self):
        return 404, self.error(
            404,
            "The specified resource does not exist.",
            "RESOURCE_NOT_FOUND",
            issue="INVALID_RESOURCE_ID",
            description="Specified resource ID does not exist. Please check the resource ID "
            "and try again.",
        )

    # routes

    @route("POST", "/v1/oauth2/token")
    def token(self, request):
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            return 401, {
                "error": "invalid_client",
                "error_description": "Client Authentication failed",
            }
        if form(request) != {"grant_type": "client_credentials"}:
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "Grant Type is NULL",
            }
        self.tokens.append("A21AA" + secrets.token_urlsafe(24))
        return 200, {
            "scope": "https://uri.paypal.com/services/payments/refund",
            "access_token": self.tokens[-1],
            "token_type": "Bearer",
            "app_id": "APP-80W284485P519543T",
            "expires_in": 32400,
            "nonce": "2024-08-02T19:33:35Z" + secrets.token_hex(8),
        }

    @route("POST", "/v1/notifications/verify-webhook-signature")
    def verify_webhook_signature(self, request):
        sent = request.json()
        missing = [
            f
            for f in (*SIGNED_FIELDS, "auth_algo", "webhook_id", "webhook_event")
            if not sent.get(f)
        ]
        if missing:
            return 400, self.error(
                400,
                "Request is not well-formed, syntactically incorrect, or violates schema.",
                "VALIDATION_ERROR",
                field=missing[0],
                issue="MISSING_REQUIRED_PARAMETER",
                description="A required field is missing.",
            )
        expected = self._sign(sent, sent["webhook_id"], sent["webhook_event"])
        verdict = hmac.compare_digest(expected, sent["transmission_sig"])
        return 200, {"verification_status": "SUCCESS" if verdict else "FAILURE"}

    @route("GET", "/v1/notifications/webhooks")
    def list_webhooks(self, request):
        return 200, {"webhooks": list(self.webhooks.values())}

    @route("POST", "/v1/notifications/webhooks")
    def create_webhook(self, request):
        sent = request.json()
        if any(hook["url"] == sent["url"] for hook in self.webhooks.values()):
            return 400, self.error(400, "Webhook URL already exists", "WEBHOOK_URL_ALREADY_EXISTS")
        webhook_id = secrets.token_hex(8).upper()
        self.webhooks[webhook_id] = {
            "id": webhook_id,
            "url": sent["url"],
            "event_types": sent["event_types"],
            "links": [
                {
                    "href": f"https://api-m.paypal.com/v1/notifications/webhooks/{webhook_id}",
                    "rel": "self",
                    "method": "GET",
                }
            ],
        }
        return 201, self.webhooks[webhook_id]

    @route("DELETE", "/v1/notifications/webhooks/{id}")
    def delete_webhook(self, request, id):
        if self.webhooks.pop(id, None) is None:
            return self._not_found()
        return 204, None

    @route("POST", "/v2/payments/captures/{id}/refund")
    def refund(self, request, id):
        request_id = request.header("PayPal-Request-Id")
        if request_id in self.refunds_by_request:
            return 201, self.refunds_by_request[request_id]
        capture = self.captures.get(id)
        if capture is None:
            return self._not_found()
        sent = request.json() or {}
        total = float(capture["amount"]["value"])
        amount = sent.get("amount") or {
            "value": f"{total - capture['refunded']:.2f}",
            "currency_code": capture["amount"]["currency_code"],
        }
        if amount["currency_code"] != capture["amount"]["currency_code"]:
            return 422, self.error(
                422,
                "The requested action could not be performed, semantically incorrect, or "
                "failed business validation.",
                "UNPROCESSABLE_ENTITY",
                issue="CURRENCY_MISMATCH",
                description="Currency of capture must be the same as currency of refund.",
            )
        if capture["refunded"] + float(amount["value"]) > total:
            return 422, self.error(
                422,
                "The requested action could not be performed, semantically incorrect, or "
                "failed business validation.",
                "UNPROCESSABLE_ENTITY",
                issue="REFUND_AMOUNT_EXCEEDED",
                description="The refund amount must be less than or equal to the capture "
                "amount that has not yet been refunded.",
            )
        capture["refunded"] += float(amount["value"])
        refund_id = secrets.token_hex(8).upper()
        refund = {
            "id": refund_id,
            "amount": amount,
            "status": "COMPLETED",
            **{k: sent[k] for k in ("invoice_id", "note_to_payer") if k in sent},
            "links": [
                {"href": f"https://api.paypal.com/v2/payments/refunds/{refund_id}", "rel": "self"},
                {"href": f"https://api.paypal.com/v2/payments/captures/{id}", "rel": "up"},
            ],
        }
        if request.header("Prefer") != "return=representation":
            refund = {k: refund[k] for k in ("id", "status", "links")}
        if request_id:
            self.refunds_by_request[request_id] = refund
        return 201, refund

    @route("GET", "/v2/checkout/orders/{id}")
    def order(self, request, id):
        found = self.orders.get(id)
        return (200, found) if found else self._not_found()
