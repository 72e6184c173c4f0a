"""UPS: labels through the Shipping API, tracking through the Tracking API.

References: UPS's OpenAPI descriptions (github.com/UPS-API/api-documentation: Shipping.yaml,
Tracking.yaml, OAuthClientCredentials.yaml). An app's client id and secret buy a bearer token
at ``POST /security/v1/oauth/token`` (Basic auth, ``grant_type=client_credentials``; the reply's
``expires_in`` is a string of seconds). API calls go below ``/api`` with that token and the
headers ``transId`` (unique per request) and ``transactionSrc``. Errors are
``{"response": {"errors": [{"code", "message"}]}}``; a 429 means the quota is used up.
"""

from __future__ import annotations

import uuid

from nodes.kit.auth import ClientCredentials
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "UPS account",
    ["client_id", "client_secret", "account_number"],
    client_id={
        "type": "string",
        "title": "Client ID",
        "description": "developer.ups.com → Apps → your app's Client ID (with the Shipping "
        "and Tracking products added).",
        "minLength": 1,
    },
    client_secret={"type": "string", "title": "Client secret", "minLength": 1, "writeOnly": True},
    account_number={
        "type": "string",
        "title": "UPS account number",
        "description": "The six characters of your shipper number; shipments are billed to it.",
        "pattern": "^[A-Za-z0-9]{6}$",
    },
    sandbox={
        "type": "boolean",
        "title": "Test environment (CIE)",
        "description": "Send to UPS's Customer Integration Environment: labels are not real.",
        "default": False,
    },
)


TOKEN = ClientCredentials("/security/v1/oauth/token")


def base_url(credential) -> str:
    return "https://wwwcie.ups.com" if credential.get("sandbox") else "https://onlinetools.ups.com"


ups = Connector(
    "ups",
    auth=AUTH,
    base_url=base_url,
    auth_type=TOKEN,
    # UPS wants an id unique to each request (at most 32 characters).
    headers={
        "transId": lambda: uuid.uuid4().hex,
        "transactionSrc": "shopwire",
        "Accept": "application/json",
    },
    errors=ErrorBody("response.errors[].message", code="response.errors[0].code"),
    hints={
        401: "UPS refused the app's login: check the client ID and secret in the UPS account "
        "(test credentials only work with the test environment).",
    },
    test=lambda api: check_login(api),
)


def check_login(api) -> str:
    TOKEN.fetch(api, api.credential)
    return "UPS accepted the app's login."


from nodes.ups import actions  # noqa: E402, F401  (they declare the nodes)
