"""The DATEV booking batch (EXTF "Buchungsstapel", format 700, category 21, version 13).

A file of three parts, Windows-1252, ``;`` between fields, CRLF line ends: a header line (the
batch's consultant and client numbers, fiscal year, account length, period, name), the
column headings, then one booking a line. Texts are in double quotes (a quote doubled);
amounts are unsigned with a decimal comma, the direction in "Soll/Haben-Kennzeichen" (S, H);
the voucher date is DDMM, its year the period's. Only the first 14 columns are written (the
rest of the format's columns are optional and absent).

:func:`write` builds a file from bookings; :func:`check` reads a file back against the rules
above and names every line and field that breaks one, so nothing leaves that DATEV refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

ENCODING = "cp1252"
HEADER_FIELDS = 31
COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Kurs",
    "Basis-Umsatz",
    "WKZ Basis-Umsatz",
    "Konto",
    "Gegenkonto (ohne BU-Schlüssel)",
    "BU-Schlüssel",
    "Belegdatum",
    "Belegfeld 1",
    "Belegfeld 2",
    "Skonto",
    "Buchungstext",
)
MAX_AMOUNT = Decimal("9999999999.99")
VOUCHER_NUMBER = re.compile(r"^[A-Za-z0-9$&%*+\-/]{1,36}$")  # Belegfeld 1's characters
AMOUNT = re.compile(r"^\d{1,10},\d{2}$")
TEXT_LIMITS = {"Buchungstext": 60, "Belegfeld 1": 36, "Belegfeld 2": 12}


@dataclass(frozen=True)
class Batch:
    consultant: int  # Beraternummer, 1001 to 9999999
    client: int  # Mandantennummer, 1 to 99999
    fiscal_year_start: date
    account_length: int  # Sachkontenlänge, 4 to 8
    period_start: date
    period_end: date
    name: str  # Bezeichnung, at most 30 characters
    initials: str = ""  # Diktatkürzel, at most 2
    chart: str = ""  # Sachkontenrahmen: "03" (SKR03), "04" (SKR04)
    currency: str = "EUR"


@dataclass(frozen=True)
class Booking:
    amount: Decimal  # above 0; the direction is ``debit``
    debit: bool  # Soll (S) on ``account``, else Haben (H)
    account: str
    contra_account: str
    day: date
    voucher_number: str
    text: str


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def header(batch: Batch, created: datetime) -> list[str]:
    return [
        _text("EXTF"),
        "700",  # format version of the header
        "21",  # category: Buchungsstapel
        _text("Buchungsstapel"),
        "13",  # version of the Buchungsstapel format
        created.strftime("%Y%m%d%H%M%S") + f"{created.microsecond // 1000:03d}",
        "",  # imported (DATEV fills it)
        _text("RE"),  # origin: an outside accounting system
        _text("Shopwire"),  # exported by
        _text(""),  # imported by
        str(batch.consultant),
        str(batch.client),
        batch.fiscal_year_start.strftime("%Y%m%d"),
        str(batch.account_length),
        batch.period_start.strftime("%Y%m%d"),
        batch.period_end.strftime("%Y%m%d"),
        _text(batch.name),
        _text(batch.initials),
        "1",  # booking type: financial accounting
        "0",  # accounting purpose: independent
        "0",  # not locked: the tax advisor can still correct it
        _text(batch.currency),
        "",  # reserved
        _text(""),  # derivative flag
        "",  # reserved
        "",  # reserved
        _text(batch.chart),
        "",  # industry solution id
        "",  # reserved
        "",  # reserved
        _text(""),  # application information
    ]


def row(booking: Booking, currency: str) -> list[str]:
    return [
        _amount(booking.amount),
        _text("S" if booking.debit else "H"),
        _text(currency),
        "",
        "",
        _text(""),
        booking.account,
        booking.contra_account,
        _text(""),  # no tax key: the revenue accounts are automatic ones
        booking.day.strftime("%d%m"),
        _text(booking.voucher_number),
        _text(""),
        "",
        _text(booking.text[: TEXT_LIMITS["Buchungstext"]]),
    ]


def write(batch: Batch, bookings: list[Booking], created: datetime) -> bytes:
    lines = [header(batch, created), [_text(c) for c in COLUMNS]]
    lines += [row(booking, batch.currency) for booking in bookings]
    text = "".join(";".join(fields) + "\r\n" for fields in lines)
    return text.encode(ENCODING, errors="replace")


def _split(line: str) -> list[str]:
    """Fields of one line; ``;`` inside quotes belongs to the text."""
    return re.findall(r'(?:^|;)("(?:[^"]|"")*"|[^;]*)', line)


def _unquoted(field: str) -> str | None:
    """The text of a quoted field, or None if it is not quoted."""
    if len(field) >= 2 and field[0] == field[-1] == '"':
        return field[1:-1].replace('""', '"')
    return None


def check(data: bytes) -> list[str]:
    """Every way ``data`` breaks the booking batch's rules, as sentences; empty if none."""
    try:
        text = data.decode(ENCODING)
    except UnicodeDecodeError:
        return ["The file is not Windows-1252 text."]
    if not text.endswith("\r\n") or "\n" in text.replace("\r\n", ""):
        return ["Lines must end with CRLF."]
    lines = text[:-2].split("\r\n")
    if len(lines) < 2:
        return ["The file needs a header line and the column headings."]
    problems = _header_problems(_split(lines[0]))
    headings = [_unquoted(f) for f in _split(lines[1])]
    if headings != list(COLUMNS):
        problems.append("Line 2 must name the columns of the Buchungsstapel in their order.")
        return problems
    header_fields = _split(lines[0])
    account_length = int(header_fields[13]) if header_fields[13].isdigit() else 4
    period = (header_fields[14], header_fields[15])
    for number, line in enumerate(lines[2:], start=3):
        problems += [
            f"Line {number}: {p}" for p in _row_problems(_split(line), account_length, period)
        ]
    return problems


