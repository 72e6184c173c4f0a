"""Stripe: payment events as triggers, refunds, payment links and look-ups as actions.

API reference: https://docs.stripe.com/api. Requests are form-encoded with bracketed keys,
authenticated with the secret key as a Bearer token; every POST carries an Idempotency-Key.
Deliveries are signed with the endpoint's signing secret (``Stripe-Signature: t=…,v1=…``);
when Shopwire registers the endpoint itself, Stripe returns that secret once and it is kept
encrypted with the subscription.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from nodes.kit.base import Connector, InboundRequest, NodeContext, SignatureError
from nodes.kit.examples import example

API_VERSION = "2024-06-20"
SIGNATURE_TOLERANCE_SECONDS = 300

AUTH = {
    "type": "object",
    "title": "Stripe account",
    "required": ["api_key"],
    "properties": {
        "api_key": {
            "type": "string",
            "title": "Secret key",
            "description": "Dashboard → Developers → API keys. A key starting with sk_test_ "
            "works in test mode, sk_live_ with real payments. A restricted key (rk_) needs "
            "write access to refunds, payment links and webhook endpoints.",
            "pattern": "^(sk|rk)_(test|live)_[A-Za-z0-9]+$",
            "writeOnly": True,
        },
        "webhook_secret": {
            "type": "string",
            "title": "Webhook signing secret",
            "description": "Only if you add the webhook in the Stripe dashboard yourself: "
            "the whsec_… secret shown there. Shopwire registers webhooks itself otherwise.",
            "pattern": "^whsec_",
            "writeOnly": True,
        },
    },
}


def _authenticate(api, credential: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential['api_key']}", "Stripe-Version": API_VERSION}


def _error_message(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not error.get("message"):
        return None
    param = f" (field {error['param']})" if error.get("param") else ""
    return f"Stripe says: {error['message']}{param}"


stripe = Connector(
    "stripe",
    title={"en": "Stripe", "de": "Stripe"},
    description={
        "en": "Online payments: react to payments and refunds, refund and create payment links.",
        "de": "Online-Zahlungen: auf Zahlungen und Erstattungen reagieren, erstatten und "
        "Zahlungslinks erstellen.",
    },
    auth=AUTH,
    base_url=lambda credential: "https://api.stripe.com",
    authenticate=_authenticate,
    error_message=_error_message,
    idempotency_header="Idempotency-Key",
    test=lambda api: api.get("/v1/balance"),
    docs_url="https://docs.stripe.com/api",
)


def form(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested objects and lists as ``a[b][0][c]=…`` pairs."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, dict):
            pairs += form(value, name)
        elif isinstance(value, list):
            pairs += form(dict(enumerate(value)), name)
        elif isinstance(value, bool):
            pairs.append((name, "true" if value else "false"))
        elif value is not None:
            pairs.append((name, str(value)))
    return pairs


# Triggers


def verify_signature(request: InboundRequest, params: dict, credential: dict | None) -> None:
    """Stripe's scheme: HMAC-SHA256 of "<t>.<raw body>", any v1 may match, t within 300 s."""
    credential = credential or {}
    secret = (credential.get("subscription") or {}).get("secret") or credential.get(
        "webhook_secret"
    )
    if not secret:
        raise SignatureError(
            "The Stripe trigger has no signing secret: connect a Stripe account and switch the "
            "flow on, or enter the webhook signing secret in the account."
        )
    header = request.header("Stripe-Signature")
    if not header:
        raise SignatureError("The request has no Stripe-Signature header.")
    pairs = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in pairs if key.strip() == "t"]
    signatures = [value.strip() for key, value in pairs if key.strip() == "v1"]
    if not timestamps or not timestamps[0].strip().isdigit() or not signatures:
        raise SignatureError("The Stripe-Signature header has no timestamp or no v1 signature.")
    signed = timestamps[0].strip().encode() + b"." + request.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
    if not any(hmac.compare_digest(expected, candidate.encode()) for candidate in signatures):
        raise SignatureError("The Stripe-Signature does not match the body.")
    age = abs(time.time() - int(timestamps[0]))
    if age > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureError(
            f"The Stripe-Signature is {int(age)} s old (at most {SIGNATURE_TOLERANCE_SECONDS} s "
            "are accepted): a replayed delivery, or this server's clock is wrong."
        )


