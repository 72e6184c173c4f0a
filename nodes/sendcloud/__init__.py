"""Sendcloud: parcels with labels for any carrier of the account, parcel status webhooks.

API v2 (sendcloud.dev/api/v2): HTTP Basic with the integration's public and secret key,
``POST /parcels`` with ``request_label: true`` announces a parcel to the carrier of the chosen
shipping method, ``GET /labels/label_printer/{id}`` is its label PDF. Errors are
``{"error": {"code", "request", "message"}}``. Webhooks are set up by hand in the integration's
settings (webhook URL); each delivery carries ``Sendcloud-Signature``, the hex HMAC-SHA256 of
the raw body keyed with the integration's secret key, and names its kind in ``action``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from nodes.kit.auth import Basic
from nodes.kit.base import Connector, InboundRequest, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example, listed
from nodes.kit.webhooks import Hmac, Webhooks, field

AUTH = account_schema(
    "Sendcloud integration",
    ["public_key", "secret_key"],
    public_key={
        "type": "string",
        "title": "Public key",
        "description": "Sendcloud → Settings → Integrations → your API integration.",
        "minLength": 1,
    },
    secret_key={
        "type": "string",
        "title": "Secret key",
        "description": "Shown next to the public key; it also signs the webhooks.",
        "minLength": 1,
        "writeOnly": True,
    },
)


def _event_id(request: InboundRequest) -> str | None:
    """Sendcloud sends no delivery id; a repeat of a delivery has the same body."""
    return hashlib.sha256(request.body).hexdigest() if request.body else None


def _shipping_methods(api) -> list[dict[str, Any]]:
    methods = api.get("/shipping_methods")["shipping_methods"]
    return [{"value": m["id"], "label": f"{m['name']} ({m.get('carrier', '')})"} for m in methods]


sendcloud = Connector(
    "sendcloud",
    auth=AUTH,
    base_url=lambda credential: "https://panel.sendcloud.sc/api/v2",
    auth_type=Basic("public_key", "secret_key"),
    errors=ErrorBody("error.message", code="error.code"),
    hints={
        412: "Sendcloud cannot announce this parcel with the chosen shipping method: check the "
        "method's weight range and countries.",
    },
    test=lambda api: len(_shipping_methods(api)) and "Sendcloud accepted the keys.",
    webhooks=Webhooks(
        events=listed("sendcloud", "events.txt"),
        event_type=field("action"),
        signature=Hmac("Sendcloud-Signature", secret="secret_key", encoding="hex", subscribed=None),
        event_id=_event_id,
        schema={
            "type": "object",
            "required": ["action"],
            "properties": {"action": {"type": "string"}},
        },
        example=example("sendcloud", "webhook.parcel_status_changed"),
    ),
    options={"shipping_methods": _shipping_methods},
)

from nodes.sendcloud import actions, triggers  # noqa: E402, F401  (they declare the nodes)
