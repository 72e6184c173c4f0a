"""The English and German texts of a package's nodes, kept together in its ``texts.json``.

Titles and descriptions are what translators and writers change, side by side in both
languages, without touching the code: ``{"<node key>": {"title": {"en", "de"},
"description": {"en", "de"}}}``, the connector itself under its key. A declaration may still
give ``title=`` and ``description=`` itself (an outside package, a test's own node).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def _catalog(package: str) -> dict[str, Any]:
    found = resources.files(f"nodes.{package}").joinpath("texts.json")
    return json.loads(found.read_text()) if found.is_file() else {}


def texts(key: str) -> dict[str, dict[str, str]]:
    """``{"title": …, "description": …}`` of node or connector ``key``."""
    package = key.split(".", 1)[0]
    found = _catalog(package).get(key)
    if found is None:
        raise LookupError(
            f"{key} has no title and description: add them to nodes/{package}/texts.json "
            "(or give title= and description= in its declaration)."
        )
    return found
