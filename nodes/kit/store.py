"""What a node may remember between executions, as an interface the app provides.

Nodes stay plain Python: they talk to this protocol, and the app installs the database-backed
implementation when it starts (``app/runtime/node_store.py``). Tests of a node use the real one too.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

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
