"""DPD's Cloud Service REST interface, as far as Shopwire calls it.

Kept from DPD's REST samples and the SDK fixtures in ``examples/``: the four hyphenated
credential headers with ``Version`` and ``Language``; ``setOrder`` answering the label PDF as
base64 and the parcel number; ``getOrderStatus`` by parcel number and postcode (``null`` when
unknown); refusals as ``"Ack": false`` with an ``ErrorDataList``, also for wrong credentials
and for the account's call limit (``CLOUD_API_USERCALLLIMIT``).
"""

from __future__ import annotations

import base64

from nodes.kit.examples import example
from nodes.kit.fakes.label import label_pdf
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded, Reply

PARTNER_NAME = "DPD Sandbox"
PARTNER_TOKEN = "0644B1C6A2D7E3F5A8B9"
USER_ID = "2797713"
USER_TOKEN = "6351C2D8E9F0A1B2C3D4"
CREDENTIALS = {
    "PartnerCredentials-Name": PARTNER_NAME,
    "PartnerCredentials-Token": PARTNER_TOKEN,
    "UserCredentials-cloudUserID": USER_ID,
    "UserCredentials-Token": USER_TOKEN,
}
PREFIX = "/api/v1"


class FakeDpd(FakeProvider):
    account = {
        "partner_name": PARTNER_NAME,
        "partner_token": PARTNER_TOKEN,
        "user_id": USER_ID,
        "user_token": USER_TOKEN,
    }
    sample_call = ("GET", "/ZipCodeRules", None)

    def __init__(self) -> None:
        super().__init__()
        self.parcels: dict[str, dict] = {}
        self._next = 1234567890124

    def error(self, status: int, message: str) -> dict:
        return {
            "Ack": False,
            "ErrorDataList": [
                {
                    "ErrorID": status,
                    "ErrorCode": "CLOUD_API_ERROR",
                    "ErrorMsgShort": message,
                    "ErrorMsgLong": message,
                }
            ],
        }

    def rate_limited(self, retry_after: int):
        return 200, example("dpd", "error.usercalllimit"), {}

    def _answer(self, request: Recorded) -> Reply:
        """DPD answers wrong credentials with a refusal in a 200 reply, not with a 401."""
        if not self._failures and any(request.header(h) != v for h, v in CREDENTIALS.items()):
            return self._encode(200, example("dpd", "error.partnercredentials"), {})
        return super()._answer(request)

    @route("GET", PREFIX + "/ZipCodeRules")
    def zip_code_rules(self, request):
        return 200, {"Ack": True, "ZipCodeRules": {"Country": "DE", "ZipCode": "63110"}}

    @route("POST", PREFIX + "/setOrder")
    def set_order(self, request):
        order = request.json()
        (data,) = order["OrderDataList"]
        parcel = data["ParcelData"]
        if not 0 < parcel["Weight"] <= 31.5:
            return 200, example("dpd", "error.weight")
        number = f"0{self._next}"
        self._next += 1
        self.parcels[number] = data
        created = example("dpd", "setorder.success")
        created["LabelResponse"]["LabelPDF"] = base64.b64encode(label_pdf(number)).decode()
        created["LabelResponse"]["LabelDataList"] = [
            {"YourInternalID": parcel["YourInternalID"], "ParcelNo": number}
        ]
        return 200, created

    @route("GET", PREFIX + "/getOrderStatus/{number}/{postcode}")
    def order_status(self, request, number, postcode):
        status = example("dpd", "orderstatus.success")
        if number != status["ParcelNo"] and number not in self.parcels:
            return 200, {
                "Ack": False,
                "ErrorDataList": [
                    {
                        "ErrorID": 3001,
                        "ErrorCode": "CLOUD_API_PARCELNO",
                        "ErrorMsgShort": "Parcel not found",
                        "ErrorMsgLong": "Zu dieser Paketnummer liegen keine Daten vor.",
                    }
                ],
            }
        status["ParcelNo"] = status["OrderInformation"]["ParcelNo"] = number
        return 200, status
