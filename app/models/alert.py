"""Alerts: what a shop wants to hear about (settings), and what it was told (alerts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow


class AlertSettings(db.Model):
    """One row per shop; without one, nothing is sent."""

    __tablename__ = "alert_settings"

    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True
    )
    emails: Mapped[str] = mapped_column(String(1000), default="")  # comma-separated
    # Fernet token of {"url": …}: an incoming-webhook URL is a credential (Slack, Teams).
    webhook: Mapped[bytes | None] = mapped_column(LargeBinary)
    webhook_format: Mapped[str] = mapped_column(String(16), default="slack")  # slack | teams
    language: Mapped[str] = mapped_column(String(2), default="de")
    on_failed_run: Mapped[bool] = mapped_column(default=True)
    on_repeated_failures: Mapped[bool] = mapped_column(default=True)
    on_quiet_trigger: Mapped[bool] = mapped_column(default=True)
    on_account: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Alert(db.Model):
    """Something that broke, noticed once (``key`` names the occurrence), and when each
    channel was told. Alerts not yet told wait for their flow's next digest."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("merchant_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[str | None] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    execution_id: Mapped[str | None] = mapped_column(String(36))
    # failed_run | repeated_failures | quiet_trigger | account
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    since: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    mailed_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]
