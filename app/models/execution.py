"""Executions, their step runs, and webhook deliveries that were turned away."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import new_id, utcnow

STATUSES = ("queued", "running", "succeeded", "failed", "waiting", "cancelled")


class Execution(db.Model):
    """One run of one flow version, from the event that started it to its end.

    The row is written with the raw event before the webhook is acknowledged: the database is
    the source of truth, the queue only carries the id.
    """

    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("flow_id", "dedupe_key", name="uq_executions_flow_dedupe"),
        Index("ix_executions_merchant_created", "merchant_id", "created_at"),
        Index("ix_executions_flow_created", "flow_id", "created_at"),
        Index("ix_executions_status_lease", "status", "lease_until"),
        Index("ix_executions_status_queued", "status", "queued_at"),
        Index("ix_executions_merchant_status_queued", "merchant_id", "status", "queued_at"),
        Index("uq_executions_flow_signed_body", "flow_id", "signed_body", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("flow_versions.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    mode: Mapped[str] = mapped_column(String(16), default="webhook")
    dedupe_key: Mapped[str | None] = mapped_column(String(255))
    # The SHA-256 of a signed delivery's body: a replay under a new (unsigned) delivery id is
    # the same event, and runs once.
    signed_body: Mapped[str | None] = mapped_column(String(64))
    # The execution whose event this one runs again (against a newer flow version); not a
    # foreign key, since purging old executions must not touch their re-runs.
    rerun_of: Mapped[str | None] = mapped_column(String(36))
    raw_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    runs: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]

    steps: Mapped[list[StepRun]] = relationship(
        order_by="StepRun.id", cascade="all, delete-orphan", passive_deletes=True
    )


NO_ITEM = -1  # the ``item`` of a step that runs once per execution, outside any split


class StepRun(db.Model):
    """What one node did in one execution (for one item of a split). Written once, when the
    step finishes."""

    __tablename__ = "step_runs"
    __table_args__ = (
        UniqueConstraint(
            "execution_id", "node_id", "item", name="uq_step_runs_execution_node_item"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    execution_id: Mapped[str] = mapped_column(ForeignKey("executions.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[int] = mapped_column(default=NO_ITEM, server_default=str(NO_ITEM))
    status: Mapped[str] = mapped_column(String(16))
    input: Mapped[Any] = mapped_column(JSON)
    output: Mapped[Any] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0)
    ports: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class RejectedEvent(db.Model):
    """A webhook delivery that was refused (bad body, bad signature): kept for the merchant."""

    __tablename__ = "rejected_events"
    __table_args__ = (Index("ix_rejected_merchant_received", "merchant_id", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    reason: Mapped[str] = mapped_column(String(1000))
    content_type: Mapped[str | None] = mapped_column(String(255))
    headers: Mapped[dict[str, str]] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
