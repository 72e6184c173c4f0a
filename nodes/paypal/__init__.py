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

from nodes.kit.base import Connector, InboundRequest, NodeContext, SignatureError
from nodes.kit.client import TokenCache, body_of, raise_for_status, send
from nodes.kit.examples import example

# Each delivery attempt is a new transmission with its own id and time, signed anew, so an old
# transmission time means a replayed request. Generous, so a skewed clock loses no events.
TRANSMISSION_TOLERANCE_SECONDS = 600
HOSTS = {"live": "https://api-m.paypal.com", "sandbox": "https://api-m.sandbox.paypal.com"}
TOKENS = TokenCache()

AUTH = {
    "type": "object",
    "title": "PayPal account",
    "required": ["client_id", "client_secret", "environment"],
    "properties": {
        "client_id": {
            "type": "string",
            "title": "Client ID",
            "description": "developer.paypal.com → Apps & Credentials → your REST app.",
            "minLength": 1,
        },
        "client_secret": {
            "type": "string",
            "title": "Secret",
            "description": "The secret of the same REST app.",
            "minLength": 1,
            "writeOnly": True,
        },
        "environment": {
            "enum": ["live", "sandbox"],
            "title": "Environment",
            "description": "sandbox for test accounts, live for real payments.",
            "default": "live",
        },
        "webhook_id": {
            "type": "string",
            "title": "Webhook ID",
            "description": "Only if you add the webhook in the PayPal app yourself: the id shown "
            "there. Shopwire registers webhooks itself otherwise.",
        },
    },
}


def _token(api, credential: dict[str, Any]) -> tuple[str, float]:
    """Client credentials grant: the app's id and secret as Basic auth, a form body."""
    response = send(
        api.session,
        "POST",
        api.url("/v1/oauth2/token"),
        data={"grant_type": "client_credentials"},
        auth=(credential["client_id"], credential["client_secret"]),
        headers={"Accept": "application/json"},
    )
    body = body_of(response)
    raise_for_status(response, body, _error_message(body))
    return body["access_token"], float(body.get("expires_in", 0))


def _authenticate(api, credential: dict[str, Any]) -> dict[str, str]:
    token = TOKENS.token(credential, lambda: _token(api, credential))
    return {"Authorization": f"Bearer {token}"}


def _error_message(body: Any) -> str | None:
    """PayPal's REST errors (name, message, details, debug_id) and its OAuth errors."""
    if not isinstance(body, dict):
        return None
    if body.get("error_description"):
        return f"PayPal says: {body['error_description']} ({body.get('error')})"
    if not body.get("message"):
        return None
    issues = "; ".join(
        f"{d.get('issue')}: {d['description']}" if d.get("description") else str(d.get("issue"))
        for d in body.get("details") or []
        if isinstance(d, dict)
    )
    debug = f" [debug_id {body['debug_id']}]" if body.get("debug_id") else ""
    return f"PayPal says: {body['message']}" + (f" ({issues})" if issues else "") + debug


paypal = Connector(
    "paypal",
    title={"en": "PayPal", "de": "PayPal"},
    description={
        "en": "Payments with PayPal: react to captured and refunded payments, refund, look up "
        "orders.",
        "de": "Zahlungen mit PayPal: auf eingegangene und erstattete Zahlungen reagieren, "
        "erstatten, Bestellungen abrufen.",
    },
    auth=AUTH,
    base_url=lambda credential: HOSTS[credential.get("environment", "live")],
    authenticate=_authenticate,
    # A cached token PayPal revoked (the app's secret was changed) is dropped and fetched anew.
    forget_auth=lambda api, credential: TOKENS.forget(credential),
    error_message=_error_message,
    idempotency_header="PayPal-Request-Id",
    test=lambda api: api.get("/v1/notifications/webhooks"),
    docs_url="https://developer.paypal.com/api/rest/",
)


# Triggers

TRANSMISSION_HEADERS = {
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "cert_url": "PAYPAL-CERT-URL",
    "auth_algo": "PAYPAL-AUTH-ALGO",
}


