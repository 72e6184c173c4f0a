"""Format dates, numbers and money the way customers and accountants read them.

The locale rules (separators, month names, where the currency sign goes) come from Babel's
copy of the Unicode CLDR, not from hand-written patterns. Money is rounded half-up to the
currency's minor unit with :class:`~decimal.Decimal` before it is formatted, so 2.675 € is
2,68 € and never 2,67 € as a binary float would have it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, get_currency_precision, is_currency, parse_pattern

from nodes.engine.functions import ROUNDING, FunctionError, decimal_of, moment
from nodes.kit.base import NodeContext, UserError
from nodes.kit.registry import node

LOCALES = ["de_DE", "de_AT", "de_CH", "en_GB", "en_US", "fr_FR", "nl_NL", "it_IT", "es_ES"]
STYLES = ["short", "medium", "long", "full"]

PARAMS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["kind", "value"],
    "properties": {
        "kind": {
            "enum": ["date", "number", "money"],
            "title": "What to format",
            "x-enum-titles": {
                "date": {"en": "A date", "de": "Ein Datum"},
                "number": {"en": "A number", "de": "Eine Zahl"},
                "money": {"en": "An amount of money", "de": "Ein Geldbetrag"},
            },
            "default": "money",
        },
        "value": {
            "type": ["string", "number"],
            "title": "Value",
            "description": "A date (ISO 8601 or a Unix timestamp), or a number or decimal "
            "text like 1234.5.",
        },
        "locale": {
            "enum": LOCALES,
            "title": "Language and country",
            "default": "de_DE",
        },
        "timezone": {
            "type": "string",
            "title": "Time zone",
            "description": "Dates are shown in this zone, e.g. Europe/Berlin.",
            "default": "Europe/Berlin",
        },
        "date_style": {
            "enum": STYLES,
            "title": "Date style",
            "default": "medium",
            "x-enum-titles": {
                "short": {"en": "Short: 01.03.26", "de": "Kurz: 01.03.26"},
                "medium": {"en": "Medium: 01.03.2026", "de": "Mittel: 01.03.2026"},
                "long": {"en": "Long: 1. März 2026", "de": "Lang: 1. März 2026"},
                "full": {"en": "Full: Sonntag, 1. März 2026", "de": "Voll: Sonntag, 1. März 2026"},
            },
        },
        "with_time": {"type": "boolean", "title": "With the time of day", "default": False},
        "pattern": {
            "type": "string",
            "title": "Own date pattern",
            "description": "Instead of a style, e.g. dd.MM.yyyy HH:mm or EEEE, d. MMMM "
            "(Unicode date patterns).",
        },
        "currency": {
            "type": "string",
            "pattern": "^[A-Z]{3}$",
            "title": "Currency",
            "description": "ISO code, e.g. EUR, CHF, USD.",
            "default": "EUR",
        },
        "decimals": {
            "type": "integer",
            "minimum": 0,
            "maximum": 10,
            "title": "Decimal places (numbers)",
            "default": 2,
        },
    },
}

OUTPUT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["text", "value"],
    "properties": {
        "text": {"type": "string", "description": "The formatted text."},
        "value": {
            "type": "string",
            "description": "The exact value behind it: the rounded decimal as text, or the "
            "date in the chosen time zone as ISO 8601.",
        },
    },
}


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except Exception:
        raise UserError(
            f'"{name}" is not a time zone; use a name like Europe/Berlin.', field="timezone"
        ) from None


def _rounded(number: Decimal, places: int) -> Decimal:
    try:
        return number.quantize(Decimal(1).scaleb(-places), context=ROUNDING)
    except InvalidOperation:  # more digits than a Decimal context holds
        raise UserError(f"{number} is too large to format.", field="value") from None


def format_value(params: dict[str, Any]) -> dict[str, str]:
    kind, locale = params["kind"], Locale.parse(params.get("locale", "de_DE"))
    try:
        if kind == "date":
            return _date(params, locale)
        number = decimal_of(params["value"], kind)
    except FunctionError as error:
        raise UserError(str(error).replace(f"{kind}(): ", ""), field="value") from None
    if kind == "money":
        currency = params.get("currency", "EUR")
        if not is_currency(currency):
            raise UserError(f"{currency} is not a currency code.", field="currency")
        amount = _rounded(number, get_currency_precision(currency))
        text = format_currency(amount, currency, locale=locale, decimal_quantization=False)
        return {"text": text, "value": str(amount)}
    places = params.get("decimals", 2)
    rounded = _rounded(number, places)
    # The locale's own number pattern, with exactly the decimal places asked for.
    pattern = parse_pattern(locale.decimal_formats[None].pattern)
    pattern.frac_prec = (places, places)
    return {"text": pattern.apply(rounded, locale), "value": str(rounded)}


def _date(params: dict[str, Any], locale: Locale) -> dict[str, str]:
    zone = _zone(params.get("timezone", "Europe/Berlin"))
    when = moment(params["value"], "date").astimezone(zone)
    form = params.get("pattern") or params.get("date_style", "medium")
    try:
        if params.get("pattern") or params.get("with_time"):
            text = format_datetime(when, form, tzinfo=when.tzinfo, locale=locale)
        else:
            text = format_date(when.date(), form, locale=locale)
    except (ValueError, KeyError) as error:
        raise UserError(f"The date pattern cannot be used: {error}", field="pattern") from None
    return {"text": text, "value": when.isoformat()}


@node(
    "core.format",
    kind="transform",
    params=PARAMS,
    output_schema=OUTPUT_SCHEMA,
    output_example={"text": "1.234,50\u00a0€", "value": "1234.50"},
    pure=True,
)
def format_node(ctx: NodeContext, params: dict[str, Any], input: Any) -> dict[str, str]:
    return format_value(params)
