"""Hermes's actions: create a label, track a parcel."""

from __future__ import annotations

from typing import Any

from nodes.hermes import hermes, refused
from nodes.kit.base import NodeContext, params_schema
from nodes.kit.shipping import (
    RECIPIENT,
    REFERENCE,
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

PDF_LABEL = "application/shippinglabel-pdf+json"


def _tracking_url(number: str) -> str:
    return f"https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation#{number}"


def _name(full: str) -> dict[str, str]:
    """Hermes wants first and last name apart; a single word is both."""
    first, _, last = full.strip().partition(" ")
    return {"firstname": first, "lastname": last.strip() or first}


def _order(params: dict[str, Any]) -> dict[str, Any]:
    recipient = params["recipient"]
    street, number = street_and_number(recipient)
    address = {
        "street": street,
        "houseNumber": number,
        "zipCode": recipient["postcode"],
        "town": recipient["city"],
        "countryCode": country(recipient["country"]),
        "addressAddition": recipient.get("address_addition"),
        "addressAddition3": recipient.get("company"),
    }
    order: dict[str, Any] = {
        "receiverName": _name(recipient["name"]),
        "receiverAddress": filled(address),
        "parcel": {"parcelWeight": round(params["weight"] * 1000), "productType": "PARCEL"},
    }
    contact = {"phone": recipient.get("phone"), "mail": recipient.get("email")}
    if any(contact.values()):
        order["receiverContact"] = filled(contact)
    if params.get("reference"):
        order["clientReference"] = params["reference"]
    if params.get("next_day"):
        order["service"] = {"nextDayService": True}
    return order


@hermes.action(
    "create_label",
    params=params_schema(
        ["recipient", "weight"],
        recipient=RECIPIENT,
        weight=WEIGHT,
        reference=REFERENCE,
        next_day={
            "type": "boolean",
            "default": False,
            "title": "Next day delivery",
            "description": "Only within Germany, if your contract includes it.",
        },
    ),
    output_schema=SHIPMENT,
    output_example={
        "carrier": "hermes",
        "tracking_number": "H1234567890123456789",
        "tracking_url": _tracking_url("H1234567890123456789"),
        "shipment_id": "12345678901",
        "label": {
            "file": "f_5a3e9b0c1d",
            "filename": "hermes-H1234567890123456789.pdf",
            "media_type": "application/pdf",
            "size": 2048,
        },
    },
)
def create_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    reply = ctx.api.post(
        "/shipmentorders/labels", json=_order(params), headers={"Accept": PDF_LABEL}
    )
    number = reply["shipmentID"]
    pdf = decoded(reply["labelImage"], "Hermes")
    media_type = reply.get("labelMediatype") or "application/pdf"
    return shipment(
        "hermes",
        number,
        _tracking_url(number),
        label(ctx, pdf, media_type, f"hermes-{number}.pdf"),
        shipment_id=reply.get("shipmentOrderID"),
    )


# Hermes's two-digit-pair event codes ("2x2"), by their first digit, in common words.
STATUS = {
    "0": "pre_transit",
    "1": "in_transit",
    "2": "in_transit",
    "3": "out_for_delivery",
    "4": "failure",
    "5": "in_transit",
    "6": "in_transit",
    "7": "in_transit",
}


def _status(code: str) -> str:
    if code.startswith("35"):
        return "delivered"
    return STATUS.get(code[:1], "unknown")


@hermes.action(
    "track",
    params=tracking_params(),
    output_schema=TRACKING,
    output_example=tracking(
        "hermes",
        "H1234567890123456789",
        "https://www.myhermes.de/tracking/H1234567890123456789",
        "delivered",
        "The shipment has been delivered.",
        [
            {
                "at": "2024-01-20T14:30:00+01:00",
                "text": "The shipment has been delivered.",
                "location": "Hamburg",
            }
        ],
    ),
)
def track(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    number = params["tracking_number"]
    reply = ctx.api.get("/shipmentinfo", params={"shipmentID": number})
    refused(reply)
    found = reply["shipmentinfo"][0]
    events = sorted(found.get("status") or [], key=lambda e: e.get("timestamp", ""), reverse=True)
    latest = events[0] if events else {}
    return tracking(
        "hermes",
        number,
        found.get("trackingLink") or _tracking_url(number),
        _status(str(latest.get("code", ""))),
        latest.get("description", ""),
        [
            {
                "at": event.get("timestamp"),
                "text": event.get("description"),
                "location": (event.get("scanningUnit") or {}).get("city"),
            }
            for event in events
        ],
    )