def verify_signature(request: InboundRequest, params: dict, credential: dict | None) -> None:
    """Fresh transmission headers, then PayPal's own verdict on them, the webhook id and the
    event exactly as received."""
    credential = credential or {}
    webhook_id = (credential.get("subscription") or {}).get("id") or credential.get("webhook_id")
    if not webhook_id or request.api is None:
        raise SignatureError(
            "The PayPal trigger has no webhook id: connect a PayPal account and switch the flow "
            "on, or enter the webhook id in the account."
        )
    sent = {field: request.header(name) for field, name in TRANSMISSION_HEADERS.items()}
    if missing := [TRANSMISSION_HEADERS[field] for field, value in sent.items() if not value]:
        raise SignatureError(f"The request has no {', '.join(missing)} header.")
    _check_fresh(sent["transmission_time"])
    if not isinstance(request.payload, dict):
        raise SignatureError("The body is not a PayPal event (a JSON object was expected).")
    # The event goes back byte for byte: re-encoded JSON can differ from what PayPal signed.
    envelope = json.dumps({**sent, "webhook_id": webhook_id})[:-1].encode()
    envelope += b', "webhook_event": ' + request.body + b"}"
    answer = request.api.post(
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
    age = abs(time.time() - sent_at)
    if age > TRANSMISSION_TOLERANCE_SECONDS:
        raise SignatureError(
            f"The PayPal transmission is {int(age)} s old (at most "
            f"{TRANSMISSION_TOLERANCE_SECONDS} s are accepted): a replayed delivery, or this "
            "server's clock is wrong."
        )


def _event_id(request: InboundRequest, params: dict) -> str | None:
    payload = request.payload
    return str(payload["id"]) if isinstance(payload, dict) and payload.get("id") else None


AMOUNT = {
    "type": "object",
    "properties": {"value": {"type": "string"}, "currency_code": {"type": "string"}},
}


def _sent_event(request: InboundRequest) -> str | None:
    payload = request.payload
    return payload.get("event_type") if isinstance(payload, dict) else None


def _subscribe(api, url: str, event: str) -> dict[str, Any] | None:
    if api.credential.get("webhook_id"):
        return None  # added in the PayPal app by the merchant
    webhook = api.post(
        "/v1/notifications/webhooks", json={"url": url, "event_types": [{"name": event}]}
    )
    return {"id": webhook["id"]}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/v1/notifications/webhooks/{subscription['id']}")


def _event_trigger(event: str, name: str, title: dict, description: dict, fixture: str):
    paypal.event_trigger(
        name,
        event=event,
        sent_event=_sent_event,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        title=title,
        description=description,
        output_schema={
            "type": "object",
            "required": ["id", "event_type", "resource"],
            "properties": {
                "id": {"type": "string"},
                "event_type": {"const": event},
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
        },
        output_example=example("paypal", fixture),
        verify=verify_signature,
        event_id=_event_id,
    )


_event_trigger(
    "PAYMENT.CAPTURE.COMPLETED",
    "capture_completed",
    {"en": "Payment captured", "de": "Zahlung eingegangen"},
    {
        "en": "Starts when PayPal captured a customer's payment. The capture is in resource "
        "(id, amount.value as a decimal string, supplementary_data.related_ids.order_id).",
        "de": "Startet, wenn PayPal die Zahlung einer Kundin eingezogen hat. Die Zahlung steht "
        "in resource (id, amount.value als Dezimalzahl-Text, "
        "supplementary_data.related_ids.order_id).",
    },
    "webhook.PAYMENT.CAPTURE.COMPLETED.v2.simulator",
)
_event_trigger(
    "PAYMENT.CAPTURE.REFUNDED",
    "capture_refunded",
    {"en": "Payment refunded", "de": "Zahlung erstattet"},
    {
        "en": "Starts when a captured PayPal payment was refunded, fully or in part. The refund "
        "is in resource (id, amount.value as a decimal string).",
        "de": "Startet, wenn eine PayPal-Zahlung ganz oder teilweise erstattet wurde. Die "
        "Erstattung steht in resource (id, amount.value als Dezimalzahl-Text).",
    },
    "webhook.PAYMENT.CAPTURE.REFUNDED",
)


# Actions

OBJECT_ID = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9-]+$"}


@paypal.action(
    "refund_capture",
    title={"en": "Refund a payment", "de": "Zahlung erstatten"},
    description={
        "en": "Refunds a captured payment fully, or the amount you give as a decimal string "
        "with its currency. Example: capture 2GG279541U471931P, amount 10.99 EUR → refund "
        "1JU08902781691411, status COMPLETED.",
        "de": "Erstattet eine eingezogene Zahlung ganz oder den angegebenen Betrag als "
        "Dezimalzahl-Text mit Währung. Beispiel: Zahlung 2GG279541U471931P, Betrag 10.99 EUR "
        "→ Erstattung 1JU08902781691411, Status COMPLETED.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["capture_id"],
        "dependentRequired": {"amount": ["currency_code"]},
        "properties": {
            "capture_id": {**OBJECT_ID, "title": "Capture id"},
            "amount": {
                "type": "string",
                "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
                "title": "Amount (decimal string, e.g. 10.99)",
                "description": "Leave empty to refund everything that is left.",
            },
            "currency_code": {
                "type": "string",
                "pattern": "^[A-Z]{3}$",
                "title": "Currency (e.g. EUR)",
            },
            "note_to_payer": {"type": "string", "maxLength": 255, "title": "Note to the buyer"},
            "invoice_id": {"type": "string", "maxLength": 127, "title": "Your invoice number"},
        },
    },
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string"},
            "amount": AMOUNT,
            "invoice_id": {"type": "string"},
            "links": {"type": "array"},
        },
    },
    output_example=example("paypal", "api.refund"),
)
def refund_capture(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    body: dict[str, Any] = {
        key: params[key] for key in ("note_to_payer", "invoice_id") if key in params
    }
    if "amount" in params:
        body["amount"] = {"value": params["amount"], "currency_code": params["currency_code"]}
    return ctx.api.post(
        f"/v2/payments/captures/{params['capture_id']}/refund",
        json=body,
        headers={"Prefer": "return=representation"},
    )


@paypal.action(
    "get_order",
    title={"en": "Get order", "de": "Bestellung abrufen"},
    description={
        "en": "Looks up a PayPal order (checkout) by id: status, payer, amounts and captures "
        "in purchase_units.",
        "de": "Ruft eine PayPal-Bestellung (Checkout) anhand der Id ab: Status, Käuferin, "
        "Beträge und Zahlungen in purchase_units.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["order_id"],
        "properties": {"order_id": {**OBJECT_ID, "title": "Order id"}},
    },
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "status": {"type": "string"},
            "intent": {"type": "string"},
            "payer": {"type": "object"},
            "purchase_units": {"type": "array"},
        },
    },
    output_example=example("paypal", "api.order"),
)
def get_order(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.get(f"/v2/checkout/orders/{params['order_id']}")
