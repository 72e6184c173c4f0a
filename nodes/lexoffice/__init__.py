"""lexoffice (Lexware Office): contacts, invoices, credit notes and their PDFs; event triggers.

API: https://api.lexware.io/v1 with the account's API key as a Bearer token, JSON both ways,
at most 2 requests per second per key (a 429 above it, with no rate-limit headers): the
client queues requests to keep it. Lists are Spring pages (``page``, ``size``, ``last``).
Errors come in two shapes: ``{"message", "details": [{"field", "message"}]}`` and the older
``{"IssueList": [{"i18nKey", "source", "type"}]}``. Event subscriptions deliver
``{organizationId, eventType, resourceId, eventDate}``, signed in ``X-Lxo-Signature``: the
base64 RSA SHA-512 signature of the body, checked with lexoffice's public key.
"""

from __future__ import annotations

import time
from typing import Any

from nodes.kit.auth import Bearer
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.rate_limits import RateLimit
from nodes.kit.webhooks import RsaSignature, Webhooks, field

PUBLIC_KEY_URL = "https://developers.lexware.io/webhookSignature/public/public_key.pub"
KEY_KEPT_SECONDS = 24 * 3600

AUTH = account_schema(
    "lexoffice account",
    ["api_key"],
    api_key={
        "type": "string",
        "title": "API key",
        "description": 'lexoffice → Erweiterungen → lexoffice Public API → "Schlüssel neu '
        'erstellen" (app.lexoffice.de/addons/public-api).',
        "minLength": 20,
        "writeOnly": True,
    },
)

EVENT = {
    "type": "object",
    "required": ["eventType", "resourceId"],
    "properties": {
        "organizationId": {"type": "string"},
        "eventType": {"type": "string"},
        "resourceId": {"type": "string", "description": "The contact, invoice … it is about"},
        "eventDate": {"type": "string", "format": "date-time"},
    },
}

_public_keys: dict[str, tuple[float, str]] = {}


def _public_key(api) -> str:
    """lexoffice's one signing key, fetched without the account's key and kept a day."""
    url = api.url(PUBLIC_KEY_URL)
    kept = _public_keys.get(url)
    if kept and kept[0] > time.monotonic():
        return kept[1]
    key = api.unauthenticated("GET", PUBLIC_KEY_URL)
    _public_keys[url] = (time.monotonic() + KEY_KEPT_SECONDS, key)
    return key


def _event_id(request) -> str | None:
    """Deliveries carry no id: one event is one type, one record, one moment."""
    payload = request.payload if isinstance(request.payload, dict) else {}
    parts = [payload.get(name) for name in ("eventType", "resourceId", "eventDate")]
    return ":".join(parts) if all(isinstance(part, str) for part in parts) else None


def _subscribe(api, url: str, event: str) -> dict[str, Any]:
    created = api.post("/v1/event-subscriptions", json={"eventType": event, "callbackUrl": url})
    return {"id": created["id"]}


def _unsubscribe(api, subscription: dict[str, Any]) -> None:
    api.delete(f"/v1/event-subscriptions/{subscription['id']}")


lexoffice = Connector(
    "lexoffice",
    auth=AUTH,
    base_url=lambda credential: "https://api.lexware.io",
    auth_type=Bearer("api_key"),
    headers={"Accept": "application/json"},
    errors=ErrorBody(
        ("details[].message", "message", "IssueList[].i18nKey", "error"),
        field="details[0].field || IssueList[0].source",
    ),
    hints={
        406: "lexoffice refused a value this step sends (often a tax rate that does not fit "
        "the tax type): check the line items.",
        409: "The record was changed in lexoffice meanwhile: run the step again.",
    },
    rate_limit=RateLimit(per_second=2),
    test=lambda api: api.get("/v1/profile")["companyName"],
    webhooks=Webhooks(
        events=listed("lexoffice", "events.txt"),
        event_type=field("eventType"),
        signature=RsaSignature("X-Lxo-Signature", public_key=_public_key, hash="sha512"),
        event_id=_event_id,
        subscribe=_subscribe,
        unsubscribe=_unsubscribe,
        schema=EVENT,
        example=example("lexoffice", "webhook.contact.changed"),
    ),
)

from nodes.lexoffice import actions, triggers  # noqa: E402, F401  (they declare the nodes)
