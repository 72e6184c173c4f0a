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

from nodes.kit.base import (
    Connector,
    Control,
    DescribeOutput,
    EventIdFunction,
    IgnoreFunction,
    Kind,
    NodeSpec,
    PortsFrom,
    RetryPolicy,
    RunFunction,
    SubscribeFunction,
    UnsubscribeFunction,
    VerifyFunction,
)

BUILTIN_MODULES = (
    "nodes.core.triggers",
    "nodes.core.transforms",
    "nodes.core.http_request",
    "nodes.stripe",
    "nodes.shopify",
    "nodes.core.control",
    "nodes.woocommerce",
    "nodes.shopware",
    "nodes.paypal",
    "nodes.mollie",
    "nodes.klarna",
    "nodes.core.set",
    "nodes.core.formatting",
    "nodes.core.deduplicate",
    "nodes.core.schedule",
    "nodes.core.poll_http",
    "nodes.core.placeholder",
)

_specs: dict[tuple[str, int], NodeSpec] = {}
_connectors: dict[str, Connector] = {}


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
    ports_from: PortsFrom | None = None,
    control: Control | None = None,
    retry: RetryPolicy | None = None,
    connector: Connector | None = None,
    auth: dict[str, Any] | None = None,
    webhook: bool = False,
    pure: bool = False,
    verify: VerifyFunction | None = None,
    event_id: EventIdFunction | None = None,
    ignore: IgnoreFunction | None = None,
    subscribe: SubscribeFunction | None = None,
    unsubscribe: UnsubscribeFunction | None = None,
    setup: dict[str, str] | None = None,
    fetches: bool = False,
    fetched_event_id: Callable[[Any], str | None] | None = None,
    describe_output: DescribeOutput | None = None,
) -> Callable[[RunFunction], RunFunction]:
    """Declare the decorated function as the ``run`` of node type ``key`` at ``version``.

    A connector's nodes are declared through :meth:`Connector.action` and
    :meth:`Connector.trigger`, which call this with ``connector`` set; ``auth`` is only for a
    node without a connector (the generic webhook's shared secret).
    """
    if connector is not None:
        known = _connectors.setdefault(connector.key, connector)
        if known is not connector:
            raise ValueError(f"connector {connector.key} is declared twice")

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
            ports_from=ports_from,
            control=control,
            retry=retry or RetryPolicy(),
            connector=connector,
            own_auth=auth,
            webhook=webhook,
            pure=pure,
            verify=verify,
            event_id=event_id,
            ignore=ignore,
            subscribe=subscribe,
            unsubscribe=unsubscribe,
            setup=setup,
            fetches=fetches,
            fetched_event_id=fetched_event_id,
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


def connector(key: str) -> Connector | None:
    load_builtins()
    return _connectors.get(key)


def connectors() -> list[dict[str, Any]]:
    """Every declared external system, for the editor's account forms and the docs."""
    load_builtins()
    return [c.describe() for c in sorted(_connectors.values(), key=lambda c: c.key)]


@dataclass(frozen=True)
class ConnectorAuth:
    """What a merchant's account for a connector is: its JSON Schema, and the connector
    itself when it is one (its API and its "Test connection" request)."""

    schema: dict[str, Any]
    connector: Connector | None = None

    @property
    def test(self) -> Callable | None:
        return self.connector.test if self.connector else None


def connector_auth(key: str) -> ConnectorAuth | None:
    """The account declaration for ``key``, or None if it needs no account.

    The one place that knows where auth is declared: on a ``Connector``, or on the one core
    node that carries its own (the generic webhook's shared secret).
    """
    load_builtins()
    if found := _connectors.get(key):
        return ConnectorAuth(found.auth, found) if found.auth else None
    schema = next((s.auth for s in _specs.values() if s.connector_key == key and s.auth), None)
    return ConnectorAuth(schema) if schema else None