def _header_problems(fields: list[str]) -> list[str]:
    if len(fields) != HEADER_FIELDS:
        return [f"The header line has {len(fields)} fields; it needs {HEADER_FIELDS}."]
    problems = []
    fixed = {0: '"EXTF"', 1: "700", 2: "21", 3: '"Buchungsstapel"', 4: "13"}
    for index, value in fixed.items():
        if fields[index] != value:
            problems.append(f"Header field {index + 1} must be {value}.")
    if not re.fullmatch(r"\d{17}", fields[5]):
        problems.append("Header field 6 (created) must be yyyymmddHHMMSSfff.")
    if not (fields[10].isdigit() and 1001 <= int(fields[10]) <= 9999999):
        problems.append("The consultant number must be 1001 to 9999999.")
    if not (fields[11].isdigit() and 1 <= int(fields[11]) <= 99999):
        problems.append("The client number must be 1 to 99999.")
    if not (fields[13].isdigit() and 4 <= int(fields[13]) <= 8):
        problems.append("The account length must be 4 to 8.")
    dates = {}
    for index, name in ((12, "fiscal year start"), (14, "period start"), (15, "period end")):
        try:
            dates[name] = datetime.strptime(fields[index], "%Y%m%d").date()
        except ValueError:
            problems.append(f"The {name} must be a date yyyymmdd.")
    if len(dates) == 3:
        start = dates["fiscal year start"]
        year_end = start.replace(year=start.year + 1)
        if not start <= dates["period start"] <= dates["period end"] < year_end:
            problems.append("The period must lie within one fiscal year, from its start.")
    name = _unquoted(fields[16])
    if name is None or len(name) > 30:
        problems.append("The batch name must be a text of at most 30 characters.")
    initials = _unquoted(fields[17])
    if initials is None or len(initials) > 2:
        problems.append("The initials must be a text of at most 2 characters.")
    if not re.fullmatch(r'"[A-Z]{3}"', fields[21]):
        problems.append("The currency must be a three-letter code.")
    return problems


def _row_problems(fields: list[str], account_length: int, period: tuple[str, str]) -> list[str]:
    if len(fields) != len(COLUMNS):
        return [f"it has {len(fields)} fields; the columns are {len(COLUMNS)}."]
    values = dict(zip(COLUMNS, fields, strict=True))
    problems = []
    amount = values["Umsatz (ohne Soll/Haben-Kz)"]
    if not AMOUNT.match(amount) or Decimal(amount.replace(",", ".")) <= 0:
        problems.append(f"the amount {amount} must be above 0 with a decimal comma and 2 places.")
    if values["Soll/Haben-Kennzeichen"] not in ('"S"', '"H"'):
        problems.append("the debit/credit flag must be S or H.")
    for column in ("Konto", "Gegenkonto (ohne BU-Schlüssel)"):
        account = values[column]
        if not (account.isdigit() and len(account) <= account_length + 1):
            problems.append(
                f"{column} {account} must be digits, at most {account_length + 1} of them."
            )
    day = values["Belegdatum"]
    try:
        within = f"{period[0][:4]}{day[2:]}{day[:2]}"
        datetime.strptime(within, "%Y%m%d")
        if within < period[0]:  # a period into the next calendar year
            within = f"{int(period[0][:4]) + 1}{within[4:]}"
        if not period[0] <= within <= period[1]:
            problems.append(f"the voucher date {day} is outside the batch's period.")
    except ValueError:
        problems.append(f"the voucher date {day} must be DDMM.")
    number = _unquoted(values["Belegfeld 1"])
    if number is None or not VOUCHER_NUMBER.match(number):
        problems.append("Belegfeld 1 must be 1 to 36 of the characters A-Z a-z 0-9 $ & % * + - /.")
    for column, limit in TEXT_LIMITS.items():
        found = _unquoted(values[column])
        if found is None or len(found) > limit:
            problems.append(f"{column} must be a text of at most {limit} characters.")
    return problems
