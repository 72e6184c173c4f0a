"""Turn jsonschema's errors into JSON pointers and sentences a merchant understands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

TYPE_NAMES = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a group of fields",
    "array": "a list",
    "null": "empty",
}


@dataclass(frozen=True)
class Problem:
    pointer: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message}


_validators: dict[int, tuple[dict, Draft202012Validator]] = {}


def validator_for(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator per schema object; node schemas are long-lived, so build each once."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _validators[id(schema)] = (schema, Draft202012Validator(schema))
    return cached[1]


def pointer(*parts: Any) -> str:
    """An RFC 6901 JSON pointer from path parts."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join("/" + p for p in escaped)


def schema_problems(
    validator: Draft202012Validator, instance: Any, base: Iterable[Any] = ()
) -> Iterator[Problem]:
    base = tuple(base)
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
        yield from _problems(error, base)


def _problems(error: ValidationError, base: tuple) -> Iterator[Problem]:
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The first branch's complaint is usually the helpful one.
        yield from _problems(error.context[0], base)
        return
    path = base + tuple(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        yield Problem(pointer(*path, missing), f'"{missing}" is required.')
        return
    if error.validator == "dependentRequired":  # "'b' is a dependency of 'a'"
        missing, given = error.message.split("'")[1::2][:2]
        yield Problem(pointer(*path, missing), f'"{missing}" is required when "{given}" is set.')
        return
    yield Problem(pointer(*path), describe(error))


def describe(error: ValidationError) -> str:
    """One plain sentence for a schema error."""
    value = error.validator_value
    match error.validator:
        case "type":
            wanted = value if isinstance(value, list) else [value]
            return "Must be " + " or ".join(TYPE_NAMES.get(t, t) for t in wanted) + "."
        case "enum":
            return "Must be one of: " + ", ".join(map(str, value)) + "."
        case "const":
            return f"Must be {value!r}."
        case "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            return "Unknown field: " + ", ".join(extra) + "."
        case "minLength":
            return "Must not be empty." if value == 1 else f"Needs at least {value} characters."
        case "maxLength":
            return f"Must be at most {value} characters long."
        case "minItems":
            return f"Needs at least {value} entries."
        case "maxItems":
            return f"Allows at most {value} entries."
        case "minimum":
            return f"Must be {value} or more."
        case "maximum":
            return f"Must be {value} or less."
        case "pattern":
            return f"Has the wrong form (expected to match {value})."
        case "format":
            return f"Must be a valid {value}."
    # jsonschema's own wording would echo the value, which may be a secret.
    return "Is not valid here."
