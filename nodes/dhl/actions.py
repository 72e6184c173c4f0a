"""DHL's actions: check an address, create and cancel a label, track a parcel."""

from __future__ import annotations

from typing import Any

from nodes.dhl import SHIPPING, billing_number, dhl, plain, validation_messages
from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.shipping import (
    LANGUAGE,
    RECIPIENT,
    REFERENCE,
    SHIPMENT,
    TRACKING,
    TRACKING_NUMBER,
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

PROFILE = "STANDARD_GRUPPENPROFIL"
PRODUCTS = ["V01PAK", "V53WPAK", "V54EPAK", "V62KP", "V66WPI"]

PRODUCT = {
    "enum": PRODUCTS,
    "default": "V01PAK",
    "title": "Product",
    "description": "V01PAK DHL Paket, V62KP DHL Kleinpaket, V53WPAK DHL Paket International, "
    "V54EPAK DHL Europaket, V66WPI Warenpost International.",
}
SENDER = {
    **RECIPIENT,
    "title": "Sender",
    "description": "Your address, unless you give a sender reference.",
}
SHIPPER_REF = {
    "type": "string",
    "maxLength": 50,
    "title": "Sender reference",
    "description": "The name of a sender address kept in the DHL business customer portal.",
}
SERVICES = {
    "type": "object",
    "title": "Services",
    "description": "DHL's value-added services, by their names in the API.",
    "additionalProperties": False,
    "properties": {
        "preferredNeighbour": {"type": "string", "maxLength": 100, "title": "Preferred neighbour"},
        "preferredLocation": {"type": "string", "maxLength": 100, "title": "Preferred location"},
        "namedPersonOnly": {"type": "boolean", "title": "Named person only"},
        "noNeighbourDelivery": {"type": "boolean", "title": "No delivery to neighbours"},
        "signedForByRecipient": {"type": "boolean", "title": "Signed for by the recipient"},
        "visualCheckOfAge": {"enum": ["A16", "A18"], "title": "Visual check of age"},
        "premium": {"type": "boolean", "title": "Premium (international)"},
        "bulkyGoods": {"type": "boolean", "title": "Bulky goods"},
        "additionalInsurance": {
            "type": "object",
            "title": "Additional insurance",
            "required": ["currency", "value"],
            "properties": {"currency": {"const": "EUR"}, "value": {"type": "number"}},
        },
    },
}


def _shipment_params(**extra: Any) -> dict[str, Any]:
    return params_schema(
        ["recipient", "weight"],
        recipient=RECIPIENT,
        weight=WEIGHT,
        product=PRODUCT,
        shipper_ref=SHIPPER_REF,
        shipper=SENDER,
        reference=REFERENCE,
        services=SERVICES,
        **extra,
    )


def _address(address: dict[str, Any]) -> dict[str, Any]:
    street, number = street_and_number(address)
    fields = {
        "name1": address["name"],
        "name2": address.get("company"),
        "addressStreet": street,
        "addressHouse": number,
        "additionalAddressInformation1": address.get("address_addition"),
        "postalCode": address["postcode"],
        "city": address["city"],
        "country": country(address["country"], alpha=3),
        "email": address.get("email"),
        "phone": address.get("phone"),
    }
    return filled(fields)


def _shipper(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("shipper_ref"):
        return {"shipperRef": params["shipper_ref"]}
    if params.get("shipper"):
        return _address(params["shipper"])
    raise UserError(
        "DHL needs the sender: give the sender reference kept in the business customer "
        "portal, or your sender address.",
        field="shipper_ref",
    )


def _reference(reference: str) -> str:
    """DHL takes references of 8 to 35 characters; an order number is often shorter."""
    return reference if len(reference) >= 8 else f"Order {reference}".ljust(8, "-")


def _order(ctx: NodeContext, params: dict[str, Any]) -> dict[str, Any]:
    product = params.get("product", "V01PAK")
    parcel: dict[str, Any] = {
        "product": product,
        "billingNumber": billing_number(ctx.api.credential, product),
        "shipper": _shipper(params),
        "consignee": _address(params["recipient"]),
        "details": {"weight": {"uom": "kg", "value": params["weight"]}},
    }
    if params.get("reference"):
        parcel["refNo"] = _reference(params["reference"])
    if params.get("services"):
        parcel["services"] = params["services"]
    return {"profile": PROFILE, "shipments": [parcel]}


def _tracking_url(number: str) -> str:
    return f"https://www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={number}"


@dhl.action(
    "validate_address",
    params=_shipment_params(),
    output_schema={
        "type": "object",
        "properties": {
            "valid": {"type": "boolean"},
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    output_example={
        "valid": True,
        "warnings": [
            "The recipient's address has a house number DHL cannot find: check the house "
            "number. (DHL: The house number entered could not be found.)"
        ],
    },
)
def validate_address(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    reply = ctx.api.post(
        SHIPPING + "/orders", params={"validate": "true"}, json=_order(ctx, params)
    )
    return {"valid": True, "warnings": [plain(m) for m in validation_messages(reply)]}


@dhl.action(
    "create_label",
    params=_shipment_params(
        must_encode={
            "type": "boolean",
            "default": False,
            "title": "Only if DHL can read the address",
            "description": "Refuse the label when DHL cannot machine-read a German address, "
            "instead of printing it with a warning.",
        }
    ),
    output_schema={
        **SHIPMENT,
        "properties": {
            **SHIPMENT["properties"],
            "warnings": {"type": "array", "items": {"type": "string"}},
        },
    },
    output_example={
        "carrier": "dhl",
        "tracking_number": "0034043333301010000010001",
        "tracking_url": _tracking_url("0034043333301010000010001"),
        "shipment_id": "0034043333301010000010001",
        "label": {
            "file": "f_6b0c1e2a9d",
            "filename": "dhl-0034043333301010000010001.pdf",
            "media_type": "application/pdf",
            "size": 612,
        },
        "warnings": [],
    },
)
def create_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    query = {"includeDocs": "include", "docFormat": "PDF"}
    if params.get("must_encode"):
        query["mustEncode"] = "true"
    reply = ctx.api.post(SHIPPING + "/orders", params=query, json=_order(ctx, params))
    (item,) = reply["items"]
    number = item["shipmentNo"]
    pdf = decoded(item["label"]["b64"], "DHL")
    created = shipment(
        "dhl",
        number,
        _tracking_url(number),
        label(ctx, pdf, "application/pdf", f"dhl-{number}.pdf"),
        shipment_id=number,
    )
    return created | {"warnings": [plain(m) for m in validation_messages(reply)]}


@dhl.action(
    "cancel_label",
    params=params_schema(["shipment_number"], shipment_number=TRACKING_NUMBER),
    output_example={"shipment_number": "0034043333301010000010001", "cancelled": True},
)
def cancel_label(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    number = params["shipment_number"]
    ctx.api.delete(SHIPPING + "/orders", params={"profile": PROFILE, "shipment": number})
    return {"shipment_number": number, "cancelled": True}


# The Unified Tracking API's status codes, in the kit's common words.
STATUS = {
    "pre-transit": "pre_transit",
    "transit": "in_transit",
    "delivered": "delivered",
    "failure": "failure",
}


def _event(event: dict[str, Any]) -> dict[str, Any]:
    place = (event.get("location") or {}).get("address") or {}
    return {
        "at": event.get("timestamp"),
        "text": event.get("description") or event.get("status"),
        "location": place.get("addressLocality"),
    }


@dhl.action(
    "track",
    params=tracking_params(language=LANGUAGE),
    output_schema=TRACKING,
    output_example=tracking(
        "dhl",
        "00340434292135100056",
        _tracking_url("00340434292135100056"),
        "pre_transit",
        "The instruction data for this shipment have been provided by the sender to DHL "
        "electronically",
        [
            {
                "at": "2019-08-06T18:59:00",
                "text": "The instruction data for this shipment have been provided by the "
                "sender to DHL electronically",
                "location": None,
            }
        ],
    ),
)
def track(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    number = params["tracking_number"]
    host = "https://api-test.dhl.com" if ctx.api.credential.get("sandbox") else ""
    reply = ctx.api.get(
        host + "/track/shipments",
        params={
            "trackingNumber": number,
            "service": "parcel-de",
            "language": params.get("language", "de"),
        },
        # The tracking API needs only the app key: the portal login stays with shipping.
        headers={"Authorization": None},
    )
    found = reply["shipments"][0]
    status = found.get("status") or {}
    return tracking(
        "dhl",
        number,
        _tracking_url(number),
        STATUS.get(status.get("statusCode"), "unknown"),
        status.get("description") or status.get("status") or "",
        [_event(event) for event in found.get("events") or []],
    )
