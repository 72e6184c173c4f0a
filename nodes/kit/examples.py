"""Real example payloads shipped with the connectors (copied from vendors' docs and SDK tests).

Each connector package keeps them in its ``examples/`` folder, with a ``SOURCES.md`` that says
where every file comes from. They are the triggers' and actions' ``output_example`` (the
editor's sample data before a flow has run) and what the connector's fake answers with.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def example_bytes(connector: str, filename: str) -> bytes:
    """The bytes of ``nodes/<connector>/examples/<filename>``, exactly as stored."""
    return resources.files(f"nodes.{connector}").joinpath("examples", filename).read_bytes()


def example(connector: str, name: str) -> Any:
    """A fresh copy of ``nodes/<connector>/examples/<name>.json``."""
    return json.loads(example_bytes(connector, f"{name}.json"))
