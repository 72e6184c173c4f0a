"""``/api/members``, ``/api/invitations``, ``/api/settings`` and ``/api/audit``: the shop's
people, its settings and the log of changes. Changing them needs the owner role."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select

from app.api import schemas
from app.api.auth import owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.identity import audit, team
from app.identity.access import requires
from app.models import AuditEvent, Invitation, Membership, Merchant
from nodes.engine.schema_errors import Problem

bp = Blueprint("members", __name__, url_prefix="/api", description="The shop")

AUDIT_PAGE = 100


def _unprocessable(error: team.TeamError) -> ApiProblem:
    return ApiProblem(
        422, "The change is not valid", errors=[Problem(f"/{error.field}", error.message("en"))]
    )


def _membership(user_id: int) -> Membership:
    found = db.session.scalar(
        select(Membership).filter_by(user_id=user_id, merchant_id=g.merchant_id)
    )
    if found is None:
        raise ApiProblem(404, "Not found", f"There is no member {user_id}.")
    return found


@bp.get("/members")
@bp.response(200, schemas.MemberList)
def list_members():
    """Members of the shop with their roles."""
    return {"members": [team.describe_member(m) for m in team.members(g.merchant_id)]}


@bp.put("/members/<int:user_id>")
@requires("owner")
@bp.arguments(schemas.RoleBody)
@bp.response(200, schemas.Member)
@bp.alt_response(404, response="NOT_FOUND")
def change_member(body: dict[str, Any], user_id: int):
    """Change a member's role (owner)."""
    membership = _membership(user_id)
    try:
        team.change_role(membership, body.get("role"))
    except team.TeamError as error:
        raise _unprocessable(error) from None
    return team.describe_member(membership)


@bp.delete("/members/<int:user_id>")
@requires("owner")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
@bp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def remove_member(user_id: int):
    """Remove a member (owner)."""
    try:
        team.remove(_membership(user_id))
    except team.TeamError as error:
        raise _unprocessable(error) from None


@bp.get("/invitations")
@requires("owner")
@bp.response(200, schemas.InvitationList)
def list_invitations():
    """Open invitations (owner)."""
    found = team.open_invitations(g.merchant_id)
    return {"invitations": [team.describe_invitation(i) for i in found]}


@bp.post("/invitations")
@requires("owner")
@bp.arguments(schemas.InvitationBody)
@bp.response(201, schemas.Invitation)
def create_invitation(body: dict[str, Any]):
    """Invite someone by e-mail (owner)."""
    try:
        invitation = team.invite(g.merchant_id, body.get("email"), body.get("role"), "en")
    except team.TeamError as error:
        raise _unprocessable(error) from None
    return team.describe_invitation(invitation)


@bp.delete("/invitations/<invitation_id>")
@requires("owner")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def withdraw_invitation(invitation_id: str):
    """Withdraw an invitation (owner)."""
    team.withdraw(owned(Invitation, invitation_id, accepted_at=None))


@bp.get("/settings")
@bp.response(200, schemas.Settings)
def get_settings():
    """The shop's settings."""
    return team.describe_settings(db.session.get(Merchant, g.merchant_id))


@bp.put("/settings")
@requires("owner")
@bp.arguments(schemas.SettingsBody)
@bp.response(200, schemas.Settings)
def update_settings(body: dict[str, Any]):
    """Change the shop's name or time zone (owner)."""
    merchant = db.session.get(Merchant, g.merchant_id)
    try:
        team.update_settings(merchant, body["name"], body["timezone"])
    except team.TeamError as error:
        raise _unprocessable(error) from None
    return team.describe_settings(merchant)


@bp.get("/audit")
@requires("owner")
@bp.arguments(schemas.AuditFilter, location="query", error_status_code=400)
@bp.response(200, schemas.AuditLog)
def list_audit(filters: dict[str, Any]):
    """Newest first; ``before`` (an entry id) pages back."""
    query = select(AuditEvent).where(AuditEvent.merchant_id == g.merchant_id)
    if before := filters.get("before"):
        query = query.where(AuditEvent.id < before)
    found = db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(AUDIT_PAGE)).all()
    return {"events": [audit.describe(e) for e in found]}
