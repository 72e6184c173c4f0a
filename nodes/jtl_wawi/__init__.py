"""JTL-Wawi through its REST API: orders in, stock and order status back by polling.

The API (JTL-Wawi 1.9 and later, https://developer.jtl-software.com/products/erpapi) is served
by the merchant's own Wawi REST server. An app is registered once: JTL-Wawi starts the
registration (Admin → App registration), the app posts its id and the scopes it needs to
``/authentication`` with an ``X-ChallengeCode``, the merchant accepts it in the Wawi, and
``GET /authentication/<registration id>`` then answers the API key, once. Every request carries
``Authorization: Wawi <key>``, the app's ``x-appid`` and ``x-appversion`` and ``api-version``.
Lists are pages (``pageNumber``, ``pageSize``) answered as ``{"TotalItems", "PageNumber",
"PageSize", "Items", "HasNextPage", "NextPageNumber", …}``; 402 means the app has no licence.
JTL-Wawi sends no webhooks, so stock and order status are polled.
"""

from __future__ import annotations

from nodes.kit.auth import ApiKey
from nodes.kit.base import Connector, account_schema
from nodes.kit.client import cursor
from nodes.kit.errors import ErrorBody

APP_ID = "shopwire/connector/v1"  # what a merchant registers in JTL-Wawi
APP_VERSION = "1.0.0"
SCOPES = (
    "all.read",
    "customer.createcustomer",
    "salesorder.createsalesorder",
    "salesorder.createsalesorderlineitem",
)

SETUP = (
    "Register Shopwire in JTL-Wawi once: 1. Start the JTL-Wawi REST server and make it reachable "
    "over HTTPS. 2. In JTL-Wawi (new interface) open Admin → App registration and start a "
    "registration. 3. Post the app's details to <API address>/authentication with a header "
    'X-ChallengeCode of your choice: {"AppId": "' + APP_ID + '", "DisplayName": "Shopwire", '
    '"Description": "Orders, stock and status with Shopwire", "Version": "' + APP_VERSION + '", '
    '"ProviderName": "Shopwire", "ProviderWebsite": "https://shopwire.example", '
    '"MandatoryApiScopes": ["' + '", "'.join(SCOPES) + '"], "RegistrationType": 0}. '
    "4. Accept the request in JTL-Wawi. 5. Fetch "
    "<API address>/authentication/<RegistrationRequestId> with the same X-ChallengeCode: the "
    "answer holds Token.ApiKey, shown only once. Paste it here."
)

AUTH = account_schema(
    "JTL-Wawi",
    ["api_url", "api_key"],
    api_url={
        "type": "string",
        "title": "API address",
        "description": "The address of your JTL-Wawi REST server, e.g. "
        "https://wawi.example.com:5883/api/eazybusiness. HTTPS is required.",
        "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^?#\s]*)?$",
    },
    api_key={
        "type": "string",
        "title": "API key",
        "description": SETUP,
        "minLength": 8,
        "writeOnly": True,
    },
)

jtl_wawi = Connector(
    "jtl_wawi",
    auth=AUTH,
    base_url=lambda credential: credential["api_url"].rstrip("/"),
    auth_type=ApiKey("api_key", header="Authorization", prefix="Wawi "),
    headers={
        "x-appid": APP_ID,
        "x-appversion": APP_VERSION,
        "api-version": "1.0",
        "Accept": "application/json",
    },
    errors=ErrorBody(("ErrorMessage", "errors.*[]", "detail", "title"), code="ErrorCode"),
    hints={
        401: "JTL-Wawi does not know this API key: register Shopwire again in JTL-Wawi (Admin → "
        "App registration) and enter the new key in the account.",
        402: "JTL-Wawi has no licence for the app, or JTL has not approved it.",
        403: "The app was registered without a scope this step needs: register it again with "
        "the scopes the account's help lists.",
    },
    test=lambda api: (
        api.get("/salesOrders", params={"pageNumber": 1, "pageSize": 1}) and "JTL-Wawi answered"
    ),
)

# Pages of JTL's paged lists, to the last one.
next_page = cursor(
    "pageNumber", lambda body: body.get("NextPageNumber") if body.get("HasNextPage") else None
)

from nodes.jtl_wawi import actions, triggers  # noqa: E402, F401  (they declare the nodes)
