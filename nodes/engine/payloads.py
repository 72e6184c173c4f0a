"""Turn a delivered body into the trigger's data, by content type: JSON or a web form."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

MAX_FORM_FIELDS = 10_000


class PayloadError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_body(body: bytes, content_type: str | None) -> Any:
    kind = media_type(content_type)
    if kind == "application/json" or kind.endswith("+json"):
        try:
            return json.loads(body, parse_constant=_no_constant, parse_float=_finite)
        except UnicodeDecodeError:
            raise PayloadError(400, "The body is not UTF-8 text.") from None
        except RecursionError:
            raise PayloadError(400, "The body's JSON is nested too deeply.") from None
        except json.JSONDecodeError as error:
            raise PayloadError(
                400,
                f"The body is not valid JSON: {error.msg} at line {error.lineno} "
                f"column {error.colno}.",
            ) from None
        except ValueError as error:  # a number JSON cannot carry, one too long to read
            raise PayloadError(400, f"The body is not valid JSON: {error}") from None
    if kind == "application/x-www-form-urlencoded":
        if body.count(b"&") >= MAX_FORM_FIELDS:
            raise PayloadError(400, f"The form has more than {MAX_FORM_FIELDS:,} fields.")
        try:
            pairs = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body))
        except (UnicodeDecodeError, ValueError):
            raise PayloadError(400, "The body is not valid form data.") from None
        return _form_fields(pairs)
    raise PayloadError(
        415,
        f"Content type {kind or '(none)'} is not supported: send application/json or "
        "application/x-www-form-urlencoded.",
    )


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number.")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"the number {text[:20]} is too large.")
    return number


def _form_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Repeated form keys become lists, as in PHP or Rails, so nothing sent is dropped."""
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)
    return {key: found[0] if len(found) == 1 else found for key, found in values.items()}
