"""The one registry of functions merchants may call in expressions, with their documentation.

Every function here is callable in JMESPath mappings (``round_money(trigger.total_price)``) and
as a filter or function in text templates (``{{ trigger.total_price | round_money }}``); the
editor lists them from :func:`catalog`. Nothing else is callable: the registry is the whole
surface, and each function is plain data in, plain data out.

Conventions that hold for every function:

- Pure, except ``now()`` (the current time) and ``uuid()`` (a new random id).
- Money and other decimals travel as **strings** (``"1234.50"``): JSON numbers become binary
  floats in most systems, and ``0.1 + 0.2`` is not ``0.3`` there. The decimal functions take
  numbers or strings and return strings; ``to_number`` makes a number for comparisons. A
  result that would need more than 60 digits fails instead of being rounded silently.
- Dates travel as ISO 8601 text with an offset (``2026-03-01T10:00:00+01:00``). Text without an
  offset is taken as UTC.
- Bad input fails with a message that names the function and the value, never a silent null.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, localcontext
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jmespath import functions as jmespath_functions
from jmespath.exceptions import JMESPathError

CENT = Decimal("0.01")
# Arithmetic on amounts: wide enough for any real amount, and an error rather than a silent
# rounding if a result would not fit (Python's default keeps only 28 digits).
EXACT = Context(prec=60, traps=[Inexact, InvalidOperation])
ROUNDING = Context(prec=60, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


class FunctionError(JMESPathError):
    """A function got a value it cannot use; the message names the function and the value."""


@dataclass(frozen=True)
class Function:
    name: str
    implementation: Callable[..., Any] | None  # None: one of JMESPath's own functions
    arguments: tuple[tuple[str, tuple[str, ...]], ...]  # (name, JMESPath types) per argument
    title: dict[str, str]
    example: str
    result: str

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(name for name, _types in self.arguments)})"

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "signature": self.signature,
            "description": self.title,
            "example": self.example,
            "result": self.result,
        }


REGISTRY: dict[str, Function] = {}

ANY = ("string", "number", "boolean", "null", "array", "object")
NUMERIC = ("string", "number")


def function(
    name: str, *arguments: tuple[str, tuple[str, ...]], de: str, en: str, example: str, result: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated plain Python function under ``name``, documented in de/en with
    an example expression and its result (the examples are checked by the tests)."""

    def register(implementation: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[name] = Function(
            name, implementation, arguments, {"de": de, "en": en}, example, result
        )
        return implementation

    return register


def fail(name: str, value: Any, expected: str) -> FunctionError:
    return FunctionError(f"{name}(): {value!r} is not {expected}.")


# ---- decimals and money -------------------------------------------------------------------


def decimal_of(value: Any, name: str = "to_decimal") -> Decimal:
    """A Decimal from a JSON number or a text like ``"1234.50"`` or ``"1234,50"``."""
    if isinstance(value, bool) or value is None:
        raise fail(name, value, "a number")
    text = str(value).strip()
    if isinstance(value, str) and "," in text and "." not in text:
        text = text.replace(",", ".")  # a German decimal comma, as shops often send it
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise fail(name, value, "a number") from None
    if not number.is_finite():
        raise fail(name, value, "a finite number")
    return number


def money(value: Any, name: str = "round_money") -> Decimal:
    """Rounded half-up to cents, as invoices and tax offices expect (2.675 → 2.68)."""
    try:
        return decimal_of(value, name).quantize(CENT, context=ROUNDING)
    except InvalidOperation:  # more digits than a Decimal context holds
        raise fail(name, value, "an amount of a sensible size") from None


@function(
    "to_decimal",
    ("value", NUMERIC),
    en="An exact decimal, as text, from a number or a text (a decimal comma is understood).",
    de="Eine genaue Dezimalzahl als Text, aus einer Zahl oder einem Text (auch mit Komma).",
    example="to_decimal('1234,5')",
    result='"1234.5"',
)
def to_decimal(value: Any) -> str:
    return str(decimal_of(value))


@function(
    "round_money",
    ("value", NUMERIC),
    en="Rounds to cents, half up, without floating-point errors; the result is text.",
    de="Rundet kaufmännisch auf Cent, ohne Rundungsfehler; das Ergebnis ist Text.",
    example="round_money('2.675')",
    result='"2.68"',
)
def round_money(value: Any) -> str:
    return str(money(value))


@function(
    "sum_decimal",
    ("values", ("array",)),
    en="Adds up a list of numbers or decimal texts exactly; the result is text.",
    de="Addiert eine Liste von Zahlen oder Dezimaltexten genau; das Ergebnis ist Text.",
    example="sum_decimal(['0.10', '0.20'])",
    result='"0.30"',
)
def sum_decimal(values: list[Any]) -> str:
    numbers = [decimal_of(value, "sum_decimal") for value in values]
    return _exactly("sum_decimal", values, lambda: sum(numbers, Decimal(0)))


@function(
    "multiply_decimal",
    ("a", NUMERIC),
    ("b", NUMERIC),
    en="Multiplies two numbers exactly, e.g. price × quantity; the result is text.",
    de="Multipliziert zwei Zahlen genau, z. B. Preis × Menge; das Ergebnis ist Text.",
    example="multiply_decimal('19.99', `3`)",
    result='"59.97"',
)
def multiply_decimal(a: Any, b: Any) -> str:
    x, y = decimal_of(a, "multiply_decimal"), decimal_of(b, "multiply_decimal")
    return _exactly("multiply_decimal", [a, b], lambda: x * y)


def _exactly(name: str, values: Any, compute: Callable[[], Decimal]) -> str:
    with localcontext(EXACT):
        try:
            return str(compute())
        except (Inexact, InvalidOperation):
            raise fail(name, values, "small enough to compute exactly") from None


# ---- dates --------------------------------------------------------------------------------


def zone(name: str, function_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(function_name, name, "a time zone like Europe/Berlin") from None


def moment(value: Any, name: str) -> datetime:
    """A timezone-aware datetime from ISO 8601 text or a Unix timestamp; naive means UTC."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str):
        raise fail(name, value, "a date (ISO 8601 text like 2026-03-01T10:00:00+01:00)")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise fail(name, value, "a date (ISO 8601 text like 2026-03-01T10:00:00+01:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    return value.isoformat()


@function(
    "to_date",
    ("value", ("string", "number")),
    en="A date as ISO 8601 text with offset, from ISO text or a Unix timestamp.",
    de="Ein Datum als ISO-8601-Text mit Zeitzone, aus ISO-Text oder einem Unix-Zeitstempel.",
    example="to_date(`1772355600`)",
    result='"2026-03-01T09:00:00+00:00"',
)
def to_date(value: Any) -> str:
    return iso(moment(value, "to_date"))


@function(
    "parse_date",
    ("text", ("string",)),
    ("format", ("string",)),
    en="Reads a date written in a fixed format (%d day, %m month, %Y year, %H:%M time) as UTC.",
    de="Liest ein Datum in einem festen Format (%d Tag, %m Monat, %Y Jahr, %H:%M Uhrzeit) als UTC.",
    example="parse_date('01.03.2026 10:30', '%d.%m.%Y %H:%M')",
    result='"2026-03-01T10:30:00+00:00"',
)
def parse_date(text: str, format: str) -> str:
    try:
        parsed = datetime.strptime(text.strip(), format)
    except ValueError:
        raise fail("parse_date", text, f"a date in the format {format!r}") from None
    return iso(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))


@function(
    "format_date",
    ("value", ("string", "number")),
    ("format", ("string",)),
    en="Writes a date in a format of your choice, e.g. %d.%m.%Y for 01.03.2026.",
    de="Schreibt ein Datum im gewünschten Format, z. B. %d.%m.%Y für 01.03.2026.",
    example="format_date('2026-03-01T10:30:00+01:00', '%d.%m.%Y %H:%M')",
    result='"01.03.2026 10:30"',
)
def format_date(value: Any, format: str) -> str:
    return moment(value, "format_date").strftime(format)


@function(
    "in_timezone",
    ("value", ("string", "number")),
    ("zone", ("string",)),
    en="The same moment in another time zone, e.g. Europe/Berlin (summer time included).",
    de="Derselbe Zeitpunkt in einer anderen Zeitzone, z. B. Europe/Berlin (mit Sommerzeit).",
    example="in_timezone('2026-07-01T10:00:00Z', 'Europe/Berlin')",
    result='"2026-07-01T12:00:00+02:00"',
)
def in_timezone(value: Any, zone_name: str) -> str:
    return iso(moment(value, "in_timezone").astimezone(zone(zone_name, "in_timezone")))


@function(
    "add_days",
    ("value", ("string", "number")),
    ("days", ("number",)),
    en="The date a number of days later (or earlier, with a negative number).",
    de="Das Datum eine Anzahl Tage später (oder früher, mit negativer Zahl).",
    example="add_days('2026-03-01T10:00:00+01:00', `14`)",
    result='"2026-03-15T10:00:00+01:00"',
)
def add_days(value: Any, days: float) -> str:
    return iso(moment(value, "add_days") + timedelta(days=days))


@function(
    "today",
    ("zone", ("string",)),
    en="Today's date in a time zone, as YYYY-MM-DD. Not pure: depends on when it runs.",
    de="Das heutige Datum in einer Zeitzone, als JJJJ-MM-TT. Hängt vom Zeitpunkt ab.",
    example="today('Europe/Berlin')",
    result='"2026-03-01"',
)
def today(zone_name: str) -> str:
    return date.isoformat(datetime.now(zone(zone_name, "today")).date())


@function(
    "now",
    en="The current time in UTC, ISO 8601. Not pure: each call reads the clock.",
    de="Die aktuelle Zeit in UTC, ISO 8601. Liest bei jedem Aufruf die Uhr.",
    example="now()",
    result='"2026-03-01T09:00:00.123456+00:00"',
)
def now() -> str:
    return iso(datetime.now(UTC))


@function(
    "uuid",
    en="A new random id (UUID 4). Not pure: different on every call.",
    de="Eine neue zufällige Kennung (UUID 4). Bei jedem Aufruf anders.",
    example="uuid()",
    result='"5f0c8e0e-7f4c-4a52-9a7e-1f6f0c9f3b1d"',
)
def uuid() -> str:
    return str(uuid_module.uuid4())


# ---- text ---------------------------------------------------------------------------------


@function(
    "lower",
    ("text", ("string",)),
    en="The text in lower case.",
    de="Der Text in Kleinbuchstaben.",
    example="lower('Jon@Example.COM')",
    result='"jon@example.com"',
)
def lower(text: str) -> str:
    return text.lower()


@function(
    "upper",
    ("text", ("string",)),
    en="The text in upper case.",
    de="Der Text in Großbuchstaben.",
    example="upper('straße')",
    result='"STRASSE"',
)
def upper(text: str) -> str:
    return text.upper()


@function(
    "trim",
    ("text", ("string",)),
    en="The text without spaces and line breaks at the start and end.",
    de="Der Text ohne Leerzeichen und Zeilenumbrüche am Anfang und Ende.",
    example="trim('  A-100 ')",
    result='"A-100"',
)
def trim(text: str) -> str:
    return text.strip()


@function(
    "replace",
    ("text", ("string",)),
    ("old", ("string",)),
    ("new", ("string",)),
    en="The text with every occurrence of one piece replaced by another.",
    de="Der Text, in dem jedes Vorkommen eines Teils durch einen anderen ersetzt ist.",
    example="replace('DE 123 456', ' ', '')",
    result='"DE123456"',
)
def replace(text: str, old: str, new: str) -> str:
    if not old:
        raise fail("replace", old, "a non-empty text to replace")
    return text.replace(old, new)


@function(
    "split",
    ("text", ("string",)),
    ("separator", ("string",)),
    en="The text cut into a list at each separator.",
    de="Der Text, an jedem Trennzeichen in eine Liste geteilt.",
    example="split('red,green,blue', ',')",
    result='["red", "green", "blue"]',
)
def split(text: str, separator: str) -> list[str]:
    if not separator:
        raise fail("split", separator, "a non-empty separator")
    return text.split(separator)


# ---- missing data -------------------------------------------------------------------------


@function(
    "default",
    ("value", ANY),
    ("fallback", ANY),
    en="The value, or the fallback when the value is missing (null) or empty text.",
    de="Der Wert, oder der Ersatzwert, wenn der Wert fehlt (null) oder leerer Text ist.",
    example="default(trigger.note, 'keine Notiz')",
    result='"keine Notiz"',
)
def default(value: Any, fallback: Any) -> Any:
    return fallback if value is None or value == "" else value


def _jmespath_method(entry: Function) -> Callable[..., Any]:
    def call(_self, *args: Any) -> Any:
        return entry.implementation(*args)

    call.signature = tuple({"types": list(types)} for _name, types in entry.arguments)
    return call


# jmespath collects ``_func_<name>`` methods (with a ``signature``) into its function table.
JMESPathFunctions = type(
    "JMESPathFunctions",
    (jmespath_functions.Functions,),
    {f"_func_{name}": _jmespath_method(entry) for name, entry in REGISTRY.items()},
)


def builtin(name: str, arguments: str, *, en: str, de: str, example: str, result: str) -> Function:
    named = tuple((argument, ()) for argument in arguments.split(", ") if argument)
    return Function(name, None, named, {"de": de, "en": en}, example, result)


# JMESPath's own functions, callable in every expression; documented here so that the editor
# lists every function an expression may call (the tests check that none is missing).
BUILTINS: dict[str, Function] = {
    entry.name: entry
    for entry in (
        builtin(
            "to_number",
            "value",
            en='A number from a text like "12.50" (for comparing: to_number(x) > `0`).',
            de='Eine Zahl aus einem Text wie "12.50" (zum Vergleichen: to_number(x) > `0`).',
            example="to_number('12.50')",
            result="12.5",
        ),
        builtin(
            "to_string",
            "value",
            en="The value as text; lists and groups of fields become JSON text.",
            de="Der Wert als Text; Listen und Feldgruppen werden zu JSON-Text.",
            example="to_string(`42`)",
            result='"42"',
        ),
        builtin(
            "to_array",
            "value",
            en="The value as a list: a list stays as it is, anything else becomes a list of one.",
            de="Der Wert als Liste: eine Liste bleibt, alles andere wird eine Liste mit einem "
            "Eintrag.",
            example="to_array('A-100')",
            result='["A-100"]',
        ),
        builtin(
            "join",
            "separator, texts",
            en="Joins a list of texts with a separator between them.",
            de="Verbindet eine Liste von Texten, mit einem Trennzeichen dazwischen.",
            example="join(' ', ['Jon', 'Snow'])",
            result='"Jon Snow"',
        ),
        builtin(
            "contains",
            "text_or_list, value",
            en="True when the text contains the piece, or the list contains the value.",
            de="Wahr, wenn der Text das Stück enthält oder die Liste den Wert.",
            example="contains('express delivery', 'express')",
            result="true",
        ),
        builtin(
            "starts_with",
            "text, start",
            en="True when the text starts with the given piece.",
            de="Wahr, wenn der Text mit dem angegebenen Stück beginnt.",
            example="starts_with('DE123456', 'DE')",
            result="true",
        ),
        builtin(
            "ends_with",
            "text, end",
            en="True when the text ends with the given piece.",
            de="Wahr, wenn der Text mit dem angegebenen Stück endet.",
            example="ends_with('jon@example.com', '.com')",
            result="true",
        ),
        builtin(
            "length",
            "value",
            en="How many characters a text has, or how many entries a list or group has.",
            de="Wie viele Zeichen ein Text hat oder wie viele Einträge eine Liste oder Gruppe.",
            example="length(['A', 'B', 'C'])",
            result="3",
        ),
        builtin(
            "not_null",
            "first, second",
            en="The first of its values that is not missing (null).",
            de="Der erste seiner Werte, der nicht fehlt (null).",
            example="not_null(trigger.note, 'none')",
            result='"none"',
        ),
        builtin(
            "abs",
            "number",
            en="The number without its sign.",
            de="Die Zahl ohne Vorzeichen.",
            example="abs(`-3`)",
            result="3",
        ),
        builtin(
            "ceil",
            "number",
            en="The number rounded up to a whole number.",
            de="Die Zahl, auf eine ganze Zahl aufgerundet.",
            example="ceil(`2.1`)",
            result="3",
        ),
        builtin(
            "floor",
            "number",
            en="The number rounded down to a whole number.",
            de="Die Zahl, auf eine ganze Zahl abgerundet.",
            example="floor(`2.9`)",
            result="2",
        ),
        builtin(
            "sum",
            "numbers",
            en="The sum of a list of numbers (for amounts, sum_decimal is exact).",
            de="Die Summe einer Liste von Zahlen (für Beträge rechnet sum_decimal genau).",
            example="sum([`1`, `2`, `3`])",
            result="6",
        ),
        builtin(
            "avg",
            "numbers",
            en="The average of a list of numbers.",
            de="Der Durchschnitt einer Liste von Zahlen.",
            example="avg([`2`, `4`])",
            result="3.0",
        ),
        builtin(
            "max",
            "values",
            en="The largest number, or the last text in alphabetical order, of a list.",
            de="Die größte Zahl einer Liste, oder der alphabetisch letzte Text.",
            example="max([`3`, `7`, `5`])",
            result="7",
        ),
        builtin(
            "min",
            "values",
            en="The smallest number, or the first text in alphabetical order, of a list.",
            de="Die kleinste Zahl einer Liste, oder der alphabetisch erste Text.",
            example="min([`3`, `7`, `5`])",
            result="3",
        ),
        builtin(
            "max_by",
            "list, &field",
            en="The entry of a list whose field is largest.",
            de="Der Eintrag einer Liste, dessen Feld am größten ist.",
            example='max_by(`[{"q": 1}, {"q": 4}]`, &q)',
            result='{"q": 4}',
        ),
        builtin(
            "min_by",
            "list, &field",
            en="The entry of a list whose field is smallest.",
            de="Der Eintrag einer Liste, dessen Feld am kleinsten ist.",
            example='min_by(`[{"q": 1}, {"q": 4}]`, &q)',
            result='{"q": 1}',
        ),
        builtin(
            "sort",
            "values",
            en="A list of numbers or of texts in order.",
            de="Eine Liste von Zahlen oder Texten, sortiert.",
            example="sort(['b', 'c', 'a'])",
            result='["a", "b", "c"]',
        ),
        builtin(
            "sort_by",
            "list, &field",
            en="The entries of a list in the order of one of their fields.",
            de="Die Einträge einer Liste, nach einem ihrer Felder sortiert.",
            example='sort_by(`[{"q": 4}, {"q": 1}]`, &q)',
            result='[{"q": 1}, {"q": 4}]',
        ),
        builtin(
            "reverse",
            "text_or_list",
            en="The list (or text) in reverse order.",
            de="Die Liste (oder der Text) in umgekehrter Reihenfolge.",
            example="reverse(['a', 'b'])",
            result='["b", "a"]',
        ),
        builtin(
            "map",
            "&expression, list",
            en="Applies an expression to every entry of a list.",
            de="Wendet einen Ausdruck auf jeden Eintrag einer Liste an.",
            example="map(&upper(@), ['a', 'b'])",
            result='["A", "B"]',
        ),
        builtin(
            "keys",
            "group",
            en="The field names of a group of fields.",
            de="Die Feldnamen einer Feldgruppe.",
            example='keys(`{"a": 1, "b": 2}`)',
            result='["a", "b"]',
        ),
        builtin(
            "values",
            "group",
            en="The values of a group of fields.",
            de="Die Werte einer Feldgruppe.",
            example='values(`{"a": 1, "b": 2}`)',
            result="[1, 2]",
        ),
        builtin(
            "merge",
            "group, other",
            en="One group of fields from several; later fields win.",
            de="Eine Feldgruppe aus mehreren; spätere Felder gewinnen.",
            example='merge(`{"a": 1}`, `{"b": 2}`)',
            result='{"a": 1, "b": 2}',
        ),
        builtin(
            "type",
            "value",
            en="What the value is: string, number, boolean, array, object or null.",
            de="Was der Wert ist: string, number, boolean, array, object oder null.",
            example="type('A-100')",
            result='"string"',
        ),
    )
}


def catalog() -> list[dict[str, Any]]:
    """Every function an expression may call (the registry's and JMESPath's own), with its
    signature, de/en description and an example, by name."""
    every = {**BUILTINS, **REGISTRY}
    return [every[name].describe() for name in sorted(every)]


def template_functions() -> dict[str, Callable[..., Any]]:
    """The same functions for text templates, where they are filters and globals."""
    return {name: entry.implementation for name, entry in REGISTRY.items()}
