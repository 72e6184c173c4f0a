"""Sendcloud's action: a parcel with its label, for any carrier of the account."""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, params_schema
from nodes.kit.shipping import (
    RECIPIENT,
    REFERENCE,
    SHIPMENT,
    WEIGHT,
    country,
    filled,
    label,
    shipment,
    street_and_number,
)
from nodes.sendcloud import sendcloud


def _parcel(params: dict[str, Any]) -> dict[str, Any]:
    recipient = params["recipient"]
    street, number = street_and_number(recipient)
    fields = {
        "name": recipient["name"],
        "company_name": recipient.get("company"),
        "address": street,
        "house_number": number,
        "address_2": recipient.get("address_addition"),
        "city": recipient["city"],
        "postal_code": recipient["postcode"],
        "country": country(recipient["country"]),
        "telephone": recipient.get("phone"),
        "email": recipient.get("email"),
        "weight": f"{params['weight']:.3f}",
        "order_number": params.get("reference"),
        "sender_address": params.get("sender_address"),
        "request_label": True,
        "shipment": {"id": params["shipping_method"]},
    }
    return filled(fields)


@sendcloud.action(
    "create_label",
    params=params_schema(
        ["recipient", "weight", "shipping_method"],
        recipient=RECIPIENT,
        weight=WEIGHT,
        shipping_method={
            "type": "integer",
            "title": "Shipping method",
            "description": "The carrier and service, out of the methods your Sendcloud account "
            "offers (DHL, DPD, UPS, Hermes, GLS, PostNL …).",
            "x-options": {"source": "shipping_methods"},
        },
        sender_address={
            "type": "integer",
            "title": "Sender address",
            "description": "The id of a sender address in Sendcloud; your default one if empty.",
        },
        reference={**REFERENCE, "title": "Order number"},
    ),
    output_schema=SHIPMENT,
    output_example={
        "carrier": "postnl",
        "tracking_number": "S0M3TR4Ck1NgNumB3r",
        "tracking_url": "https://tracking.eu-central-1-0.sendcloud.sc/forward?carrier=postnl"
        "&code=S0M3TR4Ck1NgNumB3r&destination=NL&lang=nl&source=NL&type=parcel",
        "shipment_id": "3",
        "label": {
            "file": "f_0e7d3c2b1a",
            "filename": "sendcloud-S0M3TR4Ck1NgNumB3r.pdf",
            "media_type": "application/pdf",
            "size": 5120,
        },
    },
)
def create_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    parcel = ctx.api.post("/parcels", json={"parcel": _parcel(params)})["parcel"]
    number = parcel["tracking_number"]
    pdf = ctx.api.request("GET", f"/labels/label_printer/{parcel['id']}").content
    return shipment(
        (parcel.get("carrier") or {}).get("code") or "sendcloud",
        number,
        parcel.get("tracking_url") or "",
        label(ctx, pdf, "application/pdf", f"sendcloud-{number}.pdf"),
        shipment_id=str(parcel["id"]),
    )
