"""Every title and description in the built-in nodes' parameter and account forms has its German
text, and the editor is served them in its language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nodes
from nodes.kit import registry
from nodes.kit.texts import param_texts


def _texts(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        own = {v for k, v in schema.items() if k in ("title", "description") and isinstance(v, str)}
        return own.union(*(_texts(v) for k, v in schema.items() if k != "x-enum-titles"))
    if isinstance(schema, list):
        return set().union(*(_texts(v) for v in schema))
    return set()


BUILT_IN = Path(nodes.__file__).parent


def test_every_parameter_text_has_a_german_one():
    untranslated = {
        (node["key"], text)
        for node in registry.catalog()
        if (BUILT_IN / node["key"].split(".", 1)[0] / "texts.json").exists()
        for schema in (node["params"], node["auth"])
        for text in _texts(schema)
        if text not in param_texts(node["key"].split(".", 1)[0], "de")
    }
    assert not untranslated, sorted(untranslated)


def test_the_editor_gets_the_forms_in_its_language(api):
    german = api.get("/api/nodes", headers={"Accept-Language": "de"}).get_json()["nodes"]
    request = next(node for node in german if node["key"] == "core.http_request")
    assert request["params"]["properties"]["method"]["title"] == "Methode"
    stripe = next(node for node in german if node["key"] == "stripe.create_refund")
    assert stripe["auth"]["properties"]["api_key"]["title"] == "Geheimer Schlüssel"
    english = api.get("/api/nodes", headers={"Accept-Language": "en"}).get_json()["nodes"]
    request = next(node for node in english if node["key"] == "core.http_request")
    assert request["params"]["properties"]["method"]["title"] == "Method"
