"""UPS's actions: create a label, track a parcel."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.shipping import (
    LANGUAGE,
    RECIPIENT,
    REFERENCE,
    SHIPMENT,
    TRACKING,
    WEIGHT,
    country,
    decoded,
    label,
    shipment,
    street_and_number,
    tracking,
    tracking_params,
)
from nodes.ups import ups

VERSION = "v2409"
SERVICES = {
    "11": "UPS Standard",
    "07": "UPS Express",
    "54": "UPS Express Plus",
    "65": "UPS Saver",
    "08": "UPS Expedited",
}


def _party(address: dict[str, Any]) -> dict[str, Any]:
    street, number = street_and_number(address)
    lines = [f"{street} {number}", address.get("address_addition")]
    party: dict[str, Any] = {
        "Name": address.get("company") or address["name"],
        "AttentionName": address["name"],
        "Address": {
            "AddressLine": [line for line in lines if line],
            "City": address["city"],
            "PostalCode": address["postcode"],
            "CountryCode": country(address["country"]),
        },
    }
    if address.get("phone"):
        party["Phone"] = {"Number": address["phone"]}
    if address.get("email"):
        party["EMailAddress"] = address["email"]
    return party


def _tracking_url(number: str) -> str:
    return f"https://www.ups.com/track?tracknum={number}"


@ups.action(
    "create_label",
    params=params_schema(
        ["recipient", "shipper", "weight"],
        recipient=RECIPIENT,
        shipper={**RECIPIENT, "title": "Sender", "description": "Your address, on the label."},
        weight=WEIGHT,
        service={
            "enum": list(SERVICES),
            "default": "11",
            "title": "Service",
            "description": "; ".join(f"{code} {name}" for code, name in SERVICES.items()),
        },
        reference=REFERENCE,
    ),
    output_schema=SHIPMENT,
    output_example={
        "carrier": "ups",
        "tracking_number": "1Z023E2X6804172341",
        "tracking_url": _tracking_url("1Z023E2X6804172341"),
        "shipment_id": "1Z023E2X6804172341",
        "label": {
            "file": "f_2c9e41b7aa",
            "filename": "ups-1Z023E2X6804172341.gif",
            "media_type": "image/gif",
            "size": 4810,
        },
    },
)
def create_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    account = ctx.api.credential["account_number"]
    sender = _party(params["shipper"])
    parcel: dict[str, Any] = {
        "Description": params.get("reference") or "Goods",
        "Shipper": sender | {"ShipperNumber": account},
        "ShipTo": _party(params["recipient"]),
        "ShipFrom": sender,
        "PaymentInformation": {
            "ShipmentCharge": {"Type": "01", "BillShipper": {"AccountNumber": account}}
        },
        "Service": {"Code": params.get("service", "11")},
        "Package": {
            "Packaging": {"Code": "02"},
            "PackageWeight": {
                "UnitOfMeasurement": {"Code": "KGS"},
                "Weight": str(params["weight"]),
            },
        },
    }
    if params.get("reference"):
        parcel["ReferenceNumber"] = {"Value": params["reference"]}
    request = {
        "ShipmentRequest": {
            "Request": {"RequestOption": "nonvalidate"},
            "Shipment": parcel,
            "LabelSpecification": {"LabelImageFormat": {"Code": "GIF"}},
        }
    }
    reply = ctx.api.post(f"/api/shipments/{VERSION}/ship", json=request)
    results = reply["ShipmentResponse"]["ShipmentResults"]
    package = results["PackageResults"]
    # One package comes back as an object, several as a list.
    package = package[0] if isinstance(package, list) else package
    number = package["TrackingNumber"]
    image = decoded(package["ShippingLabel"]["GraphicImage"], "UPS")
    return shipment(
        "ups",
        number,
        _tracking_url(number),
        label(ctx, image, "image/gif", f"ups-{number}.gif"),
        shipment_id=results["ShipmentIdentificationNumber"],
    )


# UPS's activity status types, in the kit's common words.
STATUS = {
    "M": "pre_transit",
    "P": "in_transit",
    "I": "in_transit",
    "O": "out_for_delivery",
    "D": "delivered",
    "X": "failure",
    "RS": "failure",
}


def _event(activity: dict[str, Any]) -> dict[str, Any]:
    date, time = activity.get("date", ""), activity.get("time", "")
    place = (activity.get("location") or {}).get("address") or {}
    at = f"{date[:4]}-{date[4:6]}-{date[6:8]}T{time[:2]}:{time[2:4]}:{time[4:6]}" if date else None
    return {
        "at": at,
        "text": (activity.get("status") or {}).get("description"),
        "location": place.get("city"),
    }


@ups.action(
    "track",
    params=tracking_params(language=LANGUAGE),
    output_schema=TRACKING,
    output_example=tracking(
        "ups",
        "1Z023E2X0214323462",
        _tracking_url("1Z023E2X0214323462"),
        "in_transit",
        "Your package was released by the customs agency.",
        [
            {
                "at": "2021-02-10T07:13:56",
                "text": "Your package was released by the customs agency.",
                "location": "Wayne",
            }
        ],
    ),
)
def track(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    number = params["tracking_number"]
    locale = "de_DE" if params.get("language", "de") == "de" else "en_US"
    reply = ctx.api.get(f"/api/track/v1/details/{number}", params={"locale": locale})
    package = reply["trackResponse"]["shipment"][0]["package"][0]
    current = package.get("currentStatus") or {}
    return tracking(
        "ups",
        number,
        _tracking_url(number),
        STATUS.get(current.get("type"), "unknown"),
        current.get("description") or package.get("statusDescription") or "",
        [_event(activity) for activity in package.get("activity") or []],
    )
