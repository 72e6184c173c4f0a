"""PayPal: captured and refunded payments as triggers, refunds and order look-ups as actions.

API reference: https://developer.paypal.com/api/rest/. Requests carry an OAuth 2 access token
fetched with the REST app's client id and secret (client credentials) and cached until shortly
before it expires; POSTs carry PayPal-Request-Id, PayPal's idempotency key.

Deliveries are checked by PayPal itself: the transmission headers, the webhook id and the event
go to ``POST /v1/notifications/verify-webhook-signature``, which answers SUCCESS or FAILURE. We
chose this over checking the certificate signature locally because it needs no certificate
handling in Shopwire (download, host allow-list, chain of trust, expiry are PayPal's), and the
merchant's own REST app is what vouches for the webhook id. The cost is one PayPal call per
delivery (the token is cached); when PayPal cannot be reached the delivery is answered 503 and
PayPal sends it again. PayPal's webhook simulator sends mock events this check refuses.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any

from nodes.kit.auth import ClientCredentials
from nodes.kit.base import Connector, InboundRequest, SignatureError, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.webhooks import ProviderCheck, Webhooks, check_age, field

# Each delivery attempt is a new transmission with its own id and time, signed anew, so an old
# transmission time means a replayed request. Generous, so a skewed clock loses no events.
TRANSMISSION_TOLERANCE_SECONDS = 600
HOSTS = {"live": "https://api-m.paypal.com", "sandbox": "https://api-m.sandbox.paypal.com"}

AUTH = account_schema(
    "PayPal account",
    ["client_id", "client_secret", "environment"],
    client_id={
        "type": "string",
        "title": "Client ID",
        "description": "developer.paypal.com → Apps & Credentials → your REST app.",
        "minLength": 1,
    },
    client_secret={
        "type": "string",
        "title": "Secret",
        "description": "The secret of the same REST app.",
        "minLength": 1,
        "writeOnly": True,
    },
    environment={
        "enum": ["live", "sandbox"],
        "title": "Environment",
        "description": "sandbox for test accounts, live for real payments.",
        "default": "live",
    },
    webhook_id={
        "type": "string",
        "title": "Webhook ID",
        "description": "Only if you add the webhook in the PayPal app yourself: the id shown "
        "there. Shopwire registers webhooks itself otherwise.",
    },
)


TRANSMISSION_HEADERS = {
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "cert_url": "PAYPAL-CERT-URL",
    "auth_algo": "PAYPAL-AUTH-ALGO",
}


def _confirmed(api, request: InboundRequest, webhook_id: str) -> None:
    """Fresh transmission headers, then PayPal's own verdict on them, the webhook id and the
    event exactly as received.

    This scheme needs the parsed body before it is verified: only a JSON object is a PayPal
    event worth asking PayPal about. Reading ``request.payload`` parses it then, as ingress
    bounds every parse: within the size limit, in linear time, nesting and numbers limited."""
    sent = {field: request.header(name) for field, name in TRANSMISSION_HEADERS.items()}
    _check_fresh(sent["transmission_time"])
    if not isinstance(request.payload, dict):
        raise SignatureError("The body is not a PayPal event (a JSON object was expected).")
    # The event goes back byte for byte: re-encoded JSON can differ from what PayPal signed.
    envelope = json.dumps({**sent, "webhook_id": webhook_id})[:-1].encode()
    envelope += b', "webhook_event": ' + request.body + b"}"
    answer = api.post(
        "/v1/notifications/verify-webhook-signature",
        data=envelope,
        headers={"Content-Type": "application/json"},
    )
    status = answer.get("verification_status") if isinstance(answer, dict) else None
    if status != "SUCCESS":
        raise SignatureError(
            f"PayPal did not confirm the signature (verification_status {status}): the "
            "delivery was not sent by PayPal for this webhook, or it was changed on the way."
        )


def _check_fresh(transmission_time: str) -> None:
    try:
        sent_at = datetime.fromisoformat(transmission_time.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise SignatureError(
            f"PAYPAL-TRANSMISSION-TIME is not a time: {transmission_time[:40]!r}."
        ) from None
    check_age(time.time() - sent_at, TRANSMISSION_TOLERANCE_SECONDS, "PayPal transmission")


AMOUNT = {
    "type": "object",
    "properties": {"value": {"type": "string"}, "currency_code": {"type": "string"}},
}


EVENT = {
    "type": "object",
    "required": ["id", "event_type", "resource"],
    "properties": {
        "id": {"type": "string"},
        "event_type": {"type": "string"},
        "create_time": {"type": "string"},
        "summary": {"type": "string"},
        "resource": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "status": {"type": "string"},
                "amount": AMOUNT,
                "invoice_id": {"type": "string"},
                "supplementary_data": {"type": "object"},
                "links": {"type": "array"},
            },
        },
    },
}


def _subscribe(api, url: str, event: str) -> dict[str, Any]:
    webhook = api.post(
        "/v1/notifications/webhooks", json={"url": url, "event_types": [{"name": event}]}
    )
    return {"id": webhook["id"]}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/v1/notifications/webhooks/{subscription['id']}")


paypal = Connector(
    "paypal",
    auth=AUTH,
    base_url=lambda credential: HOSTS[credential.get("environment", "live")],
    auth_type=ClientCredentials("/v1/oauth2/token"),
    errors=ErrorBody(
        ("error_description", "message"),
        code="error || details[?description].join(': ', [issue, description]) || details[].issue",
        reference="debug_id",
    ),
    idempotency_header="PayPal-Request-Id",
    test=lambda api: api.get("/v1/notifications/webhooks"),
    webhooks=Webhooks(
        events=listed("paypal", "events.txt"),
        event_type=field("event_type"),
        signature=ProviderCheck(
            _confirmed, key="webhook_id", headers=tuple(TRANSMISSION_HEADERS.values())
        ),
        event_id=field("id"),
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        manual="webhook_id",
        schema=EVENT,
        example=example("paypal", "webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator"),
    ),
)


from nodes.paypal import actions, triggers  # noqa: E402, F401  (they declare the nodes)
