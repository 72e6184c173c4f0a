"""Registration and look-up of node types.

Nodes register themselves with the :func:`node` decorator when their module is imported; the
modules that ship with Shopwire are listed in ``BUILTIN_MODULES`` and imported by
:func:`load_builtins`. No directory scanning: the list is the table of contents.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nodes.base import (
    AuthTestFunction,
    DescribeOutput,
    EventIdFunction,
    Kind,
    NodeSpec,
    RetryPolicy,
    RunFunction,
    VerifyFunction,
)

BUILTIN_MODULES = (
    "nodes.core.triggers",
    "nodes.core.transforms",
    "nodes.core.http_request",
)

_specs: dict[tuple[str, int], NodeSpec] = {}


class UnknownNode(LookupError):
    pass


def node(
    key: str,
    *,
    version: int = 1,
    kind: Kind,
    title: dict[str, str],
    description: dict[str, str],
    params: dict[str, Any],
    output_schema: dict[str, Any],
    output_example: Any,
    ports: tuple[str, ...] = ("main",),
    retry: RetryPolicy | None = None,
    auth: dict[str, Any] | None = None,
    auth_test: AuthTestFunction | None = None,
    webhook: bool = False,
    verify: VerifyFunction | None = None,
    event_id: EventIdFunction | None = None,
    describe_output: DescribeOutput | None = None,
) -> Callable[[RunFunction], RunFunction]:
    """Declare the decorated function as the ``run`` of node type ``key`` at ``version``."""

    def register(run: RunFunction) -> RunFunction:
        spec = NodeSpec(
            key=key,
            version=version,
            kind=kind,
            title=title,
            description=description,
            params=params,
            output_schema=output_schema,
            output_example=output_example,
            run=run,
            ports=ports,
            retry=retry or RetryPolicy(),
            auth=auth,
            auth_test=auth_test,
            webhook=webhook,
            verify=verify,
            event_id=event_id,
            describe_output=describe_output,
        )
        if (key, version) in _specs:
            raise ValueError(f"node {key} v{version} is registered twice")
        _specs[(key, version)] = spec
        return run

    return register


_loaded = False


def load_builtins() -> None:
    global _loaded
    if not _loaded:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _loaded = True


def get(key: str, version: int) -> NodeSpec:
    load_builtins()
    try:
        return _specs[(key, version)]
    except KeyError:
        raise UnknownNode(f"{key} v{version}") from None


def versions(key: str) -> list[int]:
    load_builtins()
    return sorted(v for k, v in _specs if k == key)


def catalog() -> list[dict[str, Any]]:
    """Every registered node type, newest version first within a key, for the editor."""
    load_builtins()
    ordered = sorted(_specs.values(), key=lambda s: (s.kind, s.key, -s.version))
    return [spec.describe() for spec in ordered]


@dataclass(frozen=True)
class ConnectorAuth:
    """What a connector declares about its accounts: the auth JSON Schema and, optionally,
    a connection test."""

    schema: dict[str, Any]
    test: AuthTestFunction | None = None


def connector_auth(connector: str) -> ConnectorAuth | None:
    """The auth declaration of a connector, or None if it needs no account.

    The one place that knows where auth is declared (today: on the connector's node types).
    """
    load_builtins()
    specs = sorted(
        (s for s in _specs.values() if s.connector_key == connector and s.auth),
        key=lambda s: (s.key, -s.version),
    )
    if not specs:
        return None
    test = next((s.auth_test for s in specs if s.auth_test), None)
    return ConnectorAuth(specs[0].auth, test)
