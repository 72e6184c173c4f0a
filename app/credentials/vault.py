"""Encryption of credentials at rest (Fernet), under keys kept outside the database.

The keys come from ``SHOPWIRE_VAULT_KEY`` (comma-separated, newest first) or, on a single
machine, from ``vault.key`` in the data directory (one key a line, newest first), created on
first use with owner-only permissions. The newest key encrypts; every listed key decrypts, so
during a rotation (:func:`rotate`) credentials under the old key stay readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select, update

from app.extensions import db, per_app

ROTATE_BATCH = 200


class VaultError(Exception):
    pass


class Vault:
    """The app's keys. Built from an instance key file, it notices when another process
    rotated the file: it re-reads the keys before encrypting and when a token does not fit."""

    def __init__(self, keys: list[str], key_file: Path | None = None):
        self._set_keys(keys)
        self._key_file = key_file
        self._mtime = _mtime(key_file)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Vault:
        if config.get("SHOPWIRE_VAULT_KEY"):
            return cls(_split(config["SHOPWIRE_VAULT_KEY"]))
        key_file = Path(config["SHOPWIRE_DATA_DIR"]) / "vault.key"
        return cls(_instance_keys(key_file), key_file)

    @property
    def key_file(self) -> Path | None:
        return self._key_file

    def encrypt(self, data: dict[str, Any]) -> bytes:
        self._reload_if_changed()
        return self._fernet.encrypt(json.dumps(data).encode())

    def decrypt(self, token: bytes) -> dict[str, Any]:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            if self._reload_if_changed():
                return self.decrypt(token)
            raise VaultError("A credential cannot be decrypted with the configured key.") from None

    def is_current(self, token: bytes) -> bool:
        """Whether the token is encrypted under the newest key."""
        try:
            self._newest.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate_token(self, token: bytes) -> bytes:
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise VaultError("A credential cannot be decrypted with the configured key.") from None

    def _set_keys(self, keys: list[str]) -> None:
        if not keys:
            raise VaultError("No vault key is configured.")
        self.keys = keys
        self._newest = Fernet(keys[0])
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def _reload_if_changed(self) -> bool:
        if self._key_file is None or _mtime(self._key_file) == self._mtime:
            return False
        self._mtime = _mtime(self._key_file)
        self._set_keys(_split(self._key_file.read_text()))
        return True


def _split(text: str) -> list[str]:
    return [k.strip() for k in text.replace(",", "\n").splitlines() if k.strip()]


def _mtime(path: Path | None) -> int | None:
    try:
        return None if path is None else path.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _instance_keys(path: Path) -> list[str]:
    """The data directory's keys, created on first use. Written to a private temporary file and
    linked into place, so processes starting together all end up with the same, whole key."""
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            _write_private(path, [Fernet.generate_key().decode()], replace=False)
    return _split(path.read_text())


def _write_private(path: Path, keys: list[str], *, replace: bool) -> None:
    """Write ``keys`` to ``path`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vault.key.")
    try:
        with os.fdopen(fd, "w") as file:
            file.write("\n".join(keys) + "\n")
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def vault() -> Vault:
    """The app's vault, built once from its config."""
    return per_app("shopwire_vault", lambda: Vault.from_config(current_app.config))


def rotate() -> int:
    """Re-encrypt every secret under the newest key; return how many were re-encrypted.

    With an instance key file, a new key is generated and put first (the old ones stay listed,
    so every process keeps reading everything meanwhile), and the old keys are dropped once no
    secret needs them. With ``SHOPWIRE_VAULT_KEY``, the operator puts the new key first, runs
    this, then removes the old one from the environment.
    """
    from app.models import AlertSettings, Credential, WebhookEndpoint

    current = vault()
    if current.key_file is not None:
        _write_private(
            current.key_file, [Fernet.generate_key().decode(), *current.keys], replace=True
        )
        current._reload_if_changed()
    rotated = _rotate_column(current, Credential.id, Credential.secret, Credential.updated_at)
    rotated += _rotate_column(current, WebhookEndpoint.token, WebhookEndpoint.subscription)
    rotated += _rotate_column(current, AlertSettings.merchant_id, AlertSettings.webhook)
    if current.key_file is not None and len(current.keys) > 1:
        _write_private(current.key_file, current.keys[:1], replace=True)
        current._reload_if_changed()
    return rotated


def _rotate_column(current: Vault, key, column, kept_timestamp=None) -> int:
    """Re-encrypt one encrypted column (credentials' data, provider subscriptions)."""
    table, rotated = key.class_, 0
    kept = {kept_timestamp.key: kept_timestamp} if kept_timestamp is not None else {}
    while True:
        # A row saved meanwhile by a process that still had the old key is caught by the
        # next pass; the conditional UPDATE never overwrites such a change.
        stale = [
            (row_key, token)
            for row_key, token in db.session.execute(select(key, column).where(column.is_not(None)))
            if not current.is_current(token)
        ]
        if not stale:
            return rotated
        for start in range(0, len(stale), ROTATE_BATCH):
            for row_key, token in stale[start : start + ROTATE_BATCH]:
                rotated += db.session.execute(
                    update(table)
                    .where(key == row_key, column == token)
                    .values({column.key: current.rotate_token(token), **kept})
                    .execution_options(synchronize_session=False)
                ).rowcount
            db.session.commit()
