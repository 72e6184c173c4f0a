"""Merchants (tenants), their users, memberships with a role, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from app.extensions import db
from app.models.base import new_id, utcnow

TOKEN_PREFIX = "sw_"

# Ordered from least to most: a role may do everything the roles before it may.
ROLES = ("viewer", "editor", "owner")

_hasher = PasswordHasher()


def digest(token: str) -> str:
    """Tokens sent to users (API tokens, invitation links) are stored only as their SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def role_allows(role: str | None, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


class Merchant(db.Model):
    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    # Limits; None means the installation's default (SHOPWIRE_* config, see app/ingress/limits.py).
    webhooks_per_minute: Mapped[int | None]
    max_concurrent_executions: Mapped[int | None]
    max_payload_bytes: Mapped[int | None]
    retention_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """Argon2id; a hash made with older parameters, or by werkzeug before Argon2 was used,
        is replaced with a current one while the password is at hand (the caller commits)."""
        if not self.password_hash.startswith("$argon2"):
            if not check_password_hash(self.password_hash, password):
                return False
            self.set_password(password)
            return True
        try:
            _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: ends reset links and other sessions."""
        return digest(self.password_hash)[:16]


class UserSession(db.Model):
    """A signed-in browser: the session cookie holds its id, which signing out deletes, so a
    copied cookie stops working then (the cookie alone would stay valid until it expires)."""

    __tablename__ = "user_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "merchant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20), default="owner")

    user: Mapped[User] = relationship()
    merchant: Mapped[Merchant] = relationship()


class Invitation(db.Model):
    """An e-mailed link that lets a new or existing user join a merchant with a role."""

    __tablename__ = "invitations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    merchant_id: Mapped[int] = mapped_column(
        ForeignKey("merchants.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]

    merchant: Mapped[Merchant] = relationship()


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once.

    A user's token acts with that user's role in the merchant; a token without a user was
    issued by the operator on the command line (`shopwire token`) and acts as an owner."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200), default="API token")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    merchant: Mapped[Merchant] = relationship()
    user: Mapped[User | None] = relationship()

    digest = staticmethod(digest)

    @classmethod
    def issue(
        cls, merchant: Merchant, name: str = "API token", user: User | None = None
    ) -> tuple[ApiToken, str]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(merchant=merchant, user=user, name=name, token_hash=digest(token)), token
