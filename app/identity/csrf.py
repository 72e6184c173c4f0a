"""CSRF protection for browser sessions: a random token kept in the signed session cookie,
sent back in a form field or the ``X-CSRF-Token`` header on every state-changing request."""

from __future__ import annotations

import secrets

from flask import session


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_valid(sent: str | None) -> bool:
    expected = session.get("csrf")
    return bool(sent and expected) and secrets.compare_digest(sent, expected)
