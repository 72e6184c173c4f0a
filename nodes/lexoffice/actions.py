"""lexoffice's actions: contacts, invoices, credit notes, their PDFs, and the voucher list."""

from __future__ import annotations

from typing import Any

from nodes.kit import files
from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.examples import example
from nodes.kit.files import FILE_REFERENCE
from nodes.lexoffice import lexoffice
from nodes.lexoffice.vouchers import VOUCHER_PARAMS, voucher

PAGE_SIZE = 250  # the most lexoffice's lists return at once


def next_page(response, body: Any, query: dict[str, Any]) -> dict[str, Any] | None:
    """Spring pages: the next ``page`` until one says it is the ``last``."""
    if not isinstance(body, dict) or body.get("last", True):
        return None
    return {**query, "page": int(query.get("page", 0)) + 1}


def _content(body: Any) -> list[Any]:
    return body.get("content", []) if isinstance(body, dict) else []


@lexoffice.action(
    "find_or_create_contact",
    params=params_schema(
        ["email"],
        email={"type": "string", "format": "email", "title": "E-mail"},
        first_name={"type": "string", "maxLength": 255, "title": "First name"},
        last_name={"type": "string", "maxLength": 255, "title": "Last name"},
        company={
            "type": "string",
            "maxLength": 255,
            "title": "Company",
            "description": "Creates a company contact with the person as its contact person.",
        },
        vat_id={"type": "string", "maxLength": 20, "title": "VAT id"},
        street={"type": "string", "maxLength": 255, "title": "Street and number"},
        zip={"type": "string", "maxLength": 20, "title": "Postcode"},
        city={"type": "string", "maxLength": 255, "title": "City"},
        country_code={"type": "string", "pattern": "^([A-Z]{2})?$", "title": "Country"},
    ),
    output_schema={
        "type": "object",
        "required": ["id", "created"],
        "properties": {
            "id": {"type": "string"},
            "created": {"type": "boolean", "description": "Whether this step created it"},
            "version": {"type": "integer"},
            "roles": {"type": "object"},
            "person": {"type": "object"},
            "company": {"type": "object"},
            "addresses": {"type": "object"},
            "emailAddresses": {"type": "object"},
        },
    },
    output_example={**example("lexoffice", "contact"), "created": False},
)
def find_or_create_contact(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    email = params["email"].strip()
    for contact in ctx.api.pages(
        "/v1/contacts",
        params={"email": email, "customer": "true", "page": 0, "size": PAGE_SIZE},
        items=_content,
        next_page=next_page,
    ):
        if email.lower() in _emails(contact):
            return {**contact, "created": False}
    created = ctx.api.post("/v1/contacts", json=_new_contact(params, email))
    return {**ctx.api.get(f"/v1/contacts/{created['id']}"), "created": True}


def _emails(contact: dict[str, Any]) -> set[str]:
    found = [a for kind in (contact.get("emailAddresses") or {}).values() for a in kind]
    people = (contact.get("company") or {}).get("contactPersons") or []
    found += [person.get("emailAddress") or "" for person in people]
    return {address.strip().lower() for address in found if address}


def _new_contact(params: dict[str, Any], email: str) -> dict[str, Any]:
    person = {
        "firstName": params.get("first_name") or None,
        "lastName": params.get("last_name") or email.split("@")[0],
    }
    contact: dict[str, Any] = {
        "version": 0,
        "roles": {"customer": {}},
        "emailAddresses": {"business": [email]},
    }
    if params.get("company"):
        company = {"name": params["company"], "contactPersons": [{**person, "emailAddress": email}]}
        if params.get("vat_id"):
            company["vatRegistrationId"] = params["vat_id"]
        contact["company"] = company
    else:
        contact["person"] = {"salutation": None, **person}
    address = {
        "street": params.get("street"),
        "zip": params.get("zip"),
        "city": params.get("city"),
        "countryCode": params.get("country_code"),
    }
    if address["countryCode"]:
        contact["addresses"] = {"billing": [{k: v for k, v in address.items() if v}]}
    return contact


def _created(ctx: NodeContext, path: str, params: dict[str, Any], body: dict, query: dict) -> Any:
    """Create a voucher and answer it as lexoffice now shows it (with its number)."""
    if params.get("finalize"):
        query = {**query, "finalize": "true"}
    created = ctx.api.post(path, json=body, params=query)
    return ctx.api.get(f"{path}/{created['id']}")


@lexoffice.action(
    "create_invoice",
    params=params_schema(["line_items"], **VOUCHER_PARAMS),
    output_example=example("lexoffice", "invoice"),
)
def create_invoice(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return _created(ctx, "/v1/invoices", params, voucher(params, shipped=True), {})


@lexoffice.action(
    "create_credit_note",
    params=params_schema(
        ["line_items"],
        invoice_id={
            "type": "string",
            "title": "Invoice",
            "description": "The invoice it corrects: lexoffice links the two.",
        },
        **VOUCHER_PARAMS,
    ),
    output_example=example("lexoffice", "credit_note"),
)
def create_credit_note(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    query = {"precedingSalesVoucherId": params["invoice_id"]} if params.get("invoice_id") else {}
    return _created(ctx, "/v1/credit-notes", params, voucher(params, shipped=False), query)


DOCUMENT_PATHS = {"invoice": "/v1/invoices", "credit_note": "/v1/credit-notes"}


@lexoffice.action(
    "get_document",
    params=params_schema(
        ["voucher_id"],
        voucher_id={"type": "string", "minLength": 1, "title": "Invoice or credit note"},
        voucher_type={
            "enum": list(DOCUMENT_PATHS),
            "default": "invoice",
            "title": "Kind",
        },
    ),
    output_schema={
        "type": "object",
        "required": ["voucher_id", "voucher_number", "document"],
        "properties": {
            "voucher_id": {"type": "string"},
            "voucher_number": {"type": "string"},
            "document": FILE_REFERENCE,
        },
    },
    output_example={
        "voucher_id": "e9066f04-8cc7-4616-93f8-ac9ecc8479c8",
        "voucher_number": "RE1019",
        "document": {
            "file": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "filename": "RE1019.pdf",
            "media_type": "application/pdf",
            "size": 18231,
        },
    },
)
def get_document(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    """The voucher's PDF as a file: lexoffice renders it on the first ask."""
    path = f"{DOCUMENT_PATHS[params.get('voucher_type', 'invoice')]}/{params['voucher_id']}"
    found = ctx.api.get(path)
    if found.get("voucherStatus") == "draft":
        raise UserError(
            f"{found.get('title') or 'The voucher'} is a draft: lexoffice makes a PDF only of "
            'finalized ones. Create it with "Finalize" on.',
            field="voucher_id",
        )
    file_id = ctx.api.get(f"{path}/document")["documentFileId"]
    pdf = ctx.api.request("GET", f"/v1/files/{file_id}", headers={"Accept": "application/pdf"})
    number = found.get("voucherNumber") or params["voucher_id"]
    return {
        "voucher_id": params["voucher_id"],
        "voucher_number": number,
        "document": files.save(ctx, pdf.content, f"{number}.pdf", "application/pdf"),
    }


VOUCHER_TYPES = {"invoice": "invoice", "credit_note": "creditnote"}
LISTED_STATUSES = "open,paid,paidoff"  # finalized ones: no drafts, nothing voided


@lexoffice.action(
    "list_invoices",
    params=params_schema(
        ["date_from", "date_to"],
        date_from={"type": "string", "format": "date", "title": "From (voucher date)"},
        date_to={"type": "string", "format": "date", "title": "To (voucher date)"},
        voucher_types={
            "type": "array",
            "title": "Kinds",
            "items": {"enum": list(VOUCHER_TYPES)},
            "default": ["invoice", "credit_note"],
            "minItems": 1,
            "uniqueItems": True,
        },
        with_details={
            "type": "boolean",
            "default": True,
            "title": "With tax amounts",
            "description": "Reads each voucher for its amounts per tax rate and tax type (one "
            "request each, at lexoffice's 2 per second).",
        },
        with_payments={
            "type": "boolean",
            "default": False,
            "title": "With payments",
            "description": "Reads the payments booked on each voucher (one request each).",
        },
        max_vouchers={"type": "integer", "minimum": 1, "maximum": 1000, "default": 200},
    ),
    output_example={"vouchers": [example("lexoffice", "listed_invoice")], "count": 1},
)
def list_invoices(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    """Finalized invoices and credit notes of a period, for bookkeeping (a DATEV export)."""
    if params["date_from"] > params["date_to"]:
        raise UserError("The period ends before it starts.", field="date_to")
    query = {
        "voucherType": ",".join(
            VOUCHER_TYPES[t] for t in params.get("voucher_types", VOUCHER_TYPES)
        ),
        "voucherStatus": LISTED_STATUSES,
        "voucherDateFrom": params["date_from"],
        "voucherDateTo": params["date_to"],
        "page": 0,
        "size": PAGE_SIZE,
    }
    limit = params.get("max_vouchers", 200)
    vouchers = []
    for listed in ctx.api.pages(
        "/v1/voucherlist", params=query, items=_content, next_page=next_page
    ):
        if len(vouchers) == limit:
            raise UserError(
                f"The period has more than {limit} vouchers: choose a shorter one or raise "
                "the maximum.",
                field="max_vouchers",
            )
        vouchers.append(_described(ctx, listed, params))
    return {"vouchers": vouchers, "count": len(vouchers)}


def _described(ctx: NodeContext, listed: dict[str, Any], params: dict[str, Any]) -> dict:
    kind = "credit_note" if listed["voucherType"] == "creditnote" else "invoice"
    described = {**listed, "voucherType": kind}
    if params.get("with_details", True):
        found = ctx.api.get(f"{DOCUMENT_PATHS[kind]}/{listed['id']}")
        described["taxType"] = (found.get("taxConditions") or {}).get("taxType")
        described["taxAmounts"] = found.get("taxAmounts") or []
    if params.get("with_payments"):
        paid = ctx.api.get(f"/v1/payments/{listed['id']}")
        described["payments"] = [
            {"date": item["postingDate"], "amount": item["amount"], "currency": item["currency"]}
            for item in paid.get("paymentItems") or []
        ]
    return described
