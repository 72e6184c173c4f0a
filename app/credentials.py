"""Reading a merchant's credentials for the engine and ingress."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Credential
from app.vault import vault


def decrypted(merchant_id: int, credential_id: str | None) -> dict[str, Any] | None:
    """The credential's data, only if it belongs to this merchant."""
    if not credential_id:
        return None
    secret = db.session.scalar(
        select(Credential.secret).filter_by(id=credential_id, merchant_id=merchant_id)
    )
    return None if secret is None else vault().decrypt(secret)
