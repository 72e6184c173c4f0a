"""A merchant's credentials for the engine, ingress and the API.

:func:`auth_of` is the one place that asks where a connector declares its auth (schema,
connection test, OAuth 2 settings); everything else goes through it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from app.credentials.vault import vault
from app.extensions import db
from app.models import Credential, Flow
from nodes.engine.redaction import Secrets, credential_secrets
from nodes.engine.schema_errors import Problem, schema_problems, validator_for
from nodes.kit import registry
from nodes.kit.base import NodeError, UserError


def auth_of(connector: str) -> registry.ConnectorAuth | None:
    return registry.connector_auth(connector)


def auth_schema(connector: str) -> dict[str, Any] | None:
    auth = auth_of(connector)
    return auth.schema if auth else None


def account_problems(connector: Any, data: Any) -> list[Problem]:
    """What is wrong with an account's data for ``connector`` (nothing if it needs none)."""
    schema = auth_schema(connector) if isinstance(connector, str) else None
    return [] if schema is None else list(schema_problems(validator_for(schema), data))


def change(credential: Credential, name: str | None, fields: dict[str, Any]) -> list[Problem]:
    """Rename, or replace fields: a field left out (a secret shown as "set") keeps its stored
    value, and so do the OAuth tokens. Nothing changes when the result is not valid."""
    stored = vault().decrypt(credential.secret)
    tokens = stored.pop("oauth", None)
    data = {**stored, **fields}
    if found := account_problems(credential.connector, data):
        return found
    if name:
        credential.name = name
    if fields:
        credential.secret = vault().encrypt({**data, "oauth": tokens} if tokens else data)
    return []


def test_connection(merchant_id: int, credential: Credential) -> tuple[bool, str]:
    """The connector's test request with this account: whether it worked, and one sentence
    saying so (with what the provider confirmed), without any of the account's secrets."""
    from app.runtime.provider_http import api_client

    auth = auth_of(credential.connector)
    data = vault().decrypt(credential.secret)
    secrets = secrets_of(credential.connector, data)
    try:
        data = for_run(merchant_id, credential.id)
        confirmation = auth.test(api_client(auth.connector, data))
        ok = True
        message = (
            gettext("The connection works: %(confirmation)s", confirmation=confirmation)
            if isinstance(confirmation, str) and confirmation
            else gettext("The connection works.")
        )
    except NodeError as error:
        ok, message = False, error.message
    secrets.add(secrets_of(credential.connector, data).forms)
    return ok, secrets.scrub(message)


def flows_using(merchant_id: int, credential_id: str) -> list[Flow]:
    """The shop's flows whose current version has a step with this account."""
    flows = db.session.scalars(
        select(Flow)
        .where(Flow.merchant_id == merchant_id, Flow.deleted_at.is_(None))
        .order_by(Flow.name)
    ).all()
    return [
        flow
        for flow in flows
        if any(
            node.get("credential") == credential_id
            for node in flow.current_version.graph.get("nodes", [])
        )
    ]


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
