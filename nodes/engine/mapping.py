"""JMESPath mapping: compile expressions, evaluate them against the scope, fill in params.

Every value a node needs is a parameter. In a flow each parameter is either fixed in
``params`` or given as a JMESPath expression in ``mapping``, keyed by the parameter's dotted
path (``contact.email``). The expressions are evaluated against one scope document::

    {"trigger": ..., "input": ..., "steps": {node_id: output}, "flow": {...}, "now": ...}
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

import jmespath
from jmespath import exceptions as jmespath_errors
from jmespath.parser import ParsedResult

from nodes.engine.bounds import MAX_RESULT, SECONDS, LimitExceeded, time_limit, within_size
from nodes.engine.functions import JMESPathFunctions
from nodes.engine.templating import render_params

# Every expression is evaluated with the registry's functions (nodes/engine/functions.py) and
# nothing else; dicts keep their order so previews show fields as the data has them.
OPTIONS = jmespath.Options(custom_functions=JMESPathFunctions())


NUMBER = re.compile(r"-?\d+(\.\d+)?")


class MappingError(ValueError):
    """An expression that does not compile or cannot be evaluated; the message says why."""

    def __init__(self, message: str, *, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position


@lru_cache(maxsize=4096)
def compile_expression(expression: str) -> ParsedResult:
    """Compile once per distinct expression; flows run the same few expressions many times."""
    try:
        return jmespath.compile(expression)
    except RecursionError:
        raise MappingError("Not a valid expression: it is nested too deeply.") from None
    except jmespath_errors.IncompleteExpressionError as error:
        raise MappingError(
            f"Not a valid expression: it ends too early at position {error.lex_position} "
            "(a closing bracket, quote or value is missing).",
            position=error.lex_position,
        ) from None
    except jmespath_errors.LexerError as error:
        reason = str(error).split(": ", 1)[-1].rstrip(":")
        raise MappingError(
            f"Not a valid expression at position {error.lex_position}: {reason}.",
            position=error.lex_position,
        ) from None
    except jmespath_errors.ParseError as error:
        if error.token_type.lower() == "number":
            number = NUMBER.match(expression, error.lex_position)
            raise MappingError(
                f"Not a valid expression at position {error.lex_position}: a number is written "
                f"in backticks, e.g. `{number.group() if number else error.token_value}`.",
                position=error.lex_position,
            ) from None
        raise MappingError(
            f"Not a valid expression at position {error.lex_position}: unexpected "
            f'"{error.token_value}".',
            position=error.lex_position,
        ) from None


# What JMESPath calls a type, in the words of the editor.
TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a group of fields",
    "null": "nothing",
    "expref": "an &expression",
    "array-string": "a list of texts",
    "array-number": "a list of numbers",
}


def wrong_type(error: jmespath_errors.JMESPathTypeError) -> str:
    """A function's complaint about its argument as a sentence, e.g. a missing first name."""
    wanted = " or ".join(TYPE_WORDS.get(kind, kind) for kind in error.expected_types)
    name = error.function_name
    if error.actual_type in ("null", "NoneType"):
        where = (
            "a value in the list is missing (null)"
            if all(kind.startswith("array-") for kind in error.expected_types)
            else "the value is missing (null)"
        )
        return (
            f"{name}() needs {wanted}, but {where}. If the data may be missing, give a "
            f"default, e.g. default(trigger.first_name, '') or not_null(…, '')."
        )
    return f"{name}() needs {wanted}, but got {error.current_value!r}."


def evaluate(expression: str, scope: dict[str, Any]) -> Any:
    """The expression's result; bounded in time and in size (see :mod:`nodes.engine.bounds`)."""
    try:
        with time_limit(SECONDS, "The expression"):
            result = compile_expression(expression).search(scope, options=OPTIONS)
    except jmespath_errors.JMESPathTypeError as error:
        raise MappingError(wrong_type(error)) from None
    except jmespath_errors.JMESPathError as error:
        raise MappingError(str(error).splitlines()[0]) from None
    except RecursionError:
        raise MappingError("The expression is nested too deeply to evaluate.") from None
    except LimitExceeded as error:
        raise MappingError(str(error)) from None
    except TypeError:  # an ordering comparison of a text with a number
        raise MappingError(
            "Only numbers can be compared with <, <=, > and >=. If the value is a text like "
            '"12.50", compare to_number(…) instead, e.g. to_number(input.total) > `0`.'
        ) from None
    if not within_size(result):
        raise MappingError(
            f"The result is larger than {MAX_RESULT // 1_000_000} MB; select less of the data "
            "(a field, or a filtered list) instead of repeating it."
        )
    return result


def split_path(path: str) -> list[str]:
    return path.split(".")


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = split_path(path)
    for part in parents:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[leaf] = value


def apply_mapping(
    params: dict[str, Any],
    mapping: dict[str, str],
    scope: dict[str, Any],
    schema: dict[str, Any] | None = None,
):
    """Return a copy of ``params`` with its templates rendered (the fields ``schema`` marks as
    ``"format": "template"``) and every mapped path set to its expression's result.

    A result of null is an error, not a silent gap: the message names the field and the
    expression, and suggests ``|| default`` for data that may really be missing. Templates
    are rendered before mapped values are set, so data is never rendered as a template.
    """
    if schema:
        params, errors = render_params(params, schema, scope)
        if errors:
            path, error = errors[0]
            raise TemplateFieldError(".".join(path), error.message)
    resolved = copy.deepcopy(params) if mapping else params
    for path, expression in mapping.items():
        try:
            value = evaluate(expression, scope)
        except MappingError as error:
            raise FieldMappingError(
                path, expression, f"could not be evaluated: {error.message}"
            ) from None
        if value is None:
            raise FieldMappingError(
                path,
                expression,
                f"found no value. If the data may be missing, give a default like "
                f"`{expression} || ''`.",
            )
        set_path(resolved, path, value)
    return resolved


class FieldMappingError(ValueError):
    def __init__(self, field: str, expression: str, reason: str):
        super().__init__(f'The expression `{expression}` for "{field}" {reason}')
        self.field = field
        self.expression = expression


class TemplateFieldError(FieldMappingError):
    def __init__(self, field: str, reason: str):
        ValueError.__init__(self, f'The text of "{field}": {reason}.')
        self.field = field
        self.expression = None
