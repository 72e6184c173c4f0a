"""What nodes remember between executions: items a deduplicate step has seen, and small
named values such as a polling trigger's cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class SeenItem(db.Model):
    """One key a deduplicate step has let through. The unique constraint is what makes two
    workers that see the same key at once agree: exactly one insert wins."""

    __tablename__ = "seen_items"
    __table_args__ = (
        UniqueConstraint("flow_id", "node_id", "key_hash", name="uq_seen_items_key"),
        Index("ix_seen_items_seen", "flow_id", "node_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the key: any length fits
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The step (execution:node) that let it through, so that step can run again after a crash
    # or a retry and still count the item as new.
    seen_by: Mapped[str] = mapped_column(String(200))


class NodeState(db.Model):
    """A named value one node of one flow keeps across executions and restarts."""

    __tablename__ = "node_state"
    __table_args__ = (UniqueConstraint("flow_id", "node_id", "name", name="uq_node_state_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # as 0005 created it
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
