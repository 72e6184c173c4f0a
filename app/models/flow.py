"""Flows, their immutable versions, and the webhook endpoints of their triggers."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import new_id, utcnow


class Flow(db.Model):
    __tablename__ = "flows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=False)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("flow_versions.id", use_alter=True, name="fk_flows_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None]

    current_version: Mapped[FlowVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    endpoints: Mapped[list[WebhookEndpoint]] = relationship(back_populates="flow")


class FlowVersion(db.Model):
    """A saved state of a flow. Never changed after it is written; executions point at it."""

    __tablename__ = "flow_versions"
    # Workers cache parsed versions by id, so an id must never be reused, not even by SQLite.
    __table_args__ = (UniqueConstraint("flow_id", "number"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(db.Model):
    """The secret URL token of one trigger node; stable across versions and re-activation."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("flow_id", "node_id"),)

    token: Mapped[str] = mapped_column(
        String(64), primary_key=True, default=lambda: secrets.token_urlsafe(24)
    )
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    # What the provider answered when the trigger registered this URL with it (its webhook id,
    # often a signing secret): a Fernet token like a credential's.
    subscription: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    flow: Mapped[Flow] = relationship(back_populates="endpoints")
