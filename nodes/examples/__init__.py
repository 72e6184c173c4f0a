"""Real example payloads shipped with the connectors (copied from vendors' docs and SDK tests).

They are each trigger's and action's ``output_example``: the editor's sample data before a
flow has run. Where each file comes from is listed in ``SOURCES.md`` beside them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _text(connector: str, name: str) -> str:
    return resources.files(__package__).joinpath(connector, f"{name}.json").read_text()


def example(connector: str, name: str) -> Any:
    """A fresh copy of ``examples/<connector>/<name>.json``."""
    return json.loads(_text(connector, name))
