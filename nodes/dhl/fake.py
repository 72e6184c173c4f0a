"""DHL's Parcel DE Shipping API v2 and Shipment Tracking API, as far as Shopwire calls them.

Documented behaviour kept (OpenAPI 2.1.12 and the SDK fixtures in ``examples/``): the app key
in ``dhl-api-key`` and the portal login as Basic auth on shipping calls, the key alone on
tracking; ``validate=true`` creates nothing; a refused shipment is a 400 problem+json
``LabelDataResponse`` with ``validationMessages``; a created one carries the label as base64;
cancelling answers the ``RequestStatus`` of each shipment; tracking answers ``shipments`` or a
404 problem. A 429 is the tracking fixture's body; ``RateLimit-Reset`` on it is not in DHL's
spec (which names no limit headers) and stands for the IETF header the kit reads.
"""

from __future__ import annotations

import base64
import copy

from nodes.kit.auth import basic
from nodes.kit.examples import example
from nodes.kit.fakes.label import label_pdf
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

API_KEY = "dhl-app-key-0123456789"
USERNAME = "user-valid"
PASSWORD = "SandboxPasswort2023!"
EKP = "3333333333"
PROBLEM = "application/problem+json"

# What the fake's backend finds wrong, by recipient postcode, as DHL words it.
UNKNOWN_POSTCODE = "99999"
NO_SUCH_HOUSE = "404"


class FakeDhl(FakeProvider):
    account = {"api_key": API_KEY, "username": USERNAME, "password": PASSWORD, "ekp": EKP}
    sample_call = ("GET", "/parcel/de/shipping/v2/orders?shipment=1", None)

    def __init__(self) -> None:
        super().__init__()
        self.shipments: dict[str, dict] = {}
        self._next = 10001

    def authorized(self, request: Recorded) -> bool:
        if request.header("dhl-api-key") != API_KEY:
            return False
        if request.path.startswith("/track/"):
            return True
        return request.header("Authorization") == basic(USERNAME, PASSWORD)

    def error(self, status: int, message: str) -> dict:
        titles = {401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}
        return {"title": titles.get(status, "Error"), "status": status, "detail": message}

    def rate_limited(self, retry_after: int):
        return 429, example("dhl", "track.too_many_requests"), {"RateLimit-Reset": str(retry_after)}

    def _encode(self, status, body, headers):
        if status >= 400 and body is not None:
            headers = {"Content-Type": PROBLEM, **headers}
        return super()._encode(status, body, headers)

    # shipping

    def _problems(self, parcel: dict) -> list[dict]:
        consignee = parcel["consignee"]
        if consignee.get("postalCode") == UNKNOWN_POSTCODE:
            return [
                {
                    "property": "consignee.postalCode",
                    "validationState": "Error",
                    "validationMessage": "The postcode entered is not valid.",
                }
            ]
        if consignee.get("addressHouse") == NO_SUCH_HOUSE:
            return [
                {
                    "property": "consignee",
                    "validationState": "Error",
                    "validationMessage": "The house number entered could not be found.",
                }
            ]
        if not parcel["billingNumber"].startswith(EKP):
            return [
                {
                    "property": "billingNumber",
                    "validationState": "Error",
                    "validationMessage": "Invalid billing number.",
                }
            ]
        return []

    @route("POST", "/parcel/de/shipping/v2/orders")
    def create(self, request):
        order, sent = request.json(), query(request)
        (parcel,) = order["shipments"]
        if problems := self._problems(parcel):
            refused = example("dhl", "orders.validation_error")
            refused["items"][0]["validationMessages"] = problems
            return 400, refused
        if sent.get("validate") == "true":
            return 200, {
                "status": {"title": "OK", "statusCode": 200, "status": 200},
                "items": [
                    {"sstatus": {"title": "OK", "statusCode": 200}, "validationMessages": []}
                ],
            }
        number = f"00340433333010100000{self._next}"
        self._next += 1
        self.shipments[number] = parcel
        created = example("dhl", "orders.success")
        item = created["items"][0]
        item["shipmentNo"] = number
        item["label"]["b64"] = base64.b64encode(label_pdf(number)).decode()
        return 200, created

    @route("DELETE", "/parcel/de/shipping/v2/orders")
    def cancel(self, request):
        sent = query(request)
        number = sent.get("shipment")
        if sent.get("profile") != "STANDARD_GRUPPENPROFIL" or number not in self.shipments:
            return 400, {
                "status": {
                    "title": "Bad Request",
                    "statusCode": 400,
                    "status": 400,
                    "detail": "0 of 1 shipment successfully canceled.",
                },
                "items": [
                    {
                        "shipmentNo": number,
                        "sstatus": {
                            "title": "Bad Request",
                            "statusCode": 400,
                            "detail": "Unknown shipment number.",
                        },
                    }
                ],
            }
        del self.shipments[number]
        cancelled = example("dhl", "cancel.success")
        cancelled["items"][0]["shipmentNo"] = number
        return 200, cancelled

    @route("GET", "/parcel/de/shipping/v2/orders")
    def reprint(self, request):
        return 200, {"status": {"title": "OK", "statusCode": 200}, "items": []}

    # tracking

    @route("GET", "/track/shipments")
    def track(self, request):
        number = query(request).get("trackingNumber")
        found = example("dhl", "track.success")
        if number not in self.shipments and number != found["shipments"][0]["id"]:
            missing = example("dhl", "track.not_found")
            missing["instance"] = f"/shipment/{number}"
            return 404, missing
        shipment = copy.deepcopy(found)
        shipment["shipments"][0]["id"] = number
        return 200, shipment
