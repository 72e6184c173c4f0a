"""The settings pages: members and invitations, the user's API tokens, the shop's settings and
the audit log. The changes themselves live in :mod:`app.identity.team`, shared with the JSON API."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext
from sqlalchemy import select

from app.extensions import db
from app.identity import audit, team
from app.identity.access import current_principal, requires
from app.models import ApiToken, AuditEvent, Invitation, Membership, Merchant
from app.models.merchant import ROLES

bp = Blueprint("settings", __name__, url_prefix="/settings")

AUDIT_PAGE = 100


@bp.app_context_processor
def _account() -> dict[str, Any]:
    """The header's view of the signed-in user: e-mail, role, and the shops to switch to."""
    principal = current_principal() if request.endpoint else None
    if principal is None or principal.user is None or request.path.startswith("/api/"):
        return {"account": None}
    shops = db.session.execute(
        select(Merchant.id, Merchant.name)
        .join(Membership, Membership.merchant_id == Merchant.id)
        .where(Membership.user_id == principal.user.id)
        .order_by(Merchant.name)
    ).all()
    return {
        "account": {
            "email": principal.user.email,
            "role": principal.role,
            "merchant_id": principal.merchant_id,
            "shops": shops,
        }
    }


@bp.app_context_processor
def _roles() -> dict[str, Any]:
    return {"role_names": team.ROLE_NAMES, "role_hints": team.ROLE_HINTS}


def _flash_error(error: team.TeamError) -> None:
    flash(error.message(g.lang), "bad")


def _membership(user_id: int) -> Membership:
    found = db.session.scalar(
        select(Membership).filter_by(user_id=user_id, merchant_id=g.merchant_id)
    )
    if found is None:
        abort(404)
    return found


@bp.get("/members")
def members():
    return render_template(
        "settings/members.html",
        members=team.members(g.merchant_id),
        invitations=team.open_invitations(g.merchant_id) if g.principal.role == "owner" else [],
        roles=ROLES,
        me=g.principal.user,
        is_owner=g.principal.role == "owner",
    )


@bp.post("/members/invite")
@requires("owner")
def invite():
    email = request.form.get("email", "")
    try:
        team.invite(g.merchant_id, email, request.form.get("role"), g.lang)
        flash(gettext("An invitation was sent to %(email)s.", email=email.strip().lower()), "ok")
    except team.TeamError as error:
        _flash_error(error)
    return redirect(url_for("settings.members"))


@bp.post("/members/<int:user_id>/role")
@requires("owner")
def change_role(user_id: int):
    membership = _membership(user_id)
    try:
        team.change_role(membership, request.form.get("role"))
        role = team.ROLE_NAMES[membership.role]
        flash(gettext("%(email)s is now %(role)s.", email=membership.user.email, role=role), "ok")
    except team.TeamError as error:
        _flash_error(error)
    return redirect(url_for("settings.members"))


@bp.post("/members/<int:user_id>/remove")
@requires("owner")
def remove(user_id: int):
    membership = _membership(user_id)
    email = membership.user.email
    try:
        team.remove(membership)
        flash(gettext("%(email)s was removed from this shop.", email=email), "ok")
    except team.TeamError as error:
        _flash_error(error)
    return redirect(url_for("settings.members"))


@bp.post("/invitations/<invitation_id>/withdraw")
@requires("owner")
def withdraw(invitation_id: str):
    invitation = db.session.scalar(
        select(Invitation).filter_by(id=invitation_id, merchant_id=g.merchant_id, accepted_at=None)
    )
    if invitation is None:
        abort(404)
    team.withdraw(invitation)
    flash(gettext("The invitation to %(email)s was withdrawn.", email=invitation.email), "ok")
    return redirect(url_for("settings.members"))


@bp.get("/tokens")
def tokens():
    return render_template(
        "settings/tokens.html", tokens=team.tokens(g.principal.user, g.merchant_id), new=None
    )


@bp.post("/tokens")
@requires("viewer")  # a viewer's token can only read, like the viewer
def create_token():
    try:
        api_token, token = team.create_token(
            g.principal.user, g.merchant_id, request.form.get("name")
        )
    except team.TeamError as error:
        _flash_error(error)
        return redirect(url_for("settings.tokens"))
    # Rendered, not redirected: the token exists in clear text only in this one answer.
    return render_template(
        "settings/tokens.html",
        tokens=team.tokens(g.principal.user, g.merchant_id),
        new={"name": api_token.name, "token": token},
    )


@bp.post("/tokens/<int:token_id>/revoke")
@requires("viewer")
def revoke_token(token_id: int):
    api_token = db.session.scalar(
        select(ApiToken).filter_by(
            id=token_id, user_id=g.principal.user.id, merchant_id=g.merchant_id, revoked_at=None
        )
    )
    if api_token is None:
        abort(404)
    team.revoke_token(api_token)
    flash(
        gettext("The token “%(name)s” was revoked: it no longer works.", name=api_token.name), "ok"
    )
    return redirect(url_for("settings.tokens"))


@bp.route("/shop", methods=["GET", "POST"])
@requires("owner")
def shop():
    merchant = db.session.get(Merchant, g.merchant_id)
    if request.method == "POST":
        try:
            team.update_settings(merchant, request.form.get("name"), request.form.get("timezone"))
            flash(gettext("The settings were saved."), "ok")
        except team.TeamError as error:
            db.session.rollback()
            _flash_error(error)
        return redirect(url_for("settings.shop"))
    return render_template(
        "settings/shop.html", merchant=merchant, time_zones=sorted(available_timezones())
    )


@bp.get("/audit")
@requires("owner")
def audit_log():
    found = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.merchant_id == g.merchant_id)
        .order_by(AuditEvent.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    events = [
        {
            **audit.describe(e),
            "when": format_datetime(e.created_at, "medium"),
            "sentences": audit.in_words(e, team.ROLE_NAMES),
        }
        for e in found
    ]
    return render_template("settings/audit.html", events=events)
