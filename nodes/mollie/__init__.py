"""Mollie: payment status changes as a trigger, payment links and refunds as actions.

API reference: https://docs.mollie.com/reference. Requests carry the API key as a Bearer token
and POSTs an Idempotency-Key; amounts are ``{"currency", "value"}`` with the value a decimal
string; errors are ``{"status", "title", "detail", "field"}`` (application/hal+json).

Mollie's webhook carries nothing but ``id=tr_…`` (a form body, unsigned) and there is no API to
register it: the URL is given with each payment (``webhookUrl``). So the trigger trusts nothing
in the delivery: the worker fetches the payment from Mollie with the merchant's key as the
execution's first step (``fetches``), and the flow goes on only for the chosen statuses. A
forged id fetches nothing (the execution fails with Mollie's "not found") or a real payment of
this merchant in its real state, so it can start nothing that a real status change would not.

No deduplication at ingress: Mollie calls once per status change with the same body, so the
only id in a delivery repeats legitimately, and the status is unknown until fetched. After the
fetch, "<payment id>:<status>" is the event (``fetched_event_id``): the flow runs once per
payment and status, so Mollie's later calls about a paid payment (a refund or chargeback
leaves its status "paid") and two calls fetched late in the same state end quietly.
"""

from __future__ import annotations

import re

from nodes.kit.auth import Bearer
from nodes.kit.base import Connector, account_schema
from nodes.kit.errors import ErrorBody

PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]+$")
STATUSES = ["open", "pending", "authorized", "paid", "canceled", "expired", "failed"]

AUTH = account_schema(
    "Mollie account",
    ["api_key"],
    api_key={
        "type": "string",
        "title": "API key",
        "description": "Mollie Dashboard → Developers → API keys. A key starting with test_ "
        "works with test payments, live_ with real ones.",
        "pattern": "^(test|live)_[A-Za-z0-9]+$",
        "writeOnly": True,
    },
)


mollie = Connector(
    "mollie",
    auth=AUTH,
    base_url=lambda credential: "https://api.mollie.com",
    auth_type=Bearer("api_key"),
    errors=ErrorBody("detail", field="field"),
    idempotency_header="Idempotency-Key",
    test=lambda api: api.get("/v2/methods"),
)

AMOUNT = {
    "type": "object",
    "properties": {"currency": {"type": "string"}, "value": {"type": "string"}},
}
MONEY_VALUE = {
    "type": "string",
    "pattern": r"^[0-9]+(\.[0-9]{2})?$",
    "title": "Amount (decimal string with 2 decimals, e.g. 10.00)",
}
CURRENCY = {"type": "string", "pattern": "^[A-Z]{3}$", "title": "Currency (e.g. EUR)"}

from nodes.mollie import actions, triggers  # noqa: E402, F401  (they declare the nodes)
