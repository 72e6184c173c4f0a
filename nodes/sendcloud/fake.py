"""Sendcloud's API v2, as far as Shopwire calls it, with what its webhooks send.

Kept from sendcloud.dev (examples in ``examples/``): Basic auth with the public and secret key;
``POST /parcels`` with ``request_label`` announcing the parcel to the shipping method's carrier;
the label PDF at ``/labels/label_printer/{id}``; errors ``{"error": {"code", "request",
"message"}}`` (400 for a missing field, 412 when the method cannot take the parcel). A
delivery (:meth:`FakeSendcloud.delivery`) is signed as Sendcloud signs: the hex HMAC-SHA256 of
the body with the secret key in ``Sendcloud-Signature``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from nodes.kit.auth import basic
from nodes.kit.examples import example
from nodes.kit.fakes.label import label_pdf
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

PUBLIC_KEY = "3a0f1b2c-public"
SECRET_KEY = "9e8d7c6b5a4f3e2d1c0b-secret"
PREFIX = "/api/v2"
METHODS = [
    {
        "id": 8,
        "name": "PostNL Standard 0-23kg",
        "carrier": "postnl",
        "min_weight": "0.001",
        "max_weight": "23.001",
    },
    {
        "id": 1314,
        "name": "DHL Paket 0-31.5kg",
        "carrier": "dhl",
        "min_weight": "0.001",
        "max_weight": "31.501",
    },
]


class FakeSendcloud(FakeProvider):
    account = {"public_key": PUBLIC_KEY, "secret_key": SECRET_KEY}
    sample_call = ("GET", "/shipping_methods", None)

    def __init__(self) -> None:
        super().__init__()
        self.parcels: dict[int, dict] = {}
        self._next = 3

    def authorized(self, request: Recorded) -> bool:
        return request.header("Authorization") == basic(PUBLIC_KEY, SECRET_KEY)

    def error(self, status: int, message: str) -> dict:
        return {"error": {"code": status, "request": "api/v2/parcels", "message": message}}

    @route("GET", PREFIX + "/shipping_methods")
    def shipping_methods(self, request):
        return 200, {"shipping_methods": METHODS}

    @route("POST", PREFIX + "/parcels")
    def create(self, request):
        sent = request.json()["parcel"]
        for required in ("name", "address", "house_number", "city", "postal_code", "country"):
            if not sent.get(required):
                return 400, self.error(400, f"{required}: 'This field cannot be blank.'")
        method = next((m for m in METHODS if m["id"] == sent["shipment"]["id"]), None)
        if method is None or float(sent["weight"]) > float(method["max_weight"]):
            return 412, self.error(
                412, "The parcel's weight is outside the shipping method's weight range."
            )
        parcel = example("sendcloud", "parcel.created")["parcel"]
        parcel_id, self._next = self._next, self._next + 1
        number = f"3SYZXG{parcel_id:09d}"
        parcel |= {
            "id": parcel_id,
            "name": sent["name"],
            "address": f"{sent['address']} {sent['house_number']}",
            "address_divided": {"street": sent["address"], "house_number": sent["house_number"]},
            "tracking_number": number,
            "tracking_url": parcel["tracking_url"].replace("S0M3TR4Ck1NgNumB3r", number),
            "weight": sent["weight"],
            "order_number": sent.get("order_number", ""),
            "shipment": {"id": method["id"], "name": method["name"]},
            "carrier": {"code": method["carrier"]},
        }
        self.parcels[parcel_id] = parcel
        return 200, {"parcel": parcel}

    @route("GET", PREFIX + "/labels/label_printer/{parcel_id}")
    def label(self, request, parcel_id):
        parcel = self.parcels.get(int(parcel_id))
        if parcel is None:
            return 404, self.error(404, "No Parcel matches the given query.")
        return 200, label_pdf(parcel["tracking_number"]), {"Content-Type": "application/pdf"}

    # what Sendcloud sends to the webhook URL

    @staticmethod
    def delivery(payload: dict, secret: str = SECRET_KEY) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(payload).encode()
        signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return body, {"Sendcloud-Signature": signature, "Content-Type": "application/json"}
