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
import functools
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
    nodes,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from nodes.engine.bounds import (
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_TEXT,
    SECONDS,
    LimitExceeded,
    check_size,
    time_limit,
)
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


MAX_EXPONENT = 100
# A width or precision in a format: %10d, %.3f, {:>10}, {:.2f}; * takes it from the values.
FORMAT_WIDTHS = re.compile(
    r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?|\{[^{}]*?:[^{}]*?(\d+)?(?:\.(\d+))?\}"
)
WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


class _BoundedCode(CodeGenerator):
    """Joined text (``a ~ b``) is checked like every other value a placeholder builds."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class TextSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's sandbox (lists and dicts cannot be changed, so nothing grows across a loop),
    plus bounds on the size of every value a placeholder builds: operators, methods, filters
    and joined text are checked before the value is built where its size is known in advance,
    and after otherwise (see :mod:`nodes.engine.bounds`)."""

    intercepted_binops = frozenset({"*", "**", "%", "+", "<<"})
    code_generator_class = _BoundedCode

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repeat(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
            raise LimitExceeded(TOO_BIG_NUMBER)
        elif operator == "%" and isinstance(left, str):
            _check_format(left)
        return check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        if isinstance(getattr(method, "__self__", None), str):
            _check_method(method.__self__, method.__name__, args)
        return check_size(super().call(__context, __obj, *args, **kwargs))

    @staticmethod
    def bounded(value: Any) -> Any:
        return check_size(value)


TOO_BIG_NUMBER = "a placeholder builds a number with more than 1,200 digits"
TOO_LONG_TEXT = f"a placeholder builds text longer than {MAX_TEXT:,} characters"


def _check_repeat(left: Any, right: Any) -> None:
    sequence, count = (left, right) if isinstance(left, str | list | tuple) else (right, left)
    if isinstance(sequence, str | list | tuple) and isinstance(count, int):
        if isinstance(sequence, str) and len(sequence) * count > MAX_TEXT:
            raise LimitExceeded(f"a placeholder repeats text past {MAX_TEXT:,} characters")
        if not isinstance(sequence, str) and len(sequence) * count > MAX_ITEMS:
            raise LimitExceeded(f"a placeholder repeats a list past {MAX_ITEMS:,} items")


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(exponent, int | float) and abs(exponent) > MAX_EXPONENT:
        raise LimitExceeded(f"a placeholder raises to a power above {MAX_EXPONENT}")
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent > 0
        and (base.bit_length() * exponent > MAX_INT_BITS)
    ):
        raise LimitExceeded(TOO_BIG_NUMBER)


def _check_format(text: str) -> None:
    """Refuse widths and precisions that alone would build text past the limit."""
    for match in FORMAT_WIDTHS.finditer(text):
        for width in filter(None, match.groups()):
            if width == "*" or int(width) > MAX_TEXT:
                raise LimitExceeded(f"a placeholder formats wider than {MAX_TEXT:,} characters")


def _check_method(text: str, name: str, args: tuple) -> None:
    if name in WIDTH_METHODS and args and isinstance(args[0], int) and args[0] > MAX_TEXT:
        raise LimitExceeded(TOO_LONG_TEXT)
    if name in ("format", "format_map"):
        _check_format(text)
    elif name == "replace" and len(args) >= 2:
        _check_replace(text, *args[:2])
    elif name == "join" and args:
        _check_join(text, args[0])
    elif name == "expandtabs":
        size = args[0] if args and isinstance(args[0], int) else 8
        if len(text) + text.count("\t") * size > MAX_TEXT:
            raise LimitExceeded(TOO_LONG_TEXT)


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        count = text.count(old) if old else len(text) + 1
        if len(text) + count * (len(new) - len(old)) > MAX_TEXT:
            raise LimitExceeded(TOO_LONG_TEXT)


