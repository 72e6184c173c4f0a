"""SAP Business One through its Service Layer: business partners, sales orders, A/R invoices.

The Service Layer is an OData service on the merchant's own B1 server
(``https://<host>:50000/b1s/v1``). ``POST /Login`` with the company database, user name and
password opens a session: its id comes back as ``SessionId`` (and the ``B1SESSION`` cookie),
with ``SessionTimeout`` in minutes, and a load balancer in front adds ``ROUTEID``. Both cookies
go with every later request. A session ends when it is idle for its timeout or the server
restarts; the Service Layer then answers 401 (code 301, "Invalid session"), and the kit logs in
again once and repeats the request.

Errors are ``{"error": {"code", "message": {"lang", "value"}}}``. Lists are OData pages of at
most the server's page size, asked up to 100 with ``Prefer: odata.maxpagesize=100``; the next
page is named by ``odata.nextLink`` (v1) or ``@odata.nextLink`` (v2), relative to the service.
There is no idempotency key: documents carry the shop's order number in ``NumAtCard``, and a
step that is run again finds the document it made before instead of making a second one.
"""

from __future__ import annotations

from nodes.kit.auth import SessionLogin
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "SAP Business One company",
    ["service_layer_url", "company_db", "username", "password"],
    service_layer_url={
        "type": "string",
        "title": "Service Layer address",
        "description": "The address of your Service Layer up to the version, e.g. "
        "https://b1.example.com:50000/b1s/v1. Ask your SAP partner if you do not know it.",
        "pattern": r"^https://[A-Za-z0-9.-]+(:[0-9]+)?/[^?#\s]*$",
    },
    company_db={
        "type": "string",
        "title": "Company database",
        "description": "The database name of the company, e.g. SBODEMODE (shown when you "
        "choose the company in the B1 client).",
        "minLength": 1,
    },
    username={"type": "string", "title": "User name", "minLength": 1},
    password={"type": "string", "title": "Password", "minLength": 1, "writeOnly": True},
)

sap_b1 = Connector(
    "sap_b1",
    auth=AUTH,
    base_url=lambda credential: credential["service_layer_url"].rstrip("/"),
    auth_type=SessionLogin(
        "/Login",
        body=lambda credential: {
            "CompanyDB": credential["company_db"],
            "UserName": credential["username"],
            "Password": credential["password"],
        },
        cookie="B1SESSION",
        keep_cookies=("ROUTEID",),
        timeout="SessionTimeout",
    ),
    errors=ErrorBody(("error.message.value", "error.message"), code="error.code"),
    hints={
        401: "SAP Business One refused the login: check the company database, user name and "
        "password in the account (the user must be allowed to use the Service Layer).",
        404: "SAP Business One has no such record: check the code or number this step is "
        "mapped from.",
    },
    test=lambda api: api.post("/CompanyService_GetCompanyInfo")["CompanyName"],
)

from nodes.sap_b1 import actions  # noqa: E402, F401  (they declare the nodes)
