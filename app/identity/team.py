"""Changes to a shop's members, invitations, API tokens and settings, shared by the settings
pages and the JSON API. Each change is audited and committed here."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from flask import current_app, g
from flask_babel import force_locale, gettext, lazy_gettext, ngettext
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from app.extensions import db
from app.identity import audit
from app.identity.links import mailed_link
from app.identity.mail import send_mail
from app.models import ApiToken, Invitation, Membership, Merchant, User
from app.models.base import isoformat, utcnow
from app.models.merchant import ROLES, digest

ROLE_NAMES = {
    "viewer": lazy_gettext("viewer"),
    "editor": lazy_gettext("editor"),
    "owner": lazy_gettext("owner"),
}
ROLE_HINTS = {
    "viewer": lazy_gettext("sees flows and runs"),
    "editor": lazy_gettext("also builds flows, manages accounts and runs"),
    "owner": lazy_gettext("also manages members and settings"),
}


class TeamError(Exception):
    """A change that cannot be made; ``text`` says why and how to fix it."""

    def __init__(self, text: LazyString, field: str):
        super().__init__(text)
        self.text, self.field = text, field

    def message(self, lang: str) -> str:
        with force_locale(lang):
            return str(self.text)


def members(merchant_id: int) -> list[Membership]:
    return db.session.scalars(
        select(Membership)
        .join(User, Membership.user_id == User.id)
        .where(Membership.merchant_id == merchant_id)
        .order_by(User.email)
    ).all()


def open_invitations(merchant_id: int) -> list[Invitation]:
    return db.session.scalars(
        select(Invitation)
        .where(
            Invitation.merchant_id == merchant_id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at.desc())
    ).all()


def _check_role(role: Any) -> str:
    if role not in ROLES:
        raise TeamError(
            lazy_gettext("Choose one of the roles: %(roles)s.", roles=", ".join(ROLES)), "role"
        )
    return role


def invite(merchant_id: int, email: Any, role: Any, lang: str) -> Invitation:
    """Store an invitation and e-mail its link (only the link's hash is kept)."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if "@" not in email:
        raise TeamError(lazy_gettext("Enter an e-mail address such as name@shop.de."), "email")
    role = _check_role(role)
    already = db.session.scalar(
        select(Membership.id)
        .join(User, Membership.user_id == User.id)
        .where(Membership.merchant_id == merchant_id, User.email == email)
    )
    if already:
        raise TeamError(
            lazy_gettext("%(email)s is a member of this shop already.", email=email), "email"
        )
    token = secrets.token_urlsafe(32)
    days = current_app.config["SHOPWIRE_INVITE_DAYS"]
    invitation = Invitation(
        merchant_id=merchant_id,
        email=email,
        role=role,
        token_hash=digest(token),
        invited_by_id=g.principal.user.id if g.principal.user else None,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation.create", "invitation", invitation.id, email=email, role=role)
    merchant = db.session.get(Merchant, merchant_id)
    link = mailed_link("accounts.accept_invitation", token=token)
    with force_locale(lang):
        send_mail(
            email,
            gettext("You are invited to %(shop)s on Shopwire", shop=merchant.name),
            ngettext(
                "%(inviter)s invited you to the shop “%(shop)s” on Shopwire as %(role)s.\n\n"
                "Accept here (the link works for %(num)d day):\n%(link)s\n",
                "%(inviter)s invited you to the shop “%(shop)s” on Shopwire as %(role)s.\n\n"
                "Accept here (the link works for %(num)d days):\n%(link)s\n",
                days,
                inviter=g.principal.actor,
                shop=merchant.name,
                role=ROLE_NAMES[role],
                link=link,
            ),
        )
    db.session.commit()
    return invitation


def withdraw(invitation: Invitation) -> None:
    audit.record("invitation.withdraw", "invitation", invitation.id, email=invitation.email)
    db.session.delete(invitation)
    db.session.commit()


LAST_OWNER = lazy_gettext("A shop needs at least one owner. Make someone else owner first.")


def _owners(merchant_id: int) -> int:
    return len(
        db.session.scalars(
            select(Membership.id).filter_by(merchant_id=merchant_id, role="owner")
        ).all()
    )


def change_role(membership: Membership, role: Any) -> None:
    role = _check_role(role)
    if membership.role == "owner" and role != "owner" and _owners(membership.merchant_id) < 2:
        raise TeamError(LAST_OWNER, "role")
    old, membership.role = membership.role, role
    audit.record(
        "membership.role",
        "user",
        membership.user_id,
        email=membership.user.email,
        old=old,
        new=role,
    )
    db.session.commit()


def remove(membership: Membership) -> None:
    if membership.role == "owner" and _owners(membership.merchant_id) < 2:
        raise TeamError(LAST_OWNER, "role")
    audit.record("membership.remove", "user", membership.user_id, email=membership.user.email)
    # The user's tokens for this shop stop working with the membership (see app.identity.access);
    # revoking them too keeps the tokens page honest.
    for token in db.session.scalars(
        select(ApiToken).filter_by(
            user_id=membership.user_id, merchant_id=membership.merchant_id, revoked_at=None
        )
    ):
        token.revoked_at = utcnow()
    db.session.delete(membership)
    db.session.commit()


def describe_member(membership: Membership) -> dict[str, Any]:
    return {"user_id": membership.user_id, "email": membership.user.email, "role": membership.role}


def describe_invitation(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.id,
        "email": invitation.email,
        "role": invitation.role,
        "created_at": isoformat(invitation.created_at),
        "expires_at": isoformat(invitation.expires_at),
    }


def tokens(user: User, merchant_id: int) -> list[ApiToken]:
    return db.session.scalars(
        select(ApiToken)
        .filter_by(user_id=user.id, merchant_id=merchant_id, revoked_at=None)
        .order_by(ApiToken.created_at.desc())
    ).all()


def create_token(user: User, merchant_id: int, name: Any) -> tuple[ApiToken, str]:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise TeamError(
            lazy_gettext("Give the token a name, so you know later what uses it."), "name"
        )
    api_token, token = ApiToken.issue(db.session.get(Merchant, merchant_id), name[:200], user)
    db.session.add(api_token)
    db.session.flush()
    audit.record("token.create", "token", api_token.id, name=api_token.name)
    db.session.commit()
    return api_token, token


def revoke_token(api_token: ApiToken) -> None:
    api_token.revoked_at = utcnow()
    audit.record("token.revoke", "token", api_token.id, name=api_token.name)
    db.session.commit()


def describe_token(api_token: ApiToken) -> dict[str, Any]:
    return {
        "id": api_token.id,
        "name": api_token.name,
        "created_at": isoformat(api_token.created_at),
        "last_used_at": isoformat(api_token.last_used_at),
    }


def update_settings(merchant: Merchant, name: Any, timezone: Any) -> None:
    changes: dict[str, Any] = {}
    if name is not None:
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            raise TeamError(lazy_gettext("Give your shop a name."), "name")
        if name != merchant.name and db.session.scalar(
            select(Merchant.id).where(Merchant.name == name)
        ):
            raise TeamError(
                lazy_gettext("A shop with this name exists. Choose another name."), "name"
            )
        if name != merchant.name:
            changes["name"], merchant.name = [merchant.name, name], name[:200]
    if timezone is not None:
        if timezone not in available_timezones():
            raise TeamError(
                lazy_gettext("Unknown time zone. Use a name such as Europe/Berlin."), "timezone"
            )
        if timezone != merchant.timezone:
            changes["timezone"], merchant.timezone = [merchant.timezone, timezone], timezone
    if changes:
        audit.record("settings.update", "merchant", merchant.id, **changes)
    db.session.commit()


def describe_settings(merchant: Merchant) -> dict[str, Any]:
    return {"id": merchant.id, "name": merchant.name, "timezone": merchant.timezone}