def _event_id(request: InboundRequest, params: dict) -> str | None:
    payload = request.payload
    return str(payload["id"]) if isinstance(payload, dict) and payload.get("id") else None


def _sent_event(request: InboundRequest) -> str | None:
    payload = request.payload
    return payload.get("type") if isinstance(payload, dict) else None


def _subscribe(api, url: str, event: str) -> dict[str, Any] | None:
    if api.credential.get("webhook_secret"):
        return None  # added in the Stripe dashboard by the merchant
    endpoint = api.post(
        "/v1/webhook_endpoints",
        data=form({"url": url, "enabled_events": [event], "description": "Shopwire"}),
    )
    return {"id": endpoint["id"], "secret": endpoint.get("secret")}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/v1/webhook_endpoints/{subscription['id']}")


def _event_trigger(event: str, name: str, title: dict[str, str], description: dict[str, str]):
    stripe.event_trigger(
        name,
        event=event,
        sent_event=_sent_event,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        verify=verify_signature,
        event_id=_event_id,
        title=title,
        description=description,
        output_schema={
            "type": "object",
            "required": ["id", "type", "data"],
            "properties": {
                "id": {"type": "string"},
                "type": {"const": event},
                "created": {"type": "integer"},
                "livemode": {"type": "boolean"},
                "data": {"type": "object", "properties": {"object": {"type": "object"}}},
            },
        },
        output_example=example("stripe", f"event.{event}"),
    )


_event_trigger(
    "payment_intent.succeeded",
    "payment_succeeded",
    {"en": "Payment succeeded", "de": "Zahlung erfolgreich"},
    {
        "en": "Starts when a customer's payment went through. The payment is in data.object.",
        "de": "Startet, wenn die Zahlung einer Kundin durchgegangen ist. Die Zahlung steht in "
        "data.object.",
    },
)
_event_trigger(
    "checkout.session.completed",
    "checkout_completed",
    {"en": "Checkout completed", "de": "Checkout abgeschlossen"},
    {
        "en": "Starts when a customer finished a Stripe Checkout or payment link.",
        "de": "Startet, wenn eine Kundin einen Stripe-Checkout oder Zahlungslink abschließt.",
    },
)
_event_trigger(
    "charge.refunded",
    "charge_refunded",
    {"en": "Charge refunded", "de": "Zahlung erstattet"},
    {
        "en": "Starts when a payment was refunded, fully or in part (amount_refunded).",
        "de": "Startet, wenn eine Zahlung ganz oder teilweise erstattet wurde (amount_refunded).",
    },
)
_event_trigger(
    "invoice.paid",
    "invoice_paid",
    {"en": "Invoice paid", "de": "Rechnung bezahlt"},
    {
        "en": "Starts when a Stripe invoice (for example a subscription's) was paid.",
        "de": "Startet, wenn eine Stripe-Rechnung (etwa eines Abonnements) bezahlt wurde.",
    },
)


# Actions

OBJECT_ID = {"type": "string", "minLength": 1}
METADATA = {
    "type": "object",
    "title": "Metadata",
    "description": "Your own keys and values stored with the object, e.g. the shop's order number.",
    "additionalProperties": {"type": "string"},
}


