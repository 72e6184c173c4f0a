"""Files steps saved (labels, invoice PDFs): who owns them and where their bytes are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import new_id, utcnow


class StoredFile(db.Model):
    """One file; its bytes are in the file storage under :attr:`key`, never in the database."""

    __tablename__ = "files"
    __table_args__ = (Index("ix_files_execution", "execution_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    execution_id: Mapped[str] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def key(self) -> str:
        return storage_key(self.merchant_id, self.id)


def storage_key(merchant_id: int, file_id: str) -> str:
    """Where a file's bytes live: below its shop, so a listing never mixes shops."""
    return f"{merchant_id}/{file_id}"
