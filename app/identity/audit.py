"""The one place that writes the audit log. Call :func:`record` where a change is made, in the
same transaction, so the entry exists exactly when the change does."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from flask_babel import lazy_gettext
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
            # Secrets are never logged: only that they changed. Whether a flow went on or off
            # is what its audit entry reads as.
            switched = {"active": obj.active} if "active" in changed else {}
            record(
                f"{kind}.{action}",
                kind,
                obj.id,
                merchant_id=obj.merchant_id,
                name=obj.name,
                changed=changed,
                **switched,
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


# What each entry reads as on the audit page, after who made it ("anna@shop.de switched on the
# flow “Paid orders”"). Details fill the placeholders; an action without a sentence is shown
# by its name.
SENTENCES = {
    "flow.create": lazy_gettext("created the flow “%(name)s”"),
    "flow.delete": lazy_gettext("deleted the flow “%(name)s”"),
    "flow.on": lazy_gettext("switched on the flow “%(name)s”"),
    "flow.off": lazy_gettext("switched off the flow “%(name)s”"),
    "flow.version": lazy_gettext("saved a new version of the flow “%(name)s”"),
    "flow.name": lazy_gettext("renamed a flow to “%(name)s”"),
    "credential.create": lazy_gettext("added the account “%(name)s”"),
    "credential.delete": lazy_gettext("deleted the account “%(name)s”"),
    "credential.name": lazy_gettext("renamed an account to “%(name)s”"),
    "credential.secret": lazy_gettext("replaced the secrets of the account “%(name)s”"),
    "credential.connector": lazy_gettext("changed the provider of the account “%(name)s”"),
    "invitation.create": lazy_gettext("invited %(email)s as %(role)s"),
    "invitation.withdraw": lazy_gettext("withdrew the invitation to %(email)s"),
    "membership.join": lazy_gettext("joined the shop"),
    "membership.role": lazy_gettext("made %(email)s %(new)s (was %(old)s)"),
    "membership.remove": lazy_gettext("removed %(email)s from the shop"),
    "merchant.create": lazy_gettext("created the shop “%(name)s”"),
    "token.create": lazy_gettext("created the API token “%(name)s”"),
    "token.revoke": lazy_gettext("revoked the API token “%(name)s”"),
    "settings.name": lazy_gettext("renamed the shop from “%(old)s” to “%(new)s”"),
    "settings.timezone": lazy_gettext("changed the shop's time zone from %(old)s to %(new)s"),
    "template.published": lazy_gettext("published a flow as a template (version %(version)s)"),
}


def in_words(event: AuditEvent, role_names: dict[str, Any]) -> list[str]:
    """The entry as sentences without their subject, in the page's language; a flow or
    account change that touched several things is one sentence per thing."""
    detail = dict(event.detail or {})
    for key in ("role", "old", "new"):
        if event.action in ("invitation.create", "membership.role") and key in detail:
            detail[key] = role_names.get(str(detail[key]), detail[key])
    return [_sentence(key, detail) for key in _sentence_keys(event)]


def _sentence_keys(event: AuditEvent) -> list[str]:
    detail = event.detail or {}
    if event.action in ("flow.update", "credential.update"):
        kind = event.target_type
        switched = "on" if detail.get("active") else "off"
        changed = [switched if c == "active" else c for c in detail.get("changed", [])]
        return [f"{kind}.{c}" for c in changed] or [event.action]
    if event.action == "settings.update":
        return [f"settings.{key}" for key in detail] or [event.action]
    return [event.action]


def _sentence(key: str, detail: dict[str, Any]) -> str:
    template = SENTENCES.get(key)
    if template is None:
        return key
    kind, _, field = key.partition(".")
    if kind == "settings" and isinstance(detail.get(field), list | tuple):
        old, new = detail[field]
        detail = {"old": old, "new": new}
    try:
        return str(template) % detail
    except (KeyError, TypeError, ValueError):
        return key