@stripe.action(
    "create_refund",
    title={"en": "Refund a payment", "de": "Zahlung erstatten"},
    description={
        "en": "Refunds a payment fully, or the amount you give (in cents). "
        "Example: payment_intent pi_123, amount 500 → a refund of 5.00.",
        "de": "Erstattet eine Zahlung ganz oder den angegebenen Betrag (in Cent). "
        "Beispiel: payment_intent pi_123, amount 500 → eine Erstattung über 5,00.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["payment_intent"],
        "properties": {
            "payment_intent": {**OBJECT_ID, "title": "Payment (pi_…)"},
            "amount": {
                "type": "integer",
                "minimum": 1,
                "title": "Amount in cents",
                "description": "Leave empty to refund everything that is left.",
            },
            "reason": {
                "enum": ["requested_by_customer", "duplicate", "fraudulent"],
                "title": "Reason",
            },
            "metadata": METADATA,
        },
    },
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "amount": {"type": "integer"},
            "currency": {"type": "string"},
            "status": {"type": "string"},
            "payment_intent": {"type": ["string", "null"]},
            "charge": {"type": ["string", "null"]},
            "reason": {"type": ["string", "null"]},
            "metadata": {"type": "object"},
        },
    },
    output_example=example("stripe", "openapi-fixture.refund"),
)
def create_refund(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/refunds", data=form(params))


@stripe.action(
    "create_payment_link",
    title={"en": "Create a payment link", "de": "Zahlungslink erstellen"},
    description={
        "en": "Creates a link your customer can pay with, for prices you set up in Stripe. "
        "Example: price price_123, quantity 2 → url https://buy.stripe.com/…",
        "de": "Erstellt einen Link, mit dem Ihre Kundin bezahlen kann, für Preise aus Stripe. "
        "Beispiel: price price_123, quantity 2 → url https://buy.stripe.com/…",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "required": ["line_items"],
        "properties": {
            "line_items": {
                "type": "array",
                "title": "Items",
                "minItems": 1,
                "maxItems": 20,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["price", "quantity"],
                    "properties": {
                        "price": {**OBJECT_ID, "title": "Price (price_…)"},
                        "quantity": {"type": "integer", "minimum": 1, "title": "Quantity"},
                    },
                },
            },
            "metadata": METADATA,
        },
    },
    output_schema={
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "url": {"type": "string"},
            "active": {"type": "boolean"},
            "metadata": {"type": "object"},
        },
    },
    output_example=example("stripe", "openapi-fixture.payment_link"),
)
def create_payment_link(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return ctx.api.post("/v1/payment_links", data=form(params))


def _retrieve(resource: str, prefix: str, title: dict, description: dict, fixture: str, fields):
    """Declare ``get_<object>``: one GET of ``/v1/<resource>/<id>``."""

    def run(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
        return ctx.api.get(f"/v1/{resource}/{params['id']}")

    stripe.action(
        f"get_{resource.removesuffix('s')}",
        title=title,
        description=description,
        params={
            "type": "object",
            "additionalProperties": False,
            "required": ["id"],
            "properties": {"id": {**OBJECT_ID, "title": f"Id ({prefix}…)"}},
        },
        output_schema={"type": "object", "properties": fields},
        output_example=example("stripe", fixture),
    )(run)


_retrieve(
    "customers",
    "cus_",
    {"en": "Get customer", "de": "Kundin abrufen"},
    {
        "en": "Looks up a customer by id (cus_…): e-mail, name, address.",
        "de": "Ruft eine Kundin anhand der Id (cus_…) ab: E-Mail, Name, Adresse.",
    },
    "openapi-fixture.customer",
    {"id": {"type": "string"}, "email": {"type": ["string", "null"]}, "name": {}},
)
_retrieve(
    "payment_intents",
    "pi_",
    {"en": "Get payment", "de": "Zahlung abrufen"},
    {
        "en": "Looks up a payment by id (pi_…): amount, currency, status, customer.",
        "de": "Ruft eine Zahlung anhand der Id (pi_…) ab: Betrag, Währung, Status, Kundin.",
    },
    "openapi-fixture.payment_intent",
    {
        "id": {"type": "string"},
        "amount": {"type": "integer"},
        "currency": {"type": "string"},
        "status": {"type": "string"},
        "customer": {},
        "metadata": {"type": "object"},
    },
)