def _check_join(separator: Any, items: Any) -> None:
    if isinstance(items, list | tuple) and isinstance(separator, str):
        check_size(items)
        size = len(separator) * len(items)
        size += sum(len(item) if isinstance(item, str) else 24 for item in items)
        if size > MAX_TEXT:
            raise LimitExceeded(TOO_LONG_TEXT)


def _bounded_filter(name: str, check: Callable[..., None]) -> Callable[..., Any]:
    """Jinja2's filter ``name``, refusing arguments that would build too big a value."""
    original = DEFAULT_FILTERS[name]

    @functools.wraps(original)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return check_size(original(*args, **kwargs))

    return bounded


def _check_center(value: Any, width: int = 80) -> None:
    if isinstance(width, int) and width > MAX_TEXT:
        raise LimitExceeded(TOO_LONG_TEXT)


def _check_indent(value: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    lines = str(value).count("\n") + 1
    if (len(width) if isinstance(width, str) else int(width)) * lines > MAX_TEXT:
        raise LimitExceeded(TOO_LONG_TEXT)


def _check_format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str):
        _check_format(value)


def _check_join_filter(context: Any, value: Any, d: str = "", attribute: Any = None) -> None:
    _check_join(d, list(value) if isinstance(value, list | tuple) else value)


def _check_replace_filter(context: Any, s: Any, old: Any, new: Any, count: Any = None) -> None:
    _check_replace(s, old, new)


def _check_sum(context: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> None:
    if not isinstance(start, int | float):
        raise LimitExceeded("the sum filter adds numbers only")


BOUNDED_FILTERS = {
    "center": _check_center,
    "indent": _check_indent,
    "format": _check_format_filter,
    "join": _check_join_filter,
    "replace": _check_replace_filter,
    "sum": _check_sum,
}


ENVIRONMENT = TextSandbox(
    undefined=MissingValue, autoescape=False, keep_trailing_newline=True, finalize=_no_null
)
ENVIRONMENT.filters.update(
    {name: _bounded_filter(name, check) for name, check in BOUNDED_FILTERS.items()}
)
del ENVIRONMENT.globals["lipsum"]  # a generator of text of any length, and of no use here
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
        with time_limit(SECONDS, "The text"):
            return _joined(compile_template(source).generate(scope))
    except TemplateError:
        raise
    except LimitExceeded as error:
        raise TemplateError(str(error)) from None
    except UndefinedError as error:
        raise TemplateError(
            f"{_placeholder(source, error)} found nothing: {error.message}"
        ) from None
    except SecurityError:
        raise TemplateError("a placeholder uses something templates may not use") from None
    except Exception as error:  # a function refused its value, a bad comparison …
        raise TemplateError(f"a placeholder could not be filled: {error}") from None


def _joined(parts: Iterator[str]) -> str:
    """The rendered text, refused as soon as it grows past the limit."""
    text, size = [], 0
    for part in parts:
        size += len(part)
        if size > MAX_TEXT:
            raise LimitExceeded(f"the text grows longer than {MAX_TEXT:,} characters")
        text.append(part)
    return "".join(text)


OPENING = re.compile(r"\{\{|\{%")
CLOSING = {"{{": "}}", "{%": "%}"}


def _placeholder(source: str, error: UndefinedError) -> str:
    """The placeholder the missing name was used in, to point the merchant at it."""
    named = re.search(r'there is no "(.+?)"', error.message or "")
    name = named and named.group(1)
    for found in _placeholders(source):
        if name and re.search(rf"\b{re.escape(name)}\b", found):
            return f"the placeholder {found}"
    return "a placeholder"


def _placeholders(source: str) -> Iterator[str]:
    """Every ``{{ … }}`` and ``{% … %}``, in one pass over the text: an opening without a
    closing is not looked for again (a lazy regex would, once per opening)."""
    position, unclosed = 0, set()
    for opening in OPENING.finditer(source):
        kind = opening.group()
        if opening.start() < position or kind in unclosed:
            continue
        end = source.find(CLOSING[kind], opening.end())
        if end == -1:
            unclosed.add(kind)
            continue
        position = end + 2
        yield source[opening.start() : position]


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
