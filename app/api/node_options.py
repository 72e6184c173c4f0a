"""``GET /api/nodes/<node type>/options/<source>?credential=<id>``: a parameter's choices,
loaded with the merchant's account (Shopify locations, Stripe prices) for the editor's
searchable select. The connector declares the loader (``Connector.options``)."""

from __future__ import annotations

from flask import g

from app.api import schemas
from app.api.auth import authenticate, owned
from app.api.openapi import Blueprint
from app.api.problems import ApiProblem
from app.credentials import store
from app.models import Credential
from app.runtime.provider_http import api_client
from nodes.kit import registry
from nodes.kit.base import NodeError, ProviderError, TransientError

bp = Blueprint(
    "node_options", __name__, url_prefix="/api/nodes", description="Choices from an account"
)
bp.before_request(authenticate)


@bp.get("/<node_type>/options/<source>")
@bp.arguments(schemas.OptionsQuery, location="query", error_status_code=400)
@bp.response(200, schemas.Options)
@bp.alt_response(404, response="NOT_FOUND")
def options(query: dict, node_type: str, source: str):
    """A parameter's choices, loaded with the caller's account."""
    versions = registry.versions(node_type)
    spec = registry.get(node_type, versions[-1]) if versions else None
    load = spec.connector.options.get(source) if spec and spec.connector else None
    if load is None:
        raise ApiProblem(404, "Not found", f"{node_type} has no choices called {source}.")
    credential_id = query.get("credential")
    if not credential_id:
        raise ApiProblem(
            400, "Account needed", "Choose an account first: the choices come from it."
        )
    credential = owned(Credential, credential_id)
    if credential.connector != spec.connector_key:
        raise ApiProblem(
            400,
            "Wrong account",
            f"This step needs a {spec.connector.title['en']} account; "
            f"{credential.name} is a {credential.connector} account.",
        )
    data = store.for_run(g.merchant_id, credential.id)
    secrets = store.secrets_of(credential.connector, data)
    try:
        items = load(api_client(spec.connector, data))
    except TransientError as error:
        raise ApiProblem(
            503,
            "Try again",
            secrets.scrub(f"The choices could not be loaded now: {error.message}"),
            headers={"Retry-After": str(int(error.retry_after or 5))},
        ) from None
    except (ProviderError, NodeError) as error:
        status = 502 if isinstance(error, ProviderError) else 400
        detail = error.message + (f" {error.hint}" if error.hint else "")
        raise ApiProblem(status, "The choices could not be loaded", secrets.scrub(detail)) from None
    return {"items": items}
