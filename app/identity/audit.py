"""The one place that writes the audit log. Call :func:`record` where a change is made, in the
same transaction, so the entry exists exactly when the change does."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import isoformat, new_id


def record(
    action: str,
    target_type: str,
    target_id: Any,
    *,
    merchant_id: int | None = None,
    user: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an entry for the current request's member, or for ``user`` where nobody is signed
    in yet (sign-up, accepting an invitation). Added to the session, not committed."""
    principal = g.get("principal") if has_request_context() else None
    if principal is not None and user is None:
        user = principal.user
    event = AuditEvent(
        merchant_id=merchant_id if merchant_id is not None else principal.merchant_id,
        user_id=user.id if user else None,
        actor=user.email if user else (principal.actor if principal else "system"),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
    )
    db.session.add(event)
    return event


def describe(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": isoformat(event.created_at),
        "actor": event.actor,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "detail": event.detail,
    }


# Flows and credentials are changed in several places (the API, the pages, the vault); a flush
# hook records each change made in a request, so no place can forget to.
AUDITED_ATTRIBUTES = {
    "flow": ("name", "active", "current_version_id", "deleted_at"),
    "credential": ("name", "connector", "secret"),
}


@event.listens_for(Session, "before_flush")
def _record_changes(session: Session, _context, _instances) -> None:
    if not has_request_context() or g.get("principal") is None:
        return
    for obj in list(session.new):
        if kind := _audited_kind(obj):
            obj.id = obj.id or new_id()
            record(f"{kind}.create", kind, obj.id, merchant_id=obj.merchant_id, name=obj.name)
    for obj in list(session.dirty):
        if (kind := _audited_kind(obj)) and (changed := _changed(obj, kind)):
            action = "delete" if "deleted_at" in changed else "update"
            # Secrets are never logged: only that they changed.
            record(
                f"{kind}.{action}",
                kind,
                obj.id,
                merchant_id=obj.merchant_id,
                name=obj.name,
                changed=changed,
            )
    for obj in list(session.deleted):
        if kind := _audited_kind(obj):
            record(f"{kind}.delete", kind, obj.id, merchant_id=obj.merchant_id, name=obj.name)


def _audited_kind(obj: object) -> str | None:
    from app.models import Credential, Flow

    return {Flow: "flow", Credential: "credential"}.get(type(obj))


def _changed(obj: object, kind: str) -> list[str]:
    state = inspect(obj)
    return [
        "version" if name == "current_version_id" else name
        for name in AUDITED_ATTRIBUTES[kind]
        if state.attrs[name].history.has_changes()
    ]
