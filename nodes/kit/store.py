"""What a node may remember between executions, as an interface the app provides.

Nodes stay plain Python: they talk to this protocol, and the app installs the database-backed
implementation when it starts (``app/runtime/node_store.py``). Tests of a node use the real one too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from nodes.kit.base import NodeContext, NodeError


class SeenItems(Protocol):
    def first_sightings(self, ctx: NodeContext, keys: list[str], window: timedelta) -> list[bool]:
        """For each key (distinct), whether this step is the first to see it within
        ``window``; remembers the ones it is. Race-safe: of two workers seeing a key at once,
        exactly one gets True. The same step run again (a retry, a resumed execution) still
        gets True for the keys it claimed before."""
        ...


_seen_items: SeenItems | None = None


def install(seen_items: SeenItems) -> None:
    global _seen_items
    _seen_items = seen_items


def seen_items() -> SeenItems:
    if _seen_items is None:
        raise NodeError("This step needs the database and cannot run here.")
    return _seen_items


class TriggerStore:
    """What a polling trigger remembers from one poll to the next (its cursor): ``ctx.store``.

    The app hands in what was stored and keeps what the poll :meth:`set` only after the
    executions for the items it found are committed, so a crash in between polls again from
    the old cursor (and the items' dedupe keys stop repeats)."""

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        self._values = dict(stored or {})
        self.changed: dict[str, Any] = {}

    def get(self, name: str, default: Any = None) -> Any:
        return self._values.get(name, default)

    def set(self, name: str, value: Any) -> None:
        if self._values.get(name) != value:
            self._values[name] = value
            self.changed[name] = value
