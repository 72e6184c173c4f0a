"""Shopware 6: orders and stock through the Admin API, and new orders by polling.

API reference: https://shopware.stoplight.io/docs/admin-api. An integration's access key id
and secret are exchanged for a bearer token (OAuth 2 client credentials, ten minutes), which is
cached per process and fetched again shortly before it expires or when Shopware refuses it.
Requests ask for plain JSON (``Accept: application/json``) rather than JSON:API.

Shopware has no signed webhook a merchant can point at an address without writing an app, so
new orders are found by polling: :func:`new_orders` is one poll, called by the scheduler for the
``shopware.order_placed`` trigger on its schedule (``app/runtime/timed_triggers.py`` runs the poll).
"""

from __future__ import annotations

from nodes.kit.auth import ClientCredentials
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "Shopware 6 shop",
    ["shop_url", "client_id", "client_secret"],
    shop_url={
        "type": "string",
        "title": "Shop address",
        "description": "The address of your shop's administration without /admin, e.g. "
        "https://shop.example.com. HTTPS is required.",
        "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^?#\s]*)?$",
    },
    client_id={
        "type": "string",
        "title": "Access key ID",
        "description": "Settings → System → Integrations → Add integration, with the "
        "administrator role or read/write on orders and products. Starts with SWIA.",
        "minLength": 1,
        "writeOnly": True,
    },
    client_secret={
        "type": "string",
        "title": "Secret access key",
        "description": "Shown once when the integration is created.",
        "minLength": 1,
        "writeOnly": True,
    },
)

shopware = Connector(
    "shopware",
    auth=AUTH,
    base_url=lambda credential: credential["shop_url"].rstrip("/") + "/api",
    auth_type=ClientCredentials("/oauth/token", send="json"),
    headers={"Accept": "application/json"},
    errors=ErrorBody(("errors[].detail", "errors[].title"), code="errors[].code"),
    test=lambda api: api.get("/_info/version"),
)

# What an order is read with: its items, customer, state, deliveries and payments.
ORDER_ASSOCIATIONS = {
    "lineItems": {},
    "orderCustomer": {},
    "stateMachineState": {},
    "deliveries": {},
    "transactions": {},
}
ORDER = {
    "type": "object",
    "required": ["id", "orderNumber"],
    "properties": {
        "id": {"type": "string"},
        "orderNumber": {"type": "string"},
        "amountTotal": {"type": "number", "description": "In the order's currency, e.g. 50.0"},
        "amountNet": {"type": "number"},
        "shippingTotal": {"type": "number"},
        "stateMachineState": {
            "type": "object",
            "properties": {"technicalName": {"type": "string"}, "name": {"type": "string"}},
        },
        "orderCustomer": {"type": "object"},
        "lineItems": {"type": "array", "items": {"type": "object"}},
        "customerComment": {"type": ["string", "null"]},
        "createdAt": {"type": "string"},
    },
}
UUID = {"type": "string", "pattern": "^[0-9a-f]{32}$"}

from nodes.shopware import actions, triggers  # noqa: E402, F401  (they declare the nodes)
