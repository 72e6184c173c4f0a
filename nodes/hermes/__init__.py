"""Hermes Germany: labels and tracking through the Hermes Shipping Interface (HSI) REST API.

Hermes documents HSI to partners on de-api.hermesworld.com/docs (applications "order" and
"shipmentinfo"). A token comes from Hermes's OAuth server with the password grant: the app's
client id and secret with the business customer's user name and password, all in the form
body. ``POST /shipmentorders/labels`` with ``Accept: application/shippinglabel-pdf+json``
creates a shipment order and answers the label as base64; ``GET /shipmentinfo?shipmentID=…``
tracks. Weights are in grams. Refusals list ``listOfResultCodes`` of ``{code, message}``
(codes starting with ``e`` are errors, ``w`` warnings); a tracking number Hermes does not know
comes back as a ``result`` with an ``e…`` code.
"""

from __future__ import annotations

from typing import Any

from nodes.kit.auth import PasswordGrant
from nodes.kit.base import Connector, ProviderError, account_schema
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "Hermes business customer account",
    ["client_id", "client_secret", "username", "password"],
    client_id={
        "type": "string",
        "title": "Client ID",
        "description": "From Hermes with your HSI access (the application's id).",
        "minLength": 1,
    },
    client_secret={"type": "string", "title": "Client secret", "minLength": 1, "writeOnly": True},
    username={"type": "string", "title": "User name", "minLength": 1},
    password={"type": "string", "title": "Password", "minLength": 1, "writeOnly": True},
    sandbox={
        "type": "boolean",
        "title": "Integration system",
        "description": "Send to Hermes's integration system: labels are not real.",
        "default": False,
    },
)

ERRORS = "listOfResultCodes[?starts_with(code, 'e')]"


def _token_url(credential: dict[str, Any]) -> str:
    host = "authme-int.myhermes.de" if credential.get("sandbox") else "authme.myhermes.de"
    return f"https://{host}/authorization-facade/oauth2/access_token"


def _base_url(credential: dict[str, Any]) -> str:
    host = "de-api-int.hermesworld.com" if credential.get("sandbox") else "de-api.hermesworld.com"
    return f"https://{host}/services/hsi"


def refused(body: Any) -> None:
    """Hermes answers an unknown tracking number inside a 200 reply; fail in its words."""
    results = [entry.get("result") or {} for entry in body.get("shipmentinfo") or []]
    if any(str(result.get("code", "")).startswith("e") for result in results):
        raise ProviderError(
            hermes.error_message(body) or "Hermes refused without saying why.",
            hint="Check the tracking number: Hermes knows shipments for about three months.",
        )


hermes = Connector(
    "hermes",
    auth=AUTH,
    base_url=_base_url,
    auth_type=PasswordGrant(_token_url, send="form"),
    headers={"Accept-Language": "DE"},
    errors=ErrorBody(
        (
            f"{ERRORS}.message",
            "shipmentinfo[].result.message",
            "error_description",
            "error",
        ),
        code=f"{ERRORS} | [0].code",
    ),
    hints={
        401: "Hermes refused the login: check the client ID and secret and the user name and "
        "password in the Hermes account (the integration system has its own).",
    },
    test=lambda api: (
        api.connector.auth_type.fetch(api, api.credential) and "Hermes accepted the login."
    ),
)

from nodes.hermes import actions  # noqa: E402, F401  (they declare the nodes)
