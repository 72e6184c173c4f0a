"""DPD Germany: labels and tracking through the DPD Cloud Service's REST interface.

DPD describes the Cloud Service in a PDF and REST code samples on esolutions.dpd.com (the
contract is summed up in very-code-com/dpd-de-php's docs/DPD-NOTES.md): ``POST /setOrder``
creates parcels and answers the label PDF as base64, ``GET /getOrderStatus/{parcel}/{zip}``
tracks one. Every request carries the partner's and the customer's credentials in four
headers, with ``Version: 100`` and ``Language``. Replies say ``"Ack": false`` with an
``ErrorDataList`` of ``{ErrorID, ErrorCode, ErrorMsgShort, ErrorMsgLong}`` when DPD refuses;
``CLOUD_API_USERCALLLIMIT`` means the account's call limit is reached (wait 10 minutes).
"""

from __future__ import annotations

from typing import Any

from nodes.kit.auth import AllOf, ApiKey
from nodes.kit.base import Connector, ProviderError, account_schema
from nodes.kit.errors import ErrorBody

AUTH = account_schema(
    "DPD Cloud Service account",
    ["partner_name", "partner_token", "user_id", "user_token"],
    partner_name={
        "type": "string",
        "title": "Partner name",
        "description": "PartnerCredentials Name, from DPD's e-mail with your Cloud Service access.",
        "minLength": 1,
    },
    partner_token={
        "type": "string",
        "title": "Partner token",
        "minLength": 1,
        "writeOnly": True,
    },
    user_id={
        "type": "string",
        "title": "Cloud user ID",
        "description": "UserCredentials cloudUserID: digits only.",
        "pattern": "^[0-9]+$",
    },
    user_token={"type": "string", "title": "User token", "minLength": 1, "writeOnly": True},
    sandbox={
        "type": "boolean",
        "title": "Test system",
        "description": "Send to DPD's test system (cloud-stage): labels are not real. It "
        "needs its own credentials.",
        "default": False,
    },
)

CALL_LIMIT = "CLOUD_API_USERCALLLIMIT"
CREDENTIALS = ("CLOUD_API_PARTNERCREDENTIALS", "CLOUD_API_USERCREDENTIALS", "CLOUD_API_LOGIN")


def _codes(body: Any) -> list[str]:
    errors = body.get("ErrorDataList") if isinstance(body, dict) else None
    return [str(error.get("ErrorCode")) for error in errors or []]


def _throttled(response, body: Any) -> float | None:
    """DPD answers its call limit in the body and asks for ten minutes."""
    return 600.0 if CALL_LIMIT in _codes(body) else None


def acknowledged(body: dict[str, Any]) -> dict[str, Any]:
    """A reply DPD acknowledged; a refusal (``"Ack": false``) fails the step in DPD's words."""
    if body.get("Ack"):
        return body
    codes = _codes(body)
    raise ProviderError(
        dpd.error_message(body) or "DPD refused the request without saying why.",
        hint=(
            "DPD refused the credentials: check the four values in the DPD account (the test "
            "system has its own)."
            if any(code in CREDENTIALS for code in codes)
            else "Check the values this step sends; the message above names the one DPD refused."
        ),
    )


dpd = Connector(
    "dpd",
    auth=AUTH,
    base_url=lambda credential: (
        "https://cloud-stage.dpd.com/api/v1"
        if credential.get("sandbox")
        else "https://cloud.dpd.com/api/v1"
    ),
    auth_type=AllOf(
        (
            ApiKey("partner_name", header="PartnerCredentials-Name"),
            ApiKey("partner_token", header="PartnerCredentials-Token"),
            ApiKey("user_id", header="UserCredentials-cloudUserID"),
            ApiKey("user_token", header="UserCredentials-Token"),
        )
    ),
    headers={"Version": "100", "Language": "de_DE", "Accept": "application/json"},
    errors=ErrorBody(
        ("ErrorDataList[].ErrorMsgLong", "ErrorDataList[].ErrorMsgShort"),
        code="ErrorDataList[0].ErrorCode",
    ),
    throttled=_throttled,
    test=lambda api: acknowledged(api.get("/ZipCodeRules")) and "DPD accepted the credentials.",
)

from nodes.dpd import actions  # noqa: E402, F401  (they declare the nodes)
