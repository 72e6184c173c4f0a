"""Text with placeholders: ``"Order {{ trigger.id }} for {{ trigger.email }}"``.

A parameter whose schema says ``"format": "template"`` holds a Jinja2 template, rendered in a
``SandboxedEnvironment`` against the same scope document as the mappings (trigger, input,
steps, flow, now), with the functions of :mod:`nodes.engine.functions` and nothing else to call.

A placeholder that finds nothing is an error that names it, never an empty string: a customer
should not get "Dear ," because a field was renamed. Data that may be missing gets a default:
``{{ default(trigger.note, '') }}``. Only fixed text is a template; values that come from data
(mappings) are never rendered, so an order note containing ``{{`` stays text.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from jinja2 import (
    ChainableUndefined,
    StrictUndefined,
    Template,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from nodes.engine.functions import template_functions


class TemplateError(ValueError):
    """A template that does not compile or cannot be rendered; ``line`` where known."""

    def __init__(self, message: str, *, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


class MissingValue(ChainableUndefined, StrictUndefined):
    """Lets ``trigger.customer.name`` reach a ``default(...)`` even if ``customer`` is missing,
    but fails as soon as the missing value would be written into the text."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        return f'there is no "{self._undefined_name}" in the data'


def _no_null(value: Any) -> Any:
    if value is None:
        raise TemplateError("a placeholder found no value (null)")
    return value


def _lenient(implementation: Callable[..., Any]) -> Callable[..., Any]:
    """A missing value reaches a function as null, as it does in JMESPath."""

    def call(*args: Any) -> Any:
        return implementation(*(None if isinstance(a, MissingValue) else a for a in args))

    return call


MAX_REPEAT = 10_000  # 'x' * n or [..] * n beyond this is a mistake or an attack
MAX_EXPONENT = 100


class TextSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, plus limits on the two operators that can exhaust a worker's memory
    or time from one short placeholder: repetition and powers."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*" and any(isinstance(v, str | list | tuple) for v in (left, right)):
            count = right if isinstance(left, str | list | tuple) else left
            if isinstance(count, int) and count > MAX_REPEAT:
                raise TemplateError(f"a placeholder repeats text more than {MAX_REPEAT} times")
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise TemplateError(f"a placeholder raises to a power above {MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


ENVIRONMENT = TextSandbox(
    undefined=MissingValue, autoescape=False, keep_trailing_newline=True, finalize=_no_null
)
_functions = {
    name: _lenient(implementation) for name, implementation in template_functions().items()
}
ENVIRONMENT.globals.update(_functions)
ENVIRONMENT.filters.update(_functions)


@lru_cache(maxsize=2048)
def compile_template(source: str) -> Template:
    try:
        return ENVIRONMENT.from_string(source)
    except TemplateSyntaxError as error:
        raise TemplateError(
            f"the text has a placeholder error on line {error.lineno}: {error.message}",
            line=error.lineno,
        ) from None


def render(source: str, scope: dict[str, Any]) -> str:
    try:
        return compile_template(source).render(scope)
    except TemplateError:
        raise
    except UndefinedError as error:
        raise TemplateError(
            f"{_placeholder(source, error)} found nothing: {error.message}"
        ) from None
    except SecurityError:
        raise TemplateError("a placeholder uses something templates may not use") from None
    except Exception as error:  # a function refused its value, a bad comparison …
        raise TemplateError(f"a placeholder could not be filled: {error}") from None


PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _placeholder(source: str, error: UndefinedError) -> str:
    """The placeholder the missing name was used in, to point the merchant at it."""
    named = re.search(r'there is no "(.+?)"', error.message or "")
    name = named and named.group(1)
    for found in PLACEHOLDER.finditer(source):
        if name and re.search(rf"\b{re.escape(name)}\b", found.group()):
            return f"the placeholder {found.group()}"
    return "a placeholder"


def template_fields(
    params: Any, schema: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """The paths of the string values in ``params`` that the schema marks as templates."""
    if isinstance(params, str):
        if schema.get("format") == "template":
            yield path
        return
    if not isinstance(params, dict):
        return
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for key, value in params.items():
        sub = properties.get(key, extra if isinstance(extra, dict) else {})
        yield from template_fields(value, sub, (*path, key))


def render_params(
    params: dict[str, Any], schema: dict[str, Any], scope: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[tuple[str, ...], TemplateError]]]:
    """A copy of ``params`` with every template rendered, and the errors by field path."""
    fields = list(template_fields(params, schema))
    if not fields:
        return params, []
    rendered, errors = copy.deepcopy(params), []
    for path in fields:
        target = rendered
        for part in path[:-1]:
            target = target[part]
        try:
            target[path[-1]] = render(target[path[-1]], scope)
        except TemplateError as error:
            errors.append((path, error))
    return rendered, errors
