"""Invoice and credit note bodies as lexoffice wants them, from a shop's order or refund data.

Tax rates are 19, 7 or 0 percent (a shop's 0.19 is read as 19). The tax type says how they
apply: ``gross`` (prices include VAT) or ``net`` for German sales, ``vatfree`` for a small
business (§ 19 UStG), ``intraCommunitySupply`` for a business customer with a VAT id in
another EU country and ``thirdPartyCountryDelivery`` / ``thirdPartyCountryService`` outside
the EU. Under the last three every line is 0 % and the price given is the amount charged.
``automatic`` picks one from the customer's country and VAT id.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nodes.kit.amounts import DECIMAL, decimal, vat_rate
from nodes.kit.base import UserError

BERLIN = ZoneInfo("Europe/Berlin")
TAX_FREE = (
    "vatfree",
    "intraCommunitySupply",
    "thirdPartyCountryDelivery",
    "thirdPartyCountryService",
)
TAX_TYPES = ("automatic", "gross", "net", *TAX_FREE)
EU = set(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)

ADDRESS = {
    "type": "object",
    "title": "Billing address",
    "description": "Used when no contact is given: the invoice is addressed without one.",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255, "title": "Name"},
        "supplement": {"type": "string", "maxLength": 255, "title": "Address line 2"},
        "street": {"type": "string", "maxLength": 255, "title": "Street and number"},
        "zip": {"type": "string", "maxLength": 20, "title": "Postcode"},
        "city": {"type": "string", "maxLength": 255, "title": "City"},
        "country_code": {"type": "string", "pattern": "^([A-Z]{2})?$", "title": "Country"},
    },
}
LINE_ITEMS = {
    "type": "array",
    "title": "Line items",
    "minItems": 1,
    "maxItems": 300,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "quantity", "unit_price", "tax_rate"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255, "title": "Name"},
            "description": {"type": ["string", "null"], "maxLength": 2000},
            "quantity": {**DECIMAL, "title": "Quantity"},
            "unit_name": {"type": "string", "maxLength": 50, "title": "Unit", "default": "Stück"},
            "unit_price": {
                **DECIMAL,
                "title": "Unit price",
                "description": "Gross or net as the tax type says, in the currency's units.",
            },
            "tax_rate": {**DECIMAL, "title": "Tax rate", "description": "19, 7 or 0 (or 0.19 …)"},
            "discount_percentage": {**DECIMAL, "title": "Discount %"},
        },
    },
}
SHIPPING = {
    "type": "object",
    "title": "Shipping",
    "description": "Added as a line of its own when its price is above 0.",
    "additionalProperties": False,
    "required": ["price"],
    "properties": {
        "name": {"type": "string", "maxLength": 255, "default": "Versand"},
        "price": {**DECIMAL, "title": "Price"},
        "tax_rate": {**DECIMAL, "title": "Tax rate", "default": 19},
    },
}
VOUCHER_PARAMS = {
    "contact_id": {
        "type": "string",
        "title": "Contact",
        "description": 'The lexoffice contact, e.g. from "Find or create a contact".',
    },
    "address": ADDRESS,
    "voucher_date": {
        "type": "string",
        "title": "Date",
        "description": "A date or a date and time; today when empty.",
    },
    "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "EUR"},
    "line_items": LINE_ITEMS,
    "shipping": SHIPPING,
    "discount": {
        **DECIMAL,
        "title": "Discount on the whole order",
        "description": "An amount off the total (gross or net as the tax type says); "
        "lexoffice splits it over the tax rates.",
    },
    "tax_type": {
        "enum": list(TAX_TYPES),
        "title": "Tax type",
        "default": "automatic",
        "description": "automatic: German VAT at home and for EU consumers, 0 % for EU "
        "businesses with a VAT id (intra-community supply) and outside the EU (export).",
    },
    "country_code": {
        "type": "string",
        "pattern": "^([A-Z]{2})?$",
        "title": "Customer's country",
        "description": "For the automatic tax type; the address's country when empty.",
    },
    "vat_id": {"type": "string", "maxLength": 20, "title": "Customer's VAT id"},
    "prices_include_tax": {
        "type": "boolean",
        "default": True,
        "title": "Prices include VAT",
        "description": "For the automatic tax type: gross prices (a German shop's), or net "
        "prices with the VAT added (Shopify's taxes_included).",
    },
    "finalize": {
        "type": "boolean",
        "default": False,
        "title": "Finalize",
        "description": "Give it a number and make it final (needed for its PDF); a draft "
        "otherwise.",
    },
    "title": {"type": "string", "maxLength": 25, "title": "Title"},
    "introduction": {"type": "string", "maxLength": 2000, "title": "Introduction"},
    "remark": {"type": "string", "maxLength": 2000, "title": "Closing remark"},
}


def tax_type(params: dict[str, Any]) -> str:
    chosen = params.get("tax_type", "automatic")
    if chosen != "automatic":
        return chosen
    country = params.get("country_code") or (params.get("address") or {}).get("country_code")
    domestic = "gross" if params.get("prices_include_tax", True) else "net"
    if not country or country == "DE":
        return domestic
    if country in EU:
        return "intraCommunitySupply" if params.get("vat_id") else domestic
    return "thirdPartyCountryDelivery"


def voucher_date(value: str | None) -> str:
    """lexoffice's form: local time in Berlin with milliseconds and the offset."""
    if not value:
        moment = datetime.now(UTC)
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise UserError(
                f"{value!r} is not a date: give one like 2026-03-01 or 2026-03-01T10:00:00Z.",
                field="voucher_date",
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=BERLIN)
    return moment.astimezone(BERLIN).isoformat(timespec="milliseconds")


