"""A merchant's credentials for the engine, ingress and the API.

:func:`auth_of` is the one place that asks where a connector declares its auth (schema,
connection test, OAuth 2 settings); everything else goes through it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential
from nodes.engine.redaction import Secrets, credential_secrets
from nodes.kit import registry
from nodes.kit.base import UserError


def auth_of(connector: str) -> registry.ConnectorAuth | None:
    return registry.connector_auth(connector)


def auth_schema(connector: str) -> dict[str, Any] | None:
    auth = auth_of(connector)
    return auth.schema if auth else None


def secrets_of(connector: str, data: dict[str, Any] | None) -> Secrets:
    """The secret texts of a credential's data, to scrub wherever they might turn up."""
    if not data:  # most webhooks have no account: no schema to look up on the hot path
        return Secrets()
    return Secrets(credential_secrets(data, auth_schema(connector)))


def decrypted(merchant_id: int, credential_id: str | None) -> dict[str, Any] | None:
    """The credential's data, only if it belongs to this merchant."""
    if not credential_id:
        return None
    secret = db.session.scalar(
        select(Credential.secret).filter_by(id=credential_id, merchant_id=merchant_id)
    )
    return None if secret is None else vault().decrypt(secret)


def for_run(merchant_id: int, credential_id: str) -> dict[str, Any] | None:
    """The credential's data as a node gets it at run time: OAuth tokens refreshed first when
    they are about to expire. An account that must be reconnected fails the step clearly."""
    from app.credentials import oauth

    credential = db.session.scalar(
        select(Credential).filter_by(id=credential_id, merchant_id=merchant_id)
    )
    if credential is None:
        return None
    if credential.status == "reconnect":
        raise UserError(reconnect_message(credential))
    data = vault().decrypt(credential.secret)
    if oauth.settings(credential.connector):
        if not data.get("oauth"):
            raise UserError(
                f'The account "{credential.name}" is not connected yet: sign in to '
                f"{credential.connector} from the account picker."
            )
        if oauth.expiring(data):
            data = oauth.refresh(credential)
    return data


def reconnect_message(credential: Credential) -> str:
    reason = f" ({credential.status_message})" if credential.status_message else ""
    return (
        f'The account "{credential.name}" must be reconnected: sign in to '
        f"{credential.connector} again from the account picker{reason}."
    )
