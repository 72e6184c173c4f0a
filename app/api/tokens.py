"""``/api/tokens``: the signed-in user's API tokens for the current shop. A token is shown once,
when it is created; afterwards only its name and when it was created and last used."""

from __future__ import annotations

from typing import Any

from flask import g
from sqlalchemy import select

from app.api import schemas
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.extensions import db
from app.identity import team
from app.identity.access import requires
from app.models import ApiToken
from nodes.engine.schema_errors import Problem

bp = Blueprint("tokens", __name__, url_prefix="/api/tokens", description="API tokens")


def _user():
    if g.principal.user is None:
        raise ApiProblem(
            403,
            "A user is needed",
            "Tokens belong to users. This token was issued on the command line; sign in, or "
            "use a token created under Settings → API tokens.",
        )
    return g.principal.user


def _token(token_id: int) -> ApiToken:
    found = db.session.scalar(
        select(ApiToken).filter_by(
            id=token_id, user_id=_user().id, merchant_id=g.merchant_id, revoked_at=None
        )
    )
    if found is None:
        raise ApiProblem(404, "Not found", f"There is no token {token_id}.")
    return found


@bp.get("")
@bp.response(200, schemas.TokenList)
def list_tokens():
    """Your API tokens for this shop (never the tokens themselves)."""
    return {"tokens": [team.describe_token(t) for t in team.tokens(_user(), g.merchant_id)]}


@bp.post("")
@requires("viewer")  # a viewer's token can only read, like the viewer
@bp.arguments(schemas.TokenBody)
@bp.response(201, schemas.NewToken)
def create_token(body: dict[str, Any]):
    """Create an API token; the answer shows it once."""
    try:
        api_token, token = team.create_token(_user(), g.merchant_id, body.get("name"))
    except team.TeamError as error:
        raise ApiProblem(
            422, "The token is not valid", errors=[Problem("/name", error.message("en"))]
        ) from None
    return {**team.describe_token(api_token), "token": token}


@bp.delete("/<int:token_id>")
@requires("viewer")
@bp.response(204)
@bp.alt_response(404, response="NOT_FOUND")
def revoke_token(token_id: int):
    """Revoke one of your API tokens."""
    team.revoke_token(_token(token_id))