def voucher(params: dict[str, Any], *, shipped: bool) -> dict[str, Any]:
    """The body of an invoice (``shipped``: with its shipping date) or a credit note."""
    kind = tax_type(params)
    currency = params.get("currency", "EUR")
    items = [
        _line(item, f"line_items/{index}", kind, currency)
        for index, item in enumerate(params["line_items"])
    ]
    shipping = params.get("shipping")
    if shipping and decimal(shipping["price"], "shipping/price") > 0:
        line = {
            "name": shipping.get("name", "Versand"),
            "quantity": 1,
            "unit_name": "pauschal",
            "unit_price": shipping["price"],
            "tax_rate": shipping.get("tax_rate", 19),
        }
        items.append(_line(line, "shipping", kind, currency))
    date = voucher_date(params.get("voucher_date"))
    total: dict[str, Any] = {"currency": currency}
    if (discount := decimal(params.get("discount", 0), "discount")) > 0:
        total["totalDiscountAbsolute"] = float(discount)
    body: dict[str, Any] = {
        "voucherDate": date,
        "address": _address(params),
        "lineItems": items,
        "totalPrice": total,
        "taxConditions": {"taxType": kind},
    }
    if shipped:
        body["shippingConditions"] = {"shippingDate": date, "shippingType": "delivery"}
    for name in ("title", "introduction", "remark"):
        if params.get(name):
            body[name] = params[name]
    return body


def _address(params: dict[str, Any]) -> dict[str, Any]:
    if params.get("contact_id"):
        return {"contactId": params["contact_id"]}
    address = params.get("address")
    if not address:
        raise UserError("Give a contact or a billing address with a name.", field="contact_id")
    names = {"country_code": "countryCode"}
    return {names.get(key, key): value for key, value in address.items() if value}


def _line(item: dict[str, Any], field: str, kind: str, currency: str) -> dict[str, Any]:
    rate = 0 if kind in TAX_FREE else vat_rate(item["tax_rate"], f"{field}/tax_rate")
    price = decimal(item["unit_price"], f"{field}/unit_price")
    quantity = decimal(item["quantity"], f"{field}/quantity")
    if quantity <= 0:
        raise UserError("The quantity must be more than 0.", field=f"{field}/quantity")
    amount = "grossAmount" if kind == "gross" else "netAmount"
    line = {
        "type": "custom",
        "name": item["name"],
        "quantity": float(quantity),
        "unitName": item.get("unit_name", "Stück"),
        "unitPrice": {
            "currency": currency,
            amount: float(price),
            "taxRatePercentage": rate,
        },
        "discountPercentage": float(decimal(item.get("discount_percentage", 0), field)),
    }
    if item.get("description"):
        line["description"] = item["description"]
    return line
