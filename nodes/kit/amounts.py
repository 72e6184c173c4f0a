"""Amounts and German VAT rates as shops and APIs write them: 24.90, "24,90", 0.19 or 19."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from nodes.kit.base import UserError

# A parameter that takes an amount: a number, or a text with a decimal point or comma.
DECIMAL = {"type": ["number", "string"], "pattern": r"^-?\d+([.,]\d+)?$"}
GERMAN_VAT_RATES = (19, 7, 0)


def decimal(value: Any, field: str) -> Decimal:
    """The exact number ``value`` writes; a UserError naming ``field`` if it is none."""
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise UserError(f"{value!r} is not a number.", field=field) from None
    if not number.is_finite():
        raise UserError(f"{value!r} is not a number.", field=field)
    return number


def vat_rate(value: Any, field: str) -> int:
    """A German VAT rate in percent; a shop's fraction (Shopify's 0.19) is read as 19."""
    rate = decimal(value, field)
    if 0 < rate < 1:
        rate *= 100
    if rate not in GERMAN_VAT_RATES:
        raise UserError(
            f"A tax rate of {rate.normalize()} % is not a German VAT rate: use 19, 7 or 0.",
            field=field,
        )
    return int(rate)
