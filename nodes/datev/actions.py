"""The DATEV export: invoices, credit notes and their payments as one checked booking batch."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from nodes.datev import datev, extf
from nodes.datev.accounts import CHARTS, TAX_FREE_ACCOUNTS, revenue_account, standard
from nodes.kit import files
from nodes.kit.amounts import DECIMAL, decimal, vat_rate
from nodes.kit.base import NodeContext, UserError, params_schema
from nodes.kit.files import FILE_REFERENCE

BERLIN = ZoneInfo("Europe/Berlin")
ACCOUNT = {"type": "string", "pattern": r"^\d{4,9}$"}
MAX_BOOKINGS = 20_000

INVOICE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number", "date", "amounts"],
    "properties": {
        "number": {"type": "string", "title": "Invoice number"},
        "date": {"type": "string", "title": "Invoice date"},
        "kind": {"enum": ["invoice", "credit_note"], "default": "invoice"},
        "tax_type": {
            "type": ["string", "null"],
            "title": "Tax type",
            "description": "gross or net (German VAT), intraCommunitySupply, "
            "thirdPartyCountryDelivery, thirdPartyCountryService or vatfree (as lexoffice "
            "names them).",
        },
        "amounts": {
            "type": "array",
            "title": "Amounts per tax rate",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["gross", "tax_rate"],
                "properties": {
                    "gross": {**DECIMAL, "title": "Gross amount"},
                    "tax_rate": {**DECIMAL, "title": "Tax rate"},
                },
            },
        },
        "customer_account": {**ACCOUNT, "title": "Customer account (Debitor)"},
        "text": {"type": ["string", "null"], "title": "Booking text", "maxLength": 500},
        "currency": {"type": "string", "default": "EUR"},
        "payments": {
            "type": "array",
            "title": "Payments",
            "items": {
                "type": "object",
                "required": ["date", "amount"],
                "properties": {
                    "date": {"type": "string"},
                    "amount": {**DECIMAL},
                    "currency": {"type": "string"},
                },
            },
        },
    },
}


@datev.action(
    "create_booking_batch",
    params=params_schema(
        ["consultant_number", "client_number", "date_from", "date_to"],
        consultant_number={
            "type": "integer",
            "minimum": 1001,
            "maximum": 9999999,
            "title": "Consultant number (Beraternummer)",
        },
        client_number={
            "type": "integer",
            "minimum": 1,
            "maximum": 99999,
            "title": "Client number (Mandantennummer)",
        },
        fiscal_year_start={
            "type": "string",
            "format": "date",
            "title": "Fiscal year starts",
            "description": "When it is not the calendar year of the period.",
        },
        date_from={"type": "string", "format": "date", "title": "From"},
        date_to={"type": "string", "format": "date", "title": "To"},
        chart={"enum": list(CHARTS), "default": "SKR03", "title": "Chart of accounts"},
        account_length={
            "type": "integer",
            "minimum": 4,
            "maximum": 8,
            "default": 4,
            "title": "Account length (Sachkontenlänge)",
        },
        accounts={
            "type": "object",
            "title": "Accounts",
            "description": "Your tax advisor's accounts where they differ from the chart's: "
            "receivables, bank, revenue_19, revenue_7, revenue_0, revenue_eu, revenue_export, "
            "revenue_small_business.",
            "additionalProperties": False,
            "properties": {name: ACCOUNT for name in CHARTS["SKR03"]},
        },
        name={"type": "string", "maxLength": 30, "title": "Batch name"},
        initials={"type": "string", "maxLength": 2, "title": "Initials (Diktatkürzel)"},
        invoices={"type": "array", "title": "Invoices and credit notes", "items": INVOICE},
    ),
    output_schema={
        "type": "object",
        "required": ["file", "bookings", "invoices", "payments"],
        "properties": {
            "file": FILE_REFERENCE,
            "bookings": {"type": "integer"},
            "invoices": {"type": "integer"},
            "payments": {"type": "integer"},
            "revenue": {"type": "string", "description": "Invoices less credit notes, gross"},
        },
    },
    output_example={
        "file": {
            "file": "6f2d1c3e-8b7a-4d59-9e1f-2a4b6c8d0e13",
            "filename": "EXTF_Buchungsstapel_20260301_20260331.csv",
            "media_type": "text/csv",
            "size": 2418,
        },
        "bookings": 14,
        "invoices": 9,
        "payments": 4,
        "revenue": "1283.40",
    },
)
def create_booking_batch(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    batch = _batch(params)
    accounts = standard(params.get("chart", "SKR03"), batch.account_length)
    accounts |= params.get("accounts") or {}
    bookings, payments, revenue = [], 0, Decimal(0)
    for index, invoice in enumerate(params.get("invoices") or []):
        made, paid, amount = _bookings(invoice, f"invoices/{index}", batch, accounts)
        bookings += made
        payments += paid
        revenue += amount
    if len(bookings) > MAX_BOOKINGS:
        raise UserError(
            f"The period has {len(bookings)} bookings; a batch takes at most {MAX_BOOKINGS}: "
            "export a shorter period.",
            field="date_to",
        )
    data = extf.write(batch, bookings, datetime.now(BERLIN))
    problems = extf.check(data)
    if problems:  # a value got past the checks above: say which, write nothing
        raise UserError("The booking batch breaks DATEV's rules: " + " ".join(problems[:5]))
    filename = f"EXTF_Buchungsstapel_{batch.period_start:%Y%m%d}_{batch.period_end:%Y%m%d}.csv"
    return {
        "file": files.save(ctx, data, filename, "text/csv"),
        "bookings": len(bookings),
        "invoices": len(params.get("invoices") or []),
        "payments": payments,
        "revenue": f"{revenue:.2f}",
    }


def _day(value: Any, field: str) -> date:
    """A date, or the date in Berlin of a moment (lexoffice's 2026-03-01T00:00:00.000+01:00)."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"{value!r} is not a date like 2026-03-01.", field=field) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(BERLIN)
    return moment.date()


def _batch(params: dict[str, Any]) -> extf.Batch:
    start = _day(params["date_from"], "date_from")
    end = _day(params["date_to"], "date_to")
    year_start = (
        _day(params["fiscal_year_start"], "fiscal_year_start")
        if params.get("fiscal_year_start")
        else date(start.year, 1, 1)
    )
    if end < start:
        raise UserError("The period ends before it starts.", field="date_to")
    if not year_start <= start or end >= year_start.replace(year=year_start.year + 1):
        raise UserError(
            "DATEV takes a batch within one fiscal year: the period must lie in the year "
            f"starting {year_start:%d.%m.%Y}.",
            field="date_to",
        )
    return extf.Batch(
        consultant=params["consultant_number"],
        client=params["client_number"],
        fiscal_year_start=year_start,
        account_length=params.get("account_length", 4),
        period_start=start,
        period_end=end,
        name=params.get("name") or f"Shopwire {start:%d.%m.}-{end:%d.%m.%Y}",
        initials=params.get("initials", ""),
        chart=params.get("chart", "SKR03")[-2:],
    )


def _amount(value: Any, field: str) -> Decimal:
    number = decimal(value, field)
    if abs(number) > extf.MAX_AMOUNT:
        raise UserError(f"{value!r} is more than DATEV books at once.", field=field)
    return number.quantize(Decimal("0.01"))


def _bookings(
    invoice: dict[str, Any], field: str, batch: extf.Batch, accounts: dict[str, str]
) -> tuple[list[extf.Booking], int, Decimal]:
    """An invoice's bookings (one per tax rate, then one per payment), how many payments, and
    its revenue (negative for a credit note)."""
    number = invoice["number"]
    if not extf.VOUCHER_NUMBER.match(number):
        raise UserError(
            f"The invoice number {number!r} cannot be DATEV's voucher number: at most 36 of "
            "A-Z a-z 0-9 $ & % * + - /.",
            field=f"{field}/number",
        )
    if invoice.get("currency", "EUR") != "EUR":
        raise UserError(
            f"Invoice {number} is in {invoice['currency']}; the batch books euros only.",
            field=f"{field}/currency",
        )
    day = _day(invoice["date"], f"{field}/date")
    if not batch.period_start <= day <= batch.period_end:
        raise UserError(
            f"Invoice {number} of {day:%d.%m.%Y} is outside the period.", field=f"{field}/date"
        )
    credit = invoice.get("kind", "invoice") == "credit_note"
    customer = invoice.get("customer_account") or accounts["receivables"]
    text = invoice.get("text") or ("Gutschrift " if credit else "Rechnung ") + number
    tax_type = invoice.get("tax_type")
    made, revenue = [], Decimal(0)
    for index, line in enumerate(invoice["amounts"]):
        where = f"{field}/amounts/{index}"
        gross = _amount(line["gross"], f"{where}/gross")
        rate = (
            0 if tax_type in TAX_FREE_ACCOUNTS else vat_rate(line["tax_rate"], f"{where}/tax_rate")
        )
        if gross == 0:
            continue
        made.append(
            extf.Booking(
                amount=abs(gross),
                debit=(gross > 0) != credit,
                account=customer,
                contra_account=revenue_account(accounts, tax_type, rate),
                day=day,
                voucher_number=number,
                text=text,
            )
        )
        revenue += -gross if credit else gross
    paid = 0
    for index, payment in enumerate(invoice.get("payments") or []):
        where = f"{field}/payments/{index}"
        amount = _amount(payment["amount"], f"{where}/amount")
        when = _day(payment["date"], f"{where}/date")
        if amount == 0 or not batch.period_start <= when <= batch.period_end:
            continue  # a payment outside the period belongs to another batch
        made.append(
            extf.Booking(
                amount=abs(amount),
                debit=(amount > 0) != credit,  # money in: bank debit, the customer credited
                account=accounts["bank"],
                contra_account=customer,
                day=when,
                voucher_number=number,
                text=f"Zahlung {number}",
            )
        )
        paid += 1
    return made, paid, revenue
