"""sevDesk's actions: contacts, invoices and payments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.examples import example
from nodes.sevdesk import ref, sevdesk

CUSTOMER = 3  # the contact category "Kunde"
PIECE = 1  # the unit "Stück"
GERMANY = 1
# The tax rules of sevdesk-Update 2.0 and the rates each allows.
TAX_RULES = {1: (0, 7, 19), 2: (0,), 3: (0, 7, 19), 4: (0,), 5: (0,), 11: (0,)}
BOOKING_TYPES = {
    "full": "N",
    "cash_discount": "CB",
    "currency_fluctuation": "CF",
    "other": "O",
    "other_fee": "OF",
    "monetary_transit": "MTC",
}
ID = {"type": "integer", "minimum": 1}


@sevdesk.action(
    "create_contact",
    params=params_schema(
        [],
        organisation={"type": "string", "maxLength": 255, "title": "Organisation"},
        first_name={"type": "string", "maxLength": 255, "title": "First name"},
        last_name={"type": "string", "maxLength": 255, "title": "Last name"},
        customer_number={
            "type": "string",
            "maxLength": 255,
            "title": "Customer number",
            "description": "e.g. the shop's customer id. A contact with this number is "
            "returned instead of making a second one.",
        },
        vat_number={"type": "string", "maxLength": 255, "title": "VAT ID"},
        description={"type": "string", "title": "Note"},
        category={
            **ID,
            "default": CUSTOMER,
            "title": "Category",
            "description": "3 customer, 2 supplier, 4 partner.",
        },
    ),
    output_example=example("sevdesk", "contact"),
)
def create_contact(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    if not params.get("organisation") and not params.get("last_name"):
        raise UserError("Give an organisation or a person's last name.", field="organisation")
    if number := params.get("customer_number"):
        found = ctx.api.get("/Contact", params={"customerNumber": number, "depth": 1})
        if found["objects"]:
            return found["objects"][0]
    fields = {
        "name": params.get("organisation"),
        "surename": params.get("first_name"),
        "familyname": params.get("last_name"),
        "customerNumber": params.get("customer_number"),
        "vatNumber": params.get("vat_number"),
        "description": params.get("description"),
        "category": ref("Category", params.get("category", CUSTOMER)),
    }
    return ctx.api.post("/Contact", json={k: v for k, v in fields.items() if v is not None})[
        "objects"
    ]


POSITION = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "quantity", "price", "tax_rate"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "title": "Name"},
        "quantity": {"type": "number", "exclusiveMinimum": 0, "title": "Quantity"},
        "price": {
            "type": "number",
            "title": "Unit price",
            "description": "Net or gross as the sevDesk account is set up; shipping is a line "
            "of its own.",
        },
        "tax_rate": {"enum": [0, 7, 19], "title": "Tax rate (%)"},
        "text": {"type": "string", "title": "Description"},
        "unity": {**ID, "default": PIECE, "title": "Unit", "description": "1 is piece."},
    },
}


@sevdesk.action(
    "create_invoice",
    params=params_schema(
        ["contact_id", "contact_person", "invoice_date", "positions"],
        contact_id={**ID, "title": "Contact"},
        contact_person={
            **ID,
            "title": "Contact person",
            "description": "The sevDesk user named on the invoice.",
            "x-options": {"source": "users"},
        },
        invoice_date={"type": "string", "format": "date", "title": "Invoice date"},
        delivery_date={"type": "string", "format": "date", "title": "Delivery date"},
        positions={"type": "array", "minItems": 1, "items": POSITION, "title": "Lines"},
        tax_rule={
            "enum": list(TAX_RULES),
            "default": 1,
            "title": "Tax rule",
            "description": "1 taxable in Germany (19/7/0 %), 2 export outside the EU (e.g. "
            "Switzerland), 3 intra-EU delivery, 4 tax-free §4 UStG, 5 reverse charge §13b, "
            "11 small business §19 UStG.",
        },
        address={
            "type": "string",
            "title": "Address on the invoice",
            "description": "One line each for name, street and town; without it sevDesk "
            "prints the contact's address.",
        },
        header={"type": "string", "maxLength": 255, "title": "Subject"},
        head_text={"type": "string", "title": "Text above the lines"},
        foot_text={"type": "string", "title": "Text below the lines"},
        time_to_pay={"type": "integer", "minimum": 0, "title": "Days to pay"},
        currency={"type": "string", "pattern": "^[A-Z]{3}$", "default": "EUR"},
        country={**ID, "default": GERMANY, "title": "Country (sevDesk id)"},
        reference={
            "type": "string",
            "maxLength": 255,
            "title": "Your reference",
            "description": "e.g. the shop's order number, kept as the invoice's internal "
            "note: a step run again returns the invoice it made instead of a second one.",
        },
    ),
    output_example=example("sevdesk", "saved_invoice"),
)
def create_invoice(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    rule = params.get("tax_rule", 1)
    for n, position in enumerate(params["positions"]):
        if position["tax_rate"] not in TAX_RULES[rule]:
            raise UserError(
                f"Line {n + 1} has {position['tax_rate']} % tax, but tax rule {rule} allows "
                f"only {', '.join(map(str, TAX_RULES[rule]))} %.",
                field=f"positions.{n}.tax_rate",
            )
    if made := _made_before(ctx, params):
        return made
    invoice = {
        "objectName": "Invoice",
        "mapAll": True,
        "invoiceDate": params["invoice_date"],
        "deliveryDate": params.get("delivery_date"),
        "contact": ref("Contact", params["contact_id"]),
        "contactPerson": ref("SevUser", params["contact_person"]),
        "addressCountry": ref("StaticCountry", params.get("country", GERMANY)),
        "taxRule": {"id": str(rule), "objectName": "TaxRule"},  # the spec's ids are text
        "discount": 0,
        "status": "100",
        "invoiceType": "RE",
        "currency": params.get("currency", "EUR"),
        "address": params.get("address"),
        "header": params.get("header"),
        "headText": params.get("head_text"),
        "footText": params.get("foot_text"),
        "timeToPay": params.get("time_to_pay"),
        "customerInternalNote": params.get("reference"),
    }
    positions = [
        {
            "objectName": "InvoicePos",
            "mapAll": True,
            "name": position["name"],
            "quantity": position["quantity"],
            "price": position["price"],
            "taxRate": position["tax_rate"],
            "text": position.get("text"),
            "unity": ref("Unity", position.get("unity", PIECE)),
        }
        for position in params["positions"]
    ]
    body = {
        "invoice": {k: v for k, v in invoice.items() if v is not None},
        "invoicePosSave": [{k: v for k, v in p.items() if v is not None} for p in positions],
    }
    return ctx.api.post("/Invoice/Factory/saveInvoice", json=body)


def _made_before(ctx: NodeContext, params: dict[str, Any]) -> dict[str, Any] | None:
    """The invoice a previous run of this step made: the contact's invoice of that date with
    the same reference (sevDesk has no idempotency key)."""
    if not params.get("reference"):
        return None
    day = date.fromisoformat(params["invoice_date"])
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    found = ctx.api.get(
        "/Invoice",
        params={
            "contact[id]": params["contact_id"],
            "contact[objectName]": "Contact",
            "startDate": start - 86400,
            "endDate": start + 2 * 86400,
        },
    )["objects"]
    invoice = next((i for i in found if i.get("customerInternalNote") == params["reference"]), None)
    if invoice is None:
        return None
    positions = ctx.api.get(f"/Invoice/{invoice['id']}/getPositions")["objects"]
    return {"invoice": invoice, "invoicePos": positions}


@sevdesk.action(
    "book_payment",
    params=params_schema(
        ["invoice_id", "amount", "date", "check_account"],
        invoice_id={**ID, "title": "Invoice"},
        amount={"type": "number", "exclusiveMinimum": 0, "title": "Amount paid"},
        date={"type": "string", "format": "date", "title": "Payment date"},
        check_account={
            **ID,
            "title": "Payment account",
            "description": "The sevDesk account the money arrived on.",
            "x-options": {"source": "check_accounts"},
        },
        booking={
            "enum": list(BOOKING_TYPES),
            "default": "full",
            "title": "Kind",
            "description": "full: a normal payment; the others book a difference (cash "
            "discount, currency fluctuation, other, fee, money in transit).",
        },
    ),
    output_example=example("sevdesk", "payment"),
)
def book_payment(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    day = date.fromisoformat(params["date"])
    body = {
        "amount": params["amount"],
        "date": int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()),
        "type": BOOKING_TYPES[params.get("booking", "full")],
        "checkAccount": ref("CheckAccount", params["check_account"]),
        "createFeed": True,
    }
    return ctx.api.put(f"/Invoice/{params['invoice_id']}/bookAmount", json=body)["objects"]
