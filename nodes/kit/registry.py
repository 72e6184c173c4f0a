"""Registration, discovery and look-up of node types.

Nodes register themselves with the :func:`node` decorator when their module is imported.
:func:`load_builtins` imports the core nodes (the modules of ``nodes.core``), every connector
package under ``nodes/`` (a package named for its connector's key) and every package that an
installed distribution names in the ``shopwire.connectors`` entry-point group (``key =
module``). A connector whose package cannot be imported (an optional dependency missing) is
listed as unavailable with the reason; the others load. Connectors an operator disabled
(:func:`configure`) are neither listed nor found.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import nodes
from nodes.kit.base import Connector, NodeSpec, RetryPolicy, RunFunction
from nodes.kit.examples import schema_of
from nodes.kit.texts import texts

log = logging.getLogger("shopwire.nodes")

ENTRY_POINTS = "shopwire.connectors"
# Packages under nodes/ that are not connectors: the engine, the kit, the core nodes.
NOT_CONNECTORS = {"engine", "kit", "core"}

_specs: dict[tuple[str, int], NodeSpec] = {}
_connectors: dict[str, Connector] = {}
_unavailable: dict[str, str] = {}
_disabled: frozenset[str] = frozenset()


class UnknownNode(LookupError):
    pass


def node(
    key: str,
    *,
    version: int = 1,
    retry: RetryPolicy | None = None,
    auth: dict[str, Any] | None = None,
    **declaration: Any,
) -> Callable[[RunFunction], RunFunction]:
    """Declare the decorated function as the ``run`` of node type ``key`` at ``version``;
    ``declaration`` holds the :class:`NodeSpec` fields. Without an ``output_schema``, the
    one the ``output_example`` fits is used.

    A connector's nodes are declared through :meth:`Connector.action` and
    :meth:`Connector.trigger`, which call this with ``connector`` set; ``auth`` is only for a
    node without a connector (the generic webhook's shared secret).
    """
    if "title" not in declaration:
        declaration |= texts(key)
    if "output_schema" not in declaration:
        declaration["output_schema"] = schema_of(declaration["output_example"])
    connector = declaration.get("connector")
    if connector is not None:
        known = _connectors.setdefault(connector.key, connector)
        if known is not connector:
            raise ValueError(f"connector {connector.key} is declared twice")

    def register(run: RunFunction) -> RunFunction:
        if (key, version) in _specs:
            raise ValueError(f"node {key} v{version} is registered twice")
        _specs[(key, version)] = NodeSpec(
            key=key,
            version=version,
            run=run,
            retry=retry or RetryPolicy(),
            own_auth=auth,
            **declaration,
        )
        return run

    return register


def configure(disabled: set[str] | frozenset[str] = frozenset()) -> None:
    """Hide the connectors an operator switched off (``SHOPWIRE_CONNECTORS_DISABLED``)."""
    global _disabled
    _disabled = frozenset(disabled)


_loading = threading.RLock()
_started = False
_loaded = False


def load_builtins() -> None:
    """Load the core nodes and every connector, once per process. A web process's first
    requests arrive together: the others wait for the whole registry. The loading thread
    itself may ask the registry again while a module is imported, and goes on."""
    global _started, _loaded
    if _loaded:
        return
    with _loading:
        if _started:
            return
        _started = True
        _load_all()
        _loaded = True


def _load_all() -> None:
    for module in pkgutil.iter_modules(importlib.import_module("nodes.core").__path__):
        importlib.import_module(f"nodes.core.{module.name}")
    packages = {
        package.name: f"nodes.{package.name}"
        for package in pkgutil.iter_modules(nodes.__path__)
        if package.ispkg and package.name not in NOT_CONNECTORS
    }
    packages |= {point.name: point.value for point in entry_points(group=ENTRY_POINTS)}
    for key, module in sorted(packages.items()):
        load_connector(key, module)


def load_connector(key: str, module: str) -> None:
    """Import the package that declares connector ``key``, and add what every connector
    has (its API call action, its any-event trigger); a failed import is kept as the reason
    the connector is unavailable."""
    try:
        loaded = importlib.import_module(module)
    except ImportError as error:
        _unavailable[key] = f"{module} cannot be imported: {error}"
        log.warning("connector %s is unavailable: %s", key, _unavailable[key])
        return
    declared = [v for v in vars(loaded).values() if isinstance(v, Connector) and v.key == key]
    if not declared:
        _unavailable[key] = f"{module} declares no connector with the key {key}."
        return
    _connectors.setdefault(key, declared[0])
    from nodes.kit.common import declare_common  # declares nodes through this module

    declare_common(_connectors[key])


def unavailable() -> dict[str, str]:
    """Connectors that could not be loaded, with the reason, by key."""
    load_builtins()
    return {key: reason for key, reason in _unavailable.items() if key not in _disabled}


def _enabled(spec: NodeSpec) -> bool:
    return spec.connector_key not in _disabled


def get(key: str, version: int) -> NodeSpec:
    load_builtins()
    spec = _specs.get((key, version))
    if spec is None or not _enabled(spec):
        raise UnknownNode(f"{key} v{version}")
    return spec


def versions(key: str) -> list[int]:
    load_builtins()
    return sorted(v for (k, v), spec in _specs.items() if k == key and _enabled(spec))


def catalog() -> list[dict[str, Any]]:
    """Every registered node type, newest version first within a key, for the editor."""
    load_builtins()
    enabled = filter(_enabled, _specs.values())
    ordered = sorted(enabled, key=lambda s: (s.kind, s.key, -s.version))
    return [spec.describe() for spec in ordered]


def connector(key: str) -> Connector | None:
    load_builtins()
    return None if key in _disabled else _connectors.get(key)


def connectors() -> list[Connector]:
    """Every enabled connector, by key."""
    load_builtins()
    return [_connectors[key] for key in sorted(_connectors) if key not in _disabled]


def webhook_headers() -> set[str]:
    """The headers every connector's webhooks declare worth keeping with a rejected delivery
    (signature, event type, delivery id), lower case: never credentials."""
    hooks = [c.webhooks for c in connectors() if c.webhooks]
    return {name.lower() for webhooks in hooks for name in webhooks.headers}


def forget_connector(key: str) -> None:
    """Remove a connector and its nodes (a test's own connector, once the test is done)."""
    _connectors.pop(key, None)
    for spec_key in [k for k, spec in _specs.items() if spec.connector_key == key]:
        del _specs[spec_key]


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
    if found := connector(key):
        return ConnectorAuth(found.auth, found) if found.auth else None
    specs = filter(_enabled, _specs.values())
    schema = next((s.auth for s in specs if s.connector_key == key and s.auth), None)
    return ConnectorAuth(schema) if schema else None
