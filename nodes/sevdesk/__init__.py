"""sevDesk: contacts, invoices through the invoice factory, payments booked on invoices, and
new or changed invoices by polling.

API: https://my.sevdesk.de/api/v1 (the official OpenAPI spec, a subset in
``examples/openapi.json``). The account's API token goes in ``Authorization`` as it is, without
a scheme, and never expires. Replies wrap records in ``{"objects": …}`` and give numbers as
text ("119"); errors are ``{"error": {"message", "exceptionUUID"}}``. Lists page with
``limit`` and ``offset``. sevDesk documents no rate limit and no idempotency key, and sends no
webhooks: invoices are polled, newest change first.

Since sevdesk-Update 2.0 an invoice is created as a draft (status 100) with a ``taxRule``
(1: taxable sales in Germany at 19, 7 or 0 %; 2: exports outside the EU; 3: intra-EU
deliveries; 11: small business §19 UStG) and each line carries its own tax rate; a
wrong rule for the rates is refused with 422.
"""

from __future__ import annotations

from typing import Any

from nodes.kit.auth import ApiKey
from nodes.kit.base import Connector, account_schema
from nodes.kit.client import ApiClient
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "sevDesk account",
    ["api_token"],
    api_token={
        "type": "string",
        "title": "API token",
        "description": "sevDesk → Settings → Users → your user → API token (32 characters).",
        "pattern": "^[0-9a-fA-F]{32}$",
        "writeOnly": True,
    },
)


def _users(api: ApiClient) -> list[dict[str, Any]]:
    return [
        {"value": int(user["id"]), "label": user.get("fullname") or user["username"]}
        for user in api.get("/SevUser")["objects"]
    ]


def _check_accounts(api: ApiClient) -> list[dict[str, Any]]:
    return [
        {"value": int(account["id"]), "label": account["name"]}
        for account in api.get("/CheckAccount")["objects"]
    ]


sevdesk = Connector(
    "sevdesk",
    auth=AUTH,
    base_url=lambda credential: "https://my.sevdesk.de/api/v1",
    auth_type=ApiKey("api_token", header="Authorization"),
    headers={"Accept": "application/json"},
    errors=ErrorBody("error.message", reference="error.exceptionUUID"),
    hints={
        422: "sevDesk refused the combination of tax rule and tax rates: rule 1 takes 19, 7 "
        "or 0 %, the other rules only 0 %.",
    },
    test=lambda api: (
        f"Bookkeeping {api.get('/Tools/bookkeepingSystemVersion')['objects']['version']}"
    ),
    options={"users": _users, "check_accounts": _check_accounts},
)


def ref(object_name: str, id: Any) -> dict[str, Any]:
    """How sevDesk names another record: its id and model name."""
    return {"id": int(id), "objectName": object_name}


from nodes.sevdesk import actions, triggers  # noqa: E402, F401  (they declare the nodes)
