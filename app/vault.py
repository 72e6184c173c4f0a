"""Encryption of credentials at rest (Fernet), under a key kept outside the database.

The key comes from ``SHOPWIRE_VAULT_KEY`` or, on a single machine, from ``vault.key`` in the
data directory, created on first use with owner-only permissions.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class VaultError(Exception):
    pass


class Vault:
    def __init__(self, keys: list[str]):
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Vault:
        keys = config.get("SHOPWIRE_VAULT_KEY") or _instance_key(config["SHOPWIRE_DATA_DIR"])
        return cls([k.strip() for k in keys.split(",") if k.strip()])

    def encrypt(self, data: dict[str, Any]) -> bytes:
        return self._fernet.encrypt(json.dumps(data).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise VaultError("A credential cannot be decrypted with the configured key.") from None


def _instance_key(data_dir: str) -> str:
    """The data directory's key, created on first use. Written to a private temporary file and
    linked into place, so processes starting together all end up with the same, whole key."""
    path = Path(data_dir) / "vault.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vault.key.")
        try:
            with os.fdopen(fd, "w") as file:
                file.write(Fernet.generate_key().decode())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            os.unlink(temporary)
    return path.read_text()


def vault() -> Vault:
    """The app's vault, built once from its config."""
    extensions = current_app.extensions
    if "shopwire_vault" not in extensions:
        extensions["shopwire_vault"] = Vault.from_config(current_app.config)
    return extensions["shopwire_vault"]
