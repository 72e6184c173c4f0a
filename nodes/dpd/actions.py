"""DPD's actions: create a label, track a parcel."""

from __future__ import annotations

from datetime import date
from typing import Any

from nodes.dpd import acknowledged, dpd
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.shipping import (
    RECIPIENT,
    SHIPMENT,
    TRACKING,
    WEIGHT,
    country,
    decoded,
    filled,
    label,
    shipment,
    street_and_number,
    tracking,
    tracking_params,
)

SERVICES = [
    "Classic",
    "Classic_Predict",
    "Express_830",
    "Express_10",
    "Express_12",
    "Express_18",
    "Express_12_Saturday",
    "Express_International",
]


def _tracking_url(number: str) -> str:
    return f"https://tracking.dpd.de/status/de_DE/parcel/{number}"


def _ship_address(recipient: dict[str, Any]) -> dict[str, Any]:
    street, number = street_and_number(recipient)
    fields = {
        "Company": recipient.get("company"),
        "Name": recipient["name"],
        "Street": street,
        "HouseNo": number,
        "Country": country(recipient["country"]),
        "ZipCode": recipient["postcode"],
        "City": recipient["city"],
        "Phone": recipient.get("phone"),
        "Mail": recipient.get("email"),
    }
    return filled(fields)


@dpd.action(
    "create_label",
    params=params_schema(
        ["recipient", "weight", "reference"],
        recipient=RECIPIENT,
        weight=WEIGHT,
        reference={
            "type": "string",
            "minLength": 1,
            "maxLength": 35,
            "title": "Reference",
            "description": "Printed on the label and kept with the parcel: the order number.",
        },
        content={
            "type": "string",
            "minLength": 1,
            "maxLength": 35,
            "default": "Waren",
            "title": "Content",
            "description": "What is in the parcel, in a few words.",
        },
        service={
            "enum": SERVICES,
            "default": "Classic",
            "title": "Service",
            "description": "Classic_Predict announces the delivery to the recipient: it needs "
            "their e-mail or mobile number.",
        },
        label_size={"enum": ["PDF_A6", "PDF_A4"], "default": "PDF_A6", "title": "Label size"},
    ),
    output_schema=SHIPMENT,
    output_example={
        "carrier": "dpd",
        "tracking_number": "01234567890123",
        "tracking_url": _tracking_url("01234567890123"),
        "label": {
            "file": "f_8d1f0c77e3",
            "filename": "dpd-01234567890123.pdf",
            "media_type": "application/pdf",
            "size": 1830,
        },
    },
)
def create_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    reference = params["reference"]
    order = {
        "OrderAction": "startOrder",
        "OrderSettings": {
            "ShipDate": date.today().isoformat(),
            "LabelSize": params.get("label_size", "PDF_A6"),
            "LabelStartPosition": "UpperLeft",
        },
        "OrderDataList": [
            {
                "ShipAddress": _ship_address(params["recipient"]),
                "ParcelShopID": 0,
                "ParcelData": {
                    "ShipService": params.get("service", "Classic"),
                    "Weight": params["weight"],
                    "Content": params.get("content", "Waren"),
                    "YourInternalID": reference,
                    "Reference1": reference,
                },
            }
        ],
    }
    reply = acknowledged(ctx.api.post("/setOrder", json=order))
    labels = reply["LabelResponse"]
    number = labels["LabelDataList"][0]["ParcelNo"]
    pdf = decoded(labels["LabelPDF"], "DPD")
    return shipment(
        "dpd",
        number,
        _tracking_url(number),
        label(ctx, pdf, "application/pdf", f"dpd-{number}.pdf"),
    )


# DPD's milestones, latest first, in the kit's common words.
MILESTONES = [
    ("Delivered", "delivered"),
    ("CarLoad", "out_for_delivery"),
    ("DeliveryDepot", "in_transit"),
    ("OnTheRoad", "in_transit"),
    ("Start", "pre_transit"),
]


@dpd.action(
    "track",
    params=tracking_params(
        postcode={
            "type": "string",
            "maxLength": 10,
            "title": "Recipient's postcode",
            "description": "Without it DPD answers only what anyone may see.",
        }
    ),
    output_schema=TRACKING,
    output_example=tracking(
        "dpd",
        "01234567890123",
        _tracking_url("01234567890123"),
        "delivered",
        "Your parcel has been delivered.",
        [{"at": "2024-01-16T12:00:00", "text": "Delivered", "location": None}],
    ),
)
def track(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    number = params["tracking_number"]
    # An empty path part is the literal "null" (DPD's REST rule).
    postcode = params.get("postcode") or "null"
    reply = acknowledged(ctx.api.get(f"/getOrderStatus/{number}/{postcode}"))
    reached = {
        name: step
        for name, step in (reply.get("StatusInfoContainer") or {}).items()
        if step and step.get("StatusReached")
    }
    status = next((common for name, common in MILESTONES if name in reached), "unknown")
    last = reply.get("LastStatusInfo") or {}
    events = [
        {
            "at": step.get("StatusDate")
            or (last.get("StatusDate") if step.get("StatusID") == last.get("StatusID") else None),
            "text": step.get("Headline"),
            "location": None,
        }
        for name, _ in MILESTONES
        if (step := reached.get(name))
    ]
    return tracking(
        "dpd",
        number,
        _tracking_url(number),
        status,
        last.get("Description") or last.get("Headline") or "",
        events,
    )
