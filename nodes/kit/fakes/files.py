"""A file store in memory, for running a node without the app (``FakeProvider.run``).

The app's store (``app/runtime/files.py``) is what flows use; this one keeps the same promise
within one test: a file is read back by the execution that saved it, any other reads as missing.
"""

from __future__ import annotations

import itertools
from contextlib import contextmanager

from nodes.kit import files
from nodes.kit.base import NodeContext


class MemoryFiles:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[str, bytes, str, str]] = {}
        self._ids = itertools.count(1)

    def save(self, ctx: NodeContext, data: bytes, filename: str, media_type: str) -> str:
        file_id = f"file_{next(self._ids)}"
        self.saved[file_id] = (ctx.execution_id, data, filename, media_type)
        return file_id

    def read(self, ctx: NodeContext, file_id: str) -> bytes | None:
        owner, data, _filename, _media_type = self.saved.get(file_id, (None, None, "", ""))
        return data if owner == ctx.execution_id else None


@contextmanager
def memory_files():
    """Install a fresh in-memory store for the duration of a test."""
    store = MemoryFiles()
    previous = files.install(store)
    try:
        yield store
    finally:
        files.install(previous)
