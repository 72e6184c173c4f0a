"""``/api/credentials``: connector auth, stored encrypted; secrets are never returned."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from sqlalchemy import select

from app.api.auth import authenticate, json_body, owned
from app.api.problems import ApiProblem
from app.engine.schema_errors import Problem, schema_problems, validator_for
from app.extensions import db
from app.models import Credential
from app.models.base import isoformat
from app.vault import vault
from nodes import registry

bp = Blueprint("credentials", __name__, url_prefix="/api/credentials")
bp.before_request(authenticate)


def _describe(credential: Credential) -> dict[str, Any]:
    schema = registry.auth_schema(credential.connector) or {}
    data = vault().decrypt(credential.secret)
    fields = {
        name: ({"set": True} if spec.get("writeOnly") else data.get(name))
        for name, spec in schema.get("properties", {}).items()
        if name in data
    }
    return {
        "id": credential.id,
        "connector": credential.connector,
        "name": credential.name,
        "fields": fields,
        "created_at": isoformat(credential.created_at),
        "updated_at": isoformat(credential.updated_at),
    }


@bp.get("")
def list_credentials():
    found = db.session.scalars(
        select(Credential).where(Credential.merchant_id == g.merchant_id).order_by(Credential.name)
    ).all()
    return {"credentials": [_describe(c) for c in found]}


@bp.post("")
def create_credential():
    body = json_body()
    connector = body.get("connector")
    schema = registry.auth_schema(connector) if isinstance(connector, str) else None
    errors = []
    if schema is None:
        errors.append(Problem("/connector", "No connector with this name needs an account."))
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        errors.append(Problem("/name", "Give the account a name."))
    data = body.get("data")
    if schema is not None:
        errors += schema_problems(validator_for(schema), data, ("data",))
    if errors:
        raise ApiProblem(422, "The account is not valid", errors=errors)
    credential = Credential(
        merchant_id=g.merchant_id,
        connector=connector,
        name=body["name"].strip(),
        secret=vault().encrypt(data),
    )
    db.session.add(credential)
    db.session.commit()
    return _describe(credential), 201


@bp.get("/<credential_id>")
def get_credential(credential_id: str):
    return _describe(owned(Credential, credential_id))


@bp.delete("/<credential_id>")
def delete_credential(credential_id: str):
    db.session.delete(owned(Credential, credential_id))
    db.session.commit()
    return "", 204
