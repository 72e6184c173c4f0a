"""Credentials: connector auth, encrypted at rest with the vault key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import new_id, utcnow


class Credential(db.Model):
    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    connector: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token of the JSON data
    # "ok", or "reconnect" when an OAuth refresh was refused: the merchant must sign in again.
    status: Mapped[str] = mapped_column(String(16), default="ok", server_default="ok")
    status_message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
