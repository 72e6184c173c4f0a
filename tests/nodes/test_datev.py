"""The DATEV booking batch: header, columns and bookings as the format wants them, checked
against its rules, kept as a file; values DATEV would refuse are refused first, by name."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from nodes.datev import extf
from nodes.kit.base import UserError
from nodes.kit.fakes.files import memory_files
from nodes.kit.fakes.provider import run_node

BATCH = {
    "consultant_number": 1234567,
    "client_number": 10042,
    "fiscal_year_start": "2026-01-01",
    "date_from": "2026-03-01",
    "date_to": "2026-03-31",
    "initials": "SW",
}
INVOICES = [
    {  # as lexoffice.list_invoices gives it, mapped
        "number": "RE1019",
        "date": "2026-03-02T00:00:00.000+01:00",
        "tax_type": "gross",
        "amounts": [{"gross": 47.98, "tax_rate": 19}, {"gross": "24.00", "tax_rate": 7}],
        "text": "Jörg Müller",
        "payments": [
            {"date": "2026-03-03T00:00:00.000+01:00", "amount": 71.98},
            {"date": "2026-04-02T00:00:00.000+02:00", "amount": 1.0},  # next month's batch
        ],
    },
    {
        "number": "RE1020",
        "date": "2026-03-05",
        "tax_type": "intraCommunitySupply",
        "amounts": [{"gross": 100, "tax_rate": 0}],
        "customer_account": "10100",
    },
    {
        "number": "RE1021",
        "date": "2026-03-06",
        "tax_type": "thirdPartyCountryDelivery",
        "amounts": [{"gross": "59.90", "tax_rate": 0}],
    },
    {
        "number": "GS0007",
        "kind": "credit_note",
        "date": "2026-03-31T23:30:00+02:00",
        "tax_type": "gross",
        "amounts": [{"gross": 10, "tax_rate": 19}],
    },
]


def export(**params):
    with memory_files() as store:
        made = run_node("datev.create_booking_batch", {**BATCH, **params}, None)
        data = store.saved[made["file"]["file"]][1]
    return made, data


def lines(data: bytes) -> list[list[str]]:
    return [extf._split(line) for line in data.decode("cp1252").split("\r\n")[:-1]]


def test_a_months_invoices_and_payments_become_a_checked_booking_batch():
    made, data = export(invoices=INVOICES)

    assert made["file"]["filename"] == "EXTF_Buchungsstapel_20260301_20260331.csv"
    assert made["file"]["media_type"] == "text/csv"
    assert (made["bookings"], made["invoices"], made["payments"]) == (6, 4, 1)
    assert made["revenue"] == "221.88"
    assert extf.check(data) == []
    assert data.endswith(b"\r\n") and b"J\xf6rg M\xfcller" in data  # Windows-1252

    header, headings, *rows = lines(data)
    assert header[:5] == ['"EXTF"', "700", "21", '"Buchungsstapel"', "13"]
    assert len(header) == 31
    assert header[10:18] == [
        "1234567",
        "10042",
        "20260101",
        "4",
        "20260301",
        "20260331",
        '"Shopwire 01.03.-31.03.2026"',
        '"SW"',
    ]
    assert header[21] == '"EUR"' and header[26] == '"03"'
    assert headings[0] == '"Umsatz (ohne Soll/Haben-Kz)"' and len(headings) == 14
    booked = [(r[0], r[1], r[6], r[7], r[9], r[10], r[13]) for r in rows]
    assert booked == [
        ("47,98", '"S"', "10000", "8400", "0203", '"RE1019"', '"Jörg Müller"'),
        ("24,00", '"S"', "10000", "8300", "0203", '"RE1019"', '"Jörg Müller"'),
        ("71,98", '"S"', "1200", "10000", "0303", '"RE1019"', '"Zahlung RE1019"'),
        ("100,00", '"S"', "10100", "8125", "0503", '"RE1020"', '"Rechnung RE1020"'),
        ("59,90", '"S"', "10000", "8120", "0603", '"RE1021"', '"Rechnung RE1021"'),
        ("10,00", '"H"', "10000", "8400", "3103", '"GS0007"', '"Gutschrift GS0007"'),
    ]


def test_skr04_at_a_longer_account_length_with_the_advisors_own_bank_account():
    _, data = export(
        invoices=INVOICES[:1], chart="SKR04", account_length=6, accounts={"bank": "180100"}
    )
    assert extf.check(data) == []
    header, _, first, second, payment = lines(data)
    assert (header[13], header[26]) == ("6", '"04"')
    assert (first[6], first[7], second[7]) == ("1000000", "440000", "430000")
    assert (payment[6], payment[7]) == ("180100", "1000000")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"date_to": "2027-01-15"}, "date_to", "within one fiscal year"),
        ({"date_to": "2026-02-01"}, "date_to", "ends before it starts"),
        ({"invoices": [{**INVOICES[1], "date": "2026-04-01"}]}, "invoices/0/date", "outside"),
        ({"invoices": [{**INVOICES[1], "number": "RE 1020"}]}, "invoices/0/number", "A-Z"),
        ({"invoices": [{**INVOICES[1], "currency": "CHF"}]}, "invoices/0/currency", "euros"),
        (
            {"invoices": [{**INVOICES[0], "amounts": [{"gross": 5, "tax_rate": 16}]}]},
            "invoices/0/amounts/0/tax_rate",
            "16",
        ),
    ],
)
def test_values_datev_would_refuse_are_named_before_a_file_is_made(change, field, words):
    with memory_files() as store, pytest.raises(UserError, match=words) as refused:
        run_node("datev.create_booking_batch", {**BATCH, **change}, None)
    assert refused.value.field == field
    assert store.saved == {}


def test_the_check_names_every_broken_rule_by_line():
    batch = extf.Batch(
        1234567, 10042, date(2026, 1, 1), 4, date(2026, 3, 1), date(2026, 3, 31), "M"
    )
    good = extf.Booking(
        amount=extf.Decimal("1.00"),
        debit=True,
        account="10000",
        contra_account="8400",
        day=date(2026, 3, 1),
        voucher_number="RE1",
        text="T",
    )
    data = extf.write(batch, [good], datetime(2026, 4, 1, 8, 0))
    assert extf.check(data) == []
    broken = data.replace(b"1,00;", b"-1,00;").replace(b"0103", b"0104")
    broken = broken.replace(b";10000;", b";1000000;").replace(b'"RE1"', b'"RE 1"')
    assert extf.check(broken) == [
        "Line 3: the amount -1,00 must be above 0 with a decimal comma and 2 places.",
        "Line 3: Konto 1000000 must be digits, at most 5 of them.",
        "Line 3: the voucher date 0104 is outside the batch's period.",
        "Line 3: Belegfeld 1 must be 1 to 36 of the characters A-Z a-z 0-9 $ & % * + - /.",
    ]
    assert extf.check(data.replace(b'"EXTF";700', b'"EXTF";510')) == ["Header field 2 must be 700."]
    assert extf.check(data.replace(b"\r\n", b"\n")) == ["Lines must end with CRLF."]


def test_an_empty_period_is_a_batch_without_bookings():
    made, data = export(invoices=[])
    assert made["bookings"] == 0
    assert extf.check(data) == []
    assert len(lines(data)) == 2
