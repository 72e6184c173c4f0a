"""A step brought in from another tool that Shopwire has no counterpart for (yet).

It keeps the original settings for the merchant to read, and fails when it runs, so an imported
flow never seems to work while a step of it does nothing.
"""

from __future__ import annotations

from typing import Any

from nodes.kit.base import NodeContext, UserError
from nodes.kit.registry import node


@node(
    "core.placeholder",
    kind="action",
    title={"en": "Placeholder (replace me)", "de": "Platzhalter (bitte ersetzen)"},
    description={
        "en": "Stands in for a step of an imported workflow that has no Shopwire step. Replace "
        "it before switching the flow on; it stops the flow when it runs.",
        "de": "Steht für einen Schritt eines importierten Ablaufs, zu dem es keinen "
        "Shopwire-Schritt gibt. Ersetzen Sie ihn vor dem Einschalten; er hält den Ablauf an.",
    },
    params={
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "source": {"type": "string", "title": "Imported from"},
            "original_type": {"type": "string", "title": "Original step type"},
            "settings": {"type": "object", "title": "Original settings"},
        },
    },
    output_schema={"type": "object"},
    output_example={},
)
def placeholder(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    raise UserError(
        f"This step was imported from {params.get('source', 'another tool')} "
        f"({params.get('original_type', 'unknown step')}) and has no Shopwire counterpart: "
        "replace it with a Shopwire step or remove it."
    )
