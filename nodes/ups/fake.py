"""UPS's OAuth, Shipping and Tracking APIs, as far as Shopwire calls them.

Documented behaviour kept (UPS-API/api-documentation): the token endpoint takes the client id
and secret as Basic auth with ``grant_type=client_credentials`` and answers ``expires_in`` as a
string; API calls need the bearer token and a ``transId`` header; errors are
``{"response": {"errors": [{"code", "message"}]}}``; one package's results are an object. The
429 reply (quota used up) is the spec's error shape with a Retry-After header, which UPS does
not document.
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qsl

from nodes.kit.auth import basic
from nodes.kit.examples import example
from nodes.kit.fakes.label import LABEL_GIF
from nodes.kit.fakes.provider import FakeProvider, route
from nodes.kit.fakes.receiver import Recorded

CLIENT_ID = "shopwire-client-id"
CLIENT_SECRET = "shopwire-client-secret"
ACCOUNT = "023E2X"


class FakeUps(FakeProvider):
    account = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "account_number": ACCOUNT}
    sample_call = ("GET", "/api/track/v1/details/1Z023E2X0214323462", None)

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.shipments: dict[str, dict] = {}
        self._next = 172341

    def authorized(self, request: Recorded) -> bool:
        if request.path.startswith("/security/"):
            return True  # the token endpoint checks its own Basic auth
        sent = request.header("Authorization") or ""
        return sent.removeprefix("Bearer ") in self.tokens

    def error(self, status: int, message: str, code: str = "250002") -> dict:
        return {"response": {"errors": [{"code": code, "message": message}]}}

    def revoke(self) -> None:
        """Every token issued so far stops working (expired early, revoked)."""
        self.tokens.clear()

    @route("POST", "/security/v1/oauth/token")
    def token(self, request):
        grant = dict(parse_qsl(request.body.decode()))
        if request.header("Authorization") != basic(CLIENT_ID, CLIENT_SECRET):
            return 401, self.error(401, "Invalid Authentication Information.", "10401")
        if grant.get("grant_type") != "client_credentials":
            return 400, self.error(400, "Invalid grant_type.", "10400")
        issued = example("ups", "token") | {"access_token": secrets.token_urlsafe(24)}
        self.tokens.add(issued["access_token"])
        return 200, issued

    def _missing_trans_id(self, request):
        if not request.header("transId") or not request.header("transactionSrc"):
            return 400, self.error(400, "Missing transId or transactionSrc header.", "250003")
        return None

    @route("POST", "/api/shipments/{version}/ship")
    def ship(self, request, version):
        if refused := self._missing_trans_id(request):
            return refused
        shipment = request.json()["ShipmentRequest"]["Shipment"]
        if shipment["Shipper"].get("ShipperNumber") != ACCOUNT:
            return 400, self.error(400, "Invalid or missing shipper number.", "120100")
        if not shipment["ShipTo"]["Address"].get("PostalCode"):
            return 400, self.error(400, "Missing or invalid ship to postal code.", "120202")
        number = f"1Z{ACCOUNT}68{self._next:08d}"
        self._next += 1
        self.shipments[number] = shipment
        reply = example("ups", "ship.response")
        results = reply["ShipmentResponse"]["ShipmentResults"]
        results["ShipmentIdentificationNumber"] = number
        results["PackageResults"]["TrackingNumber"] = number
        label = base64.b64encode(LABEL_GIF).decode()
        results["PackageResults"]["ShippingLabel"]["GraphicImage"] = label
        return 200, reply

    @route("GET", "/api/track/v1/details/{number}")
    def track(self, request, number):
        if refused := self._missing_trans_id(request):
            return refused
        reply = example("ups", "track.response")
        known = reply["trackResponse"]["shipment"][0]["inquiryNumber"]
        if number != known and number not in self.shipments:
            return 404, self.error(404, "Tracking Information Not Found", "TW0001")
        shipment = reply["trackResponse"]["shipment"][0]
        shipment["inquiryNumber"] = shipment["package"][0]["trackingNumber"] = number
        return 200, reply
