"""What the shipping carriers share: the recipient as a step's parameter, a street told
apart from its house number, countries in the codes carriers want, the label as the shop's file
(:mod:`nodes.kit.files`), and
one shape for a created label and for tracking, so a flow reads every carrier alike.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import pycountry

from nodes.kit import files
from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.files import FILE_REFERENCE

RECIPIENT = {
    "type": "object",
    "title": "Recipient",
    "description": "Who receives the parcel. Map it from the order's shipping address.",
    "additionalProperties": False,
    "required": ["name", "street", "postcode", "city", "country"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 50, "title": "Name"},
        "company": {"type": "string", "maxLength": 50, "title": "Company"},
        "street": {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
            "title": "Street",
            "description": 'With or without the house number: "Hauptstraße 5" is split.',
        },
        "house_number": {"type": "string", "maxLength": 10, "title": "House number"},
        "address_addition": {
            "type": "string",
            "maxLength": 50,
            "title": "Address addition",
            "description": "A floor, a c/o, a door code.",
        },
        "postcode": {"type": "string", "minLength": 1, "maxLength": 10, "title": "Postcode"},
        "city": {"type": "string", "minLength": 1, "maxLength": 40, "title": "City"},
        "country": {
            "type": "string",
            "pattern": "^[A-Za-z]{2}$",
            "title": "Country",
            "description": "Two letters (ISO 3166), e.g. DE, AT, CH.",
        },
        "email": {"type": "string", "maxLength": 80, "title": "E-mail"},
        "phone": {"type": "string", "maxLength": 20, "title": "Phone"},
    },
}

WEIGHT = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 31.5,
    "title": "Weight (kg)",
    "description": "The parcel's weight in kilograms, packaging included.",
}

REFERENCE = {
    "type": "string",
    "maxLength": 35,
    "title": "Reference",
    "description": "Printed on the label and kept with the shipment: the order number.",
}

LABEL = {**FILE_REFERENCE, "title": "Label", "description": "The label to print (a PDF)."}

SHIPMENT = {
    "type": "object",
    "required": ["carrier", "tracking_number", "tracking_url", "label"],
    "properties": {
        "carrier": {"type": "string"},
        "tracking_number": {"type": "string"},
        "tracking_url": {"type": "string", "description": "The carrier's tracking page."},
        "shipment_id": {"type": "string", "description": "The carrier's id to cancel it."},
        "label": LABEL,
    },
}

# Where a parcel is, the same words for every carrier.
STATUSES = ["pre_transit", "in_transit", "out_for_delivery", "delivered", "failure", "unknown"]

TRACKING = {
    "type": "object",
    "required": ["tracking_number", "status", "delivered", "events"],
    "properties": {
        "carrier": {"type": "string"},
        "tracking_number": {"type": "string"},
        "tracking_url": {"type": "string"},
        "status": {"enum": STATUSES, "description": "Where the parcel is, in common terms."},
        "status_text": {"type": "string", "description": "The carrier's own words."},
        "delivered": {"type": "boolean"},
        "events": {
            "type": "array",
            "description": "Newest first.",
            "items": {
                "type": "object",
                "properties": {
                    "at": {"type": "string"},
                    "text": {"type": "string"},
                    "location": {"type": ["string", "null"]},
                },
            },
        },
    },
}

TRACKING_NUMBER = {"type": "string", "minLength": 5, "maxLength": 40, "title": "Tracking number"}

LANGUAGE = {"enum": ["de", "en"], "default": "de", "title": "Language of the events"}


def tracking_params(**extra: Any) -> dict[str, Any]:
    """A tracking step's params: the number, and what a carrier asks besides (LANGUAGE)."""
    return params_schema(["tracking_number"], tracking_number=TRACKING_NUMBER, **extra)


# "Hauptstraße 5", "Kurt-Schumacher-Str. 20a", "Am Markt 3-5", "Weg 7 / 2"
_NUMBERED = re.compile(
    r"^(?P<street>.*?\D)[\s,]*(?P<number>\d+\s*[A-Za-z]?(?:\s*[-/]\s*\d+\s*[A-Za-z]?)?)$"
)


def filled(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that have a value: carriers refuse empty strings where a field is optional."""
    return {key: value for key, value in fields.items() if value not in (None, "")}


def street_and_number(recipient: dict[str, Any]) -> tuple[str, str]:
    """The street and the house number, apart; a missing house number is the merchant's
    to fix before any carrier sees the parcel."""
    street = recipient["street"].strip()
    number = (recipient.get("house_number") or "").strip()
    if number:
        return street, number
    found = _NUMBERED.match(street)
    if found:
        return found["street"].strip(" ,"), found["number"].replace(" ", "")
    raise UserError(
        f'The recipient\'s address "{street}" has no house number. Map the house number to '
        'recipient.house_number, or let the street include it ("Hauptstraße 5").',
        field="recipient.house_number",
    )


def country(code: str, *, alpha: int = 2) -> str:
    """An ISO 3166 country as ``alpha``-letter code (DHL wants DEU, others DE)."""
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        raise UserError(
            f'"{code}" is not a country code: use two letters such as DE, AT or CH.',
            field="recipient.country",
        )
    return found.alpha_2 if alpha == 2 else found.alpha_3


def label(ctx: NodeContext, content: bytes, media_type: str, filename: str) -> dict[str, Any]:
    """Keep a label as the shop's file; later steps attach it to an e-mail or upload it."""
    return files.save(ctx, content, filename, media_type)


def decoded(content_base64: str, carrier: str) -> bytes:
    """A label a carrier sent as base64; a broken one is the carrier's fault, said plainly."""
    try:
        return base64.b64decode(content_base64, validate=True)
    except ValueError:
        raise UserError(f"{carrier} sent a label that is not a readable file.") from None


def shipment(
    carrier: str,
    tracking_number: str,
    tracking_url: str,
    label_file: dict[str, Any],
    shipment_id: str | None = None,
) -> dict[str, Any]:
    """A created label, the same for every carrier."""
    created = {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
        "label": label_file,
    }
    return created | ({"shipment_id": shipment_id} if shipment_id else {})


def tracking(
    carrier: str,
    tracking_number: str,
    tracking_url: str,
    status: str,
    status_text: str,
    events: list[dict[str, Any]],
) -> dict[str, Any]:
    """Where a parcel is, the same for every carrier; ``events`` newest first."""
    return {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
        "status": status,
        "status_text": status_text,
        "delivered": status == "delivered",
        "events": events,
    }
