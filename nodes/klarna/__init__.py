"""Klarna: look up, capture and refund orders with the Order Management API.

API reference: https://docs.klarna.com/api/ordermanagement/. Requests use HTTP Basic auth with
the merchant's API username and password, per region (Europe, North America, Oceania) and
playground; amounts are integers in minor units (cents). Captures and refunds answer 201 with
an empty body: the new id comes in the Capture-Id / Refund-Id header and the Location. POSTs
carry Klarna-Idempotency-Key. Errors are ``{"error_code", "error_messages", "correlation_id"}``.
Klarna has no webhook for order events in this API, so the connector has actions only.
"""

from __future__ import annotations

from nodes.kit.auth import Basic
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody

HOSTS = {
    "eu": "https://api.klarna.com",
    "na": "https://api-na.klarna.com",
    "oc": "https://api-oc.klarna.com",
    "playground-eu": "https://api.playground.klarna.com",
    "playground-na": "https://api-na.playground.klarna.com",
    "playground-oc": "https://api-oc.playground.klarna.com",
}
ORDERS = "/ordermanagement/v1/orders"

AUTH = account_schema(
    "Klarna account",
    ["username", "password", "region"],
    username={
        "type": "string",
        "title": "API username",
        "description": "Klarna Merchant Portal → Settings → Klarna API keys (e.g. K123456_…"
        " or PK12345_…).",
        "minLength": 1,
    },
    password={
        "type": "string",
        "title": "API password",
        "minLength": 1,
        "writeOnly": True,
    },
    region={
        "enum": list(HOSTS),
        "title": "Region",
        "description": "Where your Klarna account lives: eu (Europe), na (North America), "
        "oc (Oceania); playground-… for test accounts.",
        "default": "eu",
    },
)


klarna = Connector(
    "klarna",
    auth=AUTH,
    base_url=lambda credential: HOSTS[credential.get("region", "eu")],
    auth_type=Basic("username", "password"),
    errors=ErrorBody(
        ("error_messages", "error_code"), code="error_code", reference="correlation_id"
    ),
    hints={
        403: "Klarna does not allow this for the order in its current state (for example "
        "more than is left to capture or refund): check the order in the Merchant Portal.",
    },
    idempotency_header="Klarna-Idempotency-Key",
)

ORDER_ID = {"type": "string", "pattern": "^[A-Za-z0-9-]+$", "title": "Klarna order id"}
MINOR_UNITS = {"type": "integer", "minimum": 1}

from nodes.klarna import actions  # noqa: E402, F401  (they declare the nodes)
