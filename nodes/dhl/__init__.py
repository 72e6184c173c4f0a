"""DHL Paket (Germany): address checks, labels and cancellations through the Parcel DE
Shipping API v2, tracking through DHL's Shipment Tracking (Unified) API.

Shipping: https://developer.dhl.com/api-reference/parcel-de-shipping-post-parcel-germany-v2
(OpenAPI 2.1.12). Every request carries the app's key in ``dhl-api-key`` and the business
customer's login (GKP user and password) as HTTP Basic; ``POST /orders?validate=true`` checks a
shipment without creating it. A refusal is a ``LabelDataResponse`` whose items hold
``validationMessages`` (``{property, validationMessage, validationState}``); other errors are a
``RequestStatus`` (``{title, status, detail}``). Tracking:
https://developer.dhl.com/api-reference/shipment-tracking, ``GET /track/shipments`` with the key
in ``DHL-API-Key``; its errors are problem details (``{status, title, detail}``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nodes.kit.auth import AllOf, ApiKey, Basic
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody
from nodes.kit.examples import example

AUTH = account_schema(
    "DHL business customer account",
    ["api_key", "username", "password", "ekp"],
    api_key={
        "type": "string",
        "title": "API key",
        "description": "developer.dhl.com → My Apps → your app's API key (with the Parcel DE "
        "Shipping and the Shipment Tracking API added to the app).",
        "minLength": 8,
        "writeOnly": True,
    },
    username={
        "type": "string",
        "title": "Business customer portal user",
        "description": "Your login at the DHL Geschäftskundenportal (a system user).",
        "minLength": 1,
    },
    password={
        "type": "string",
        "title": "Business customer portal password",
        "minLength": 1,
        "writeOnly": True,
    },
    ekp={
        "type": "string",
        "title": "Customer number (EKP)",
        "description": "The ten digits of your DHL customer number.",
        "pattern": "^[0-9]{10}$",
    },
    participation={
        "type": "string",
        "title": "Participation",
        "description": "The two characters after the product in your billing numbers "
        '("Teilnahme", shown in the business customer portal), usually "01".',
        "pattern": "^[0-9A-Za-z]{2}$",
        "default": "01",
    },
    sandbox={
        "type": "boolean",
        "title": "Sandbox",
        "description": "Send to DHL's test system: labels are not real.",
        "default": False,
    },
)

SHIPPING = "/parcel/de/shipping/v2"

# Who an address problem is about, by the property DHL names.
WHOSE = {"consignee": "The recipient's address", "shipper": "Your sender address"}

# DHL's validation messages (English, Accept-Language: en-US) in words that say what to do.
PLAIN = [
    (r"house number", "has a house number DHL cannot find: check the house number."),
    (
        r"does not match the postcode|postcode .* city",
        "has a city that does not belong to the postcode: check both.",
    ),
    (r"postcode|postal code|zip", "has a postcode DHL does not know: check the postcode."),
    (r"street", "has a street DHL cannot find: check its spelling."),
]


def plain(message: dict[str, Any]) -> str:
    """One of DHL's validation messages as a sentence a merchant can act on."""
    prop = str(message.get("property") or "")
    text = str(message.get("validationMessage") or "").strip()
    whose = next((w for key, w in WHOSE.items() if prop.startswith(key)), None)
    if whose:
        for pattern, sentence in PLAIN:
            if re.search(pattern, text, re.I):
                return f"{whose} {sentence} (DHL: {text})"
        return f"{whose}: {text}"
    return f"{text} (field {prop})" if prop else text


def validation_messages(body: Any, state: str | None = None) -> list[dict[str, Any]]:
    items = body.get("items") if isinstance(body, dict) else None
    return [
        message
        for item in items or []
        for message in item.get("validationMessages") or []
        if state is None or message.get("validationState") == state
    ]


@dataclass(frozen=True)
class DhlErrors(ErrorBody):
    """A refused shipment lists what is wrong per field; say each in plain words."""

    def text(self, provider: str, body: Any) -> str | None:
        messages = validation_messages(body)
        if messages:
            return f"{provider} says: " + " ".join(plain(m) for m in messages)
        return super().text(provider, body)


def base_url(credential: dict[str, Any]) -> str:
    return "https://api-sandbox.dhl.com" if credential.get("sandbox") else "https://api-eu.dhl.com"


dhl = Connector(
    "dhl",
    auth=AUTH,
    base_url=base_url,
    auth_type=AllOf((ApiKey("api_key", header="dhl-api-key"), Basic("username", "password"))),
    headers={"Accept-Language": "en-US", "Accept": "application/json"},
    errors=DhlErrors(
        ("items[].sstatus.detail", "status.detail", "detail", "status.title", "title")
    ),
    hints={
        401: "DHL refused the login: check the API key and the business customer portal user "
        "and password in the DHL account (the sandbox needs sandbox users).",
    },
    test=lambda api: check_account(api),
)


def check_account(api) -> str:
    """Validate DHL's own example parcel with the account's login and billing number."""
    order = example("dhl", "orders.request")
    order["shipments"][0]["billingNumber"] = billing_number(api.credential, "V01PAK")
    api.post(SHIPPING + "/orders", params={"validate": "true"}, json=order)
    return "DHL accepted the login and the customer number."


# The product's procedure, the middle two digits of a billing number (EKP + procedure +
# participation), from the product list in the API's OpenAPI description.
PROCEDURES = {"V01PAK": "01", "V53WPAK": "53", "V54EPAK": "54", "V62KP": "62", "V66WPI": "66"}


def billing_number(credential: dict[str, Any], product: str) -> str:
    return credential["ekp"] + PROCEDURES[product] + credential.get("participation", "01")


from nodes.dhl import actions  # noqa: E402, F401  (they declare the nodes)
