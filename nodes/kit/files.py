"""Files a step makes or reads (a shipping label, an invoice PDF), as an interface the app provides.

A step never puts a file's bytes in its output: it saves them with :func:`save` and returns the
reference it gets, ``{"file": "<id>", "filename": "RE-1001.pdf", "media_type":
"application/pdf", "size": 18231}``. Later steps map that reference into a parameter (an
e-mail's attachments, an HTTP request's body) and :func:`read` it back. The app installs the
storage when it starts (``app/runtime/files.py``): the data directory or an S3 bucket, every file
owned by the shop whose execution saved it, and a reference from another shop reads as missing.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from nodes.kit.base import NodeContext, NodeError, UserError

# What a file parameter or output looks like, for params and output schemas.
FILE_REFERENCE = {
    "type": "object",
    "title": "File",
    "description": "A file an earlier step saved (a label, an invoice PDF).",
    "required": ["file", "filename", "media_type", "size"],
    "properties": {
        "file": {"type": "string", "title": "File id"},
        "filename": {"type": "string", "title": "File name"},
        "media_type": {"type": "string", "title": "Media type"},
        "size": {"type": "integer", "minimum": 0, "title": "Size in bytes"},
    },
}


class FileStore(Protocol):
    def save(self, ctx: NodeContext, data: bytes, filename: str, media_type: str) -> str:
        """Keep ``data`` for the shop of ``ctx``'s execution; return the file's id. Raises a
        UserError naming the limit when the file is larger than the store accepts."""
        ...

    def read(self, ctx: NodeContext, file_id: str) -> bytes | None:
        """The bytes of the shop's file ``file_id``, or None when the shop has no such file."""
        ...


_store: FileStore | None = None


def install(store: FileStore | None) -> FileStore | None:
    """Use ``store`` from now on; returns the one it replaces."""
    global _store
    previous, _store = _store, store
    return previous


def _installed() -> FileStore:
    if _store is None:
        raise NodeError("This step keeps files and cannot run here.")
    return _store


def save(ctx: NodeContext, data: bytes, filename: str, media_type: str) -> dict[str, Any]:
    """Keep a file this step made; return the reference its output carries."""
    filename = clean_filename(filename)
    file_id = _installed().save(ctx, data, filename, media_type)
    return {"file": file_id, "filename": filename, "media_type": media_type, "size": len(data)}


def clean_filename(filename: str) -> str:
    """The last part of a name, without control characters, at most 255 characters: a name a
    provider sent must not reach outside a folder or split a header."""
    last = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", last).strip()
    return (name or "file")[-255:]


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("file"), str) and "filename" in value


def read(ctx: NodeContext, reference: Any, field: str) -> bytes:
    """The bytes behind a reference that parameter ``field`` holds."""
    if not is_reference(reference):
        raise UserError(
            "This is not a file: map the file an earlier step returned "
            '(an object with "file" and "filename").',
            field=field,
        )
    data = _installed().read(ctx, reference["file"])
    if data is None:
        raise UserError(
            f"The file {reference['filename']} is gone: it belongs to another shop or was "
            "deleted with its execution. Run the step that makes it again.",
            field=field,
        )
    return data
