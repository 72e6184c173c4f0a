"""Hermes's OAuth server and HSI API, as far as Shopwire calls them.

Kept from the sources in ``examples/SOURCES.md``: the password grant with every value in the
form body (RFC 6749 errors ``{"error", "error_description"}`` when refused); the bearer token
on HSI calls; a shipment order answered with ``shipmentID``, ``shipmentOrderID`` and the label
as base64 when ``Accept`` asks for the ``+json`` PDF label; refusals as ``listOfResultCodes``;
tracking by ``shipmentID`` with an ``e001`` result for an unknown number. Both hosts are one
server here: the connector keeps the documented paths.
"""

from __future__ import annotations

import base64
import copy
import secrets
from urllib.parse import parse_qsl

from nodes.kit.examples import example
from nodes.kit.fakes.label import label_pdf
from nodes.kit.fakes.provider import FakeProvider, query, route
from nodes.kit.fakes.receiver import Recorded

CLIENT_ID = "hsi.shopwire"
CLIENT_SECRET = "hsi-secret-0123456789"
USERNAME = "testkunde"
PASSWORD = "hermes-pass"
TOKEN_PATH = "/authorization-facade/oauth2/access_token"
PREFIX = "/services/hsi"


class FakeHermes(FakeProvider):
    account = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "username": USERNAME,
        "password": PASSWORD,
    }
    sample_call = ("GET", "/shipmentinfo?shipmentID=H1234567890123456789", None)

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()
        self.orders: dict[str, dict] = {}
        self._next = 10001

    def authorized(self, request: Recorded) -> bool:
        if request.path.startswith(TOKEN_PATH):
            return True  # the token endpoint checks the form itself
        return (request.header("Authorization") or "").removeprefix("Bearer ") in self.tokens

    def error(self, status: int, message: str) -> dict:
        return {"listOfResultCodes": [{"code": f"e{status:03d}", "message": message}]}

    @route("POST", TOKEN_PATH)
    def token(self, request):
        form = dict(parse_qsl(request.body.decode()))
        expected = {
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "username": USERNAME,
            "password": PASSWORD,
        }
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {
                "error": "invalid_client",
                "error_description": "Client authentication failed",
            }
        if form != expected:
            return 400, {"error": "invalid_grant", "error_description": "Bad credentials"}
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": 3599}

    @route("POST", PREFIX + "/shipmentorders/labels")
    def labels(self, request):
        if request.header("Accept") != "application/shippinglabel-pdf+json":
            return 406, self.error(406, "Unsupported label media type.")
        order = request.json()
        if order["parcel"]["parcelWeight"] > 31500:
            return 400, example("hermes", "labels.error")
        number = f"H10000000000000{self._next}"
        self._next += 1
        self.orders[number] = order
        created = example("hermes", "labels.response")
        created["shipmentID"] = number
        created["labelImage"] = base64.b64encode(label_pdf(number)).decode()
        return 200, created

    @route("GET", PREFIX + "/shipmentinfo")
    def shipmentinfo(self, request):
        number = query(request).get("shipmentID")
        known = example("hermes", "shipmentinfo.response")
        if number != known["shipmentinfo"][0]["shipmentID"] and number not in self.orders:
            missing = example("hermes", "shipmentinfo.error")
            missing["shipmentinfo"][0]["shipmentID"] = number
            return 200, missing
        info = copy.deepcopy(known)
        info["shipmentinfo"][0]["shipmentID"] = number
        return 200, info
