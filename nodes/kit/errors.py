"""Where a provider says what went wrong in an error body, declared as paths into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jmespath


@dataclass(frozen=True)
class ErrorBody:
    """JMESPath expressions into the provider's error body.

    ``message`` is one expression or several tried in order (the first that finds something
    wins; a list found is joined with "; "); ``field`` names the parameter at fault, ``code``
    the provider's error code, ``reference`` an id to quote to its support (a debug id).
    """

    message: str | tuple[str, ...]
    field: str | None = None
    code: str | None = None
    reference: str | None = None

    def text(self, provider: str, body: Any) -> str | None:
        """ "<provider> says: <message> (field f) (code) [reference r]", or None."""
        if not isinstance(body, dict):
            return None
        paths = (self.message,) if isinstance(self.message, str) else self.message
        message = next((found for path in paths if (found := _find(path, body))), None)
        if not message:
            return None
        text = f"{provider} says: {message}"
        if self.field and (field := _find(self.field, body)):
            text += f" (field {field})"
        if self.code and (code := _find(self.code, body)):
            text += f" ({code})"
        if self.reference and (reference := _find(self.reference, body)):
            text += f" [{self.reference.rsplit('.', 1)[-1]} {reference}]"
        return text


def _find(path: str, body: dict[str, Any]) -> str | None:
    found = jmespath.search(path, body)
    if isinstance(found, list):
        found = "; ".join(str(item) for item in found if item not in (None, ""))
    return str(found) if found not in (None, "", {}) else None
