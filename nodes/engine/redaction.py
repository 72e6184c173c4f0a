"""Keeping secrets out of execution records, logs and the flow documents the API returns.

Secret fields are the ``writeOnly`` ones of a node's params schema and of its connector's auth
schema. Masking replaces such fields by position; scrubbing replaces the secret's text
wherever it turns up (a provider echoing it in an error body, a URL with the key in its
query), also in its URL-encoded forms.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, quote_plus

from nodes.kit import registry

REDACTED = "[redacted]"
SECRET_SET = "[secret set]"  # what the API shows in place of a stored writeOnly param
MIN_SECRET_LENGTH = 4  # shorter values would scrub ordinary words and numbers

_current: contextvars.ContextVar[Secrets | None] = contextvars.ContextVar(
    "shopwire_secrets", default=None
)


def write_only_values(value: Any, schema: dict[str, Any] | None) -> list[str]:
    """Every text inside a ``writeOnly`` field of ``value``."""
    if not schema or not isinstance(value, dict):
        return []
    found: list[str] = []
    for name, sub in (schema.get("properties") or {}).items():
        if name not in value:
            continue
        if sub.get("writeOnly"):
            found += _texts(value[name])
        else:
            found += write_only_values(value[name], sub)
    return found


def credential_secrets(credential: Any, auth_schema: dict[str, Any] | None) -> list[str]:
    """The secret texts of an account: its ``writeOnly`` fields and its OAuth tokens."""
    if not isinstance(credential, dict):
        return []
    return write_only_values(credential, auth_schema) + _texts(credential.get("oauth"))


def mask(value: Any, schema: dict[str, Any] | None, replacement: Any = REDACTED) -> Any:
    """A copy of ``value`` with every ``writeOnly`` field replaced by ``replacement``."""
    if not schema or not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    clean = dict(value)
    for name, sub in properties.items():
        if name not in clean:
            continue
        if sub.get("writeOnly"):
            clean[name] = replacement
        elif "properties" in sub:
            clean[name] = mask(clean[name], sub, replacement)
    return clean


def restore(value: Any, previous: Any, schema: dict[str, Any] | None) -> Any:
    """``value`` with each ``writeOnly`` field that is absent or :data:`SECRET_SET` taken from
    ``previous`` (what was saved before); a placeholder with nothing to restore is dropped."""
    if not schema or not isinstance(value, dict):
        return value
    previous = previous if isinstance(previous, dict) else {}
    result = dict(value)
    for name, sub in (schema.get("properties") or {}).items():
        if sub.get("writeOnly"):
            if result.get(name, SECRET_SET) == SECRET_SET:
                if name in previous:
                    result[name] = previous[name]
                else:
                    result.pop(name, None)
        elif "properties" in sub and name in result:
            result[name] = restore(result[name], previous.get(name), sub)
    return result


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


class Secrets:
    """The secret texts of one step, and :meth:`scrub` to take them out of any value."""

    def __init__(self, values: Iterable[str] = ()):
        self.forms: list[str] = []
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        forms = set(self.forms)
        for value in values:
            if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
                forms |= {value, quote(value, safe=""), quote_plus(value)}
        # Longest first, so a secret containing another is replaced whole.
        self.forms = sorted(forms, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self.forms)

    def scrub(self, value: Any) -> Any:
        if not self.forms:
            return value
        if isinstance(value, str):
            for form in self.forms:
                if form in value:
                    value = value.replace(form, REDACTED)
            return value
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        return value

    def scrub_bytes(self, data: bytes) -> bytes:
        for form in self.forms:
            data = data.replace(form.encode(), REDACTED.encode())
        return data


@contextmanager
def scrubbing(secrets: Secrets) -> Iterator[None]:
    """While a step runs, every log line loses its secrets, whichever logger writes it (a
    node's own log, the engine's retry notes, urllib3's or any library's lines)."""
    token = _current.set(secrets)
    try:
        yield
    finally:
        _current.reset(token)


def _scrubbed(record: logging.LogRecord) -> logging.LogRecord:
    secrets = _current.get()
    if secrets:
        record.msg, record.args = secrets.scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = secrets.scrub(record.exc_text)
    return record


def install_log_filter() -> None:
    """Scrub records where every record is made, the log record factory: a filter on a
    logger sees only that logger's own records, so any logger not named would leak."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "scrubs_secrets", False):
        return

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _scrubbed(previous(*args, **kwargs))

    make.scrubs_secrets = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


def _params_schema(node: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return registry.get(node.get("type"), node.get("version")).params
    except (registry.UnknownNode, TypeError):
        return None


def mask_graph(graph: Any) -> Any:
    """The flow document as the API returns it: stored secret params show as
    :data:`SECRET_SET`, never their value."""
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return graph
    nodes = [
        {**node, "params": mask(node["params"], _params_schema(node), SECRET_SET)}
        if isinstance(node, dict) and isinstance(node.get("params"), dict)
        else node
        for node in graph["nodes"]
    ]
    return {**graph, "nodes": nodes}


def restore_graph(graph: Any, previous: dict[str, Any] | None) -> Any:
    """A flow document sent back by a client, with the secret params it left out or left at
    :data:`SECRET_SET` taken from the saved version (same node id and type)."""
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return graph
    saved = {
        (n.get("id"), n.get("type")): n.get("params")
        for n in (previous or {}).get("nodes", [])
        if isinstance(n, dict)
    }
    nodes = [
        {
            **node,
            "params": restore(
                node["params"], saved.get((node.get("id"), node.get("type"))), _params_schema(node)
            ),
        }
        if isinstance(node, dict) and isinstance(node.get("params"), dict)
        else node
        for node in graph["nodes"]
    ]
    return {**graph, "nodes": nodes}
