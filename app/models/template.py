"""Templates: flows shared without anything of the publisher's shop, their versions, and the
flows installed from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import new_id, utcnow

VISIBILITIES = ("private", "link", "public")
CATEGORIES = (
    "payments",
    "shipping",
    "accounting",
    "marketing",
    "marketplaces",
    "shop",
    "operations",
)


class Template(db.Model):
    """A shared flow. ``private``: the publishing shop only; ``link``: anyone who has its id;
    ``public``: listed in everyone's gallery. Starter templates have no merchant."""

    __tablename__ = "templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int | None] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    # The publisher's flow, so publishing it again makes a new version. Never shown to others.
    source_flow_id: Mapped[str | None] = mapped_column(
        ForeignKey("flows.id", ondelete="SET NULL"), index=True
    )
    # Starter templates shipped in the repository are found again by this name on each setup.
    starter: Mapped[str | None] = mapped_column(String(100), unique=True)
    visibility: Mapped[str] = mapped_column(String(16))
    latest_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[TemplateVersion]] = relationship(
        back_populates="template", order_by="TemplateVersion.number"
    )


class TemplateVersion(db.Model):
    """One published state; never changed. Holds only the sanitized flow."""

    __tablename__ = "template_versions"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    title: Mapped[dict[str, str]] = mapped_column(JSON)  # {"en": …, "de": …}
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(32))
    connectors: Mapped[list[str]] = mapped_column(JSON)
    graph: Mapped[dict[str, Any]] = mapped_column(JSON)
    credential_slots: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)  # a JSON Schema
    targets: Mapped[dict[str, list[str]]] = mapped_column(JSON)  # parameter -> graph pointers
    removed: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # shown to the publisher only
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    template: Mapped[Template] = relationship(back_populates="versions")


class TemplateInstall(db.Model):
    """A flow made from a template, with what the installer chose, so an update keeps it."""

    __tablename__ = "template_installs"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[str] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    flow_id: Mapped[str] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), unique=True)
    version: Mapped[int]
    credentials: Mapped[dict[str, str]] = mapped_column(JSON)  # slot id -> credential id
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
