"""The English and German texts of a package's nodes, kept together in its ``texts.json``.

Titles and descriptions are what translators and writers change, side by side in both
languages, without touching the code: ``{"<node key>": {"title": {"en", "de"},
"description": {"en", "de"}}}``, the connector itself under its key. A declaration may still
give ``title=`` and ``description=`` itself (an outside package, a test's own node).

The titles and descriptions inside params and account schemas are English in the code; each
other language has ``params.<lang>.json`` beside it, ``{"<English text>": "<translation>"}``,
applied where the editor is served the catalog (:func:`localized_schema`).
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


@cache
def param_texts(package: str, lang: str) -> dict[str, str]:
    try:
        found = resources.files(f"nodes.{package}").joinpath(f"params.{lang}.json")
    except ModuleNotFoundError:  # a connector from an outside package
        return {}
    return json.loads(found.read_text()) if found.is_file() else {}


def localized_schema(schema: Any, package: str, lang: str) -> Any:
    """A params or account schema with its titles and descriptions in ``lang``; a text without
    a translation stays English."""
    texts = param_texts(package, lang) if lang != "en" else {}
    if not texts:
        return schema

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: texts.get(item, item)
                if key in ("title", "description") and isinstance(item, str)
                else walk(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    return walk(schema)
