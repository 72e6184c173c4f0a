"""The app's one guarded HTTP session for nodes, configured from the app config."""

from __future__ import annotations

import requests
from flask import current_app

from app.config import allowed_private_networks, connector_origins
from nodes.base import Connector
from nodes.client import ApiClient
from nodes.outbound import guarded_session


def outbound_session() -> requests.Session:
    """Built once per process and reused, so connections to providers are kept alive."""
    extensions = current_app.extensions
    if "shopwire_outbound" not in extensions:
        config = current_app.config
        extensions["shopwire_outbound"] = guarded_session(
            allow_private=allowed_private_networks(config["SHOPWIRE_ALLOW_PRIVATE_NETWORKS"]),
            timeout=config["SHOPWIRE_HTTP_TIMEOUT_SECONDS"],
            max_response_bytes=config["SHOPWIRE_HTTP_MAX_RESPONSE_BYTES"],
        )
    return extensions["shopwire_outbound"]


def origins() -> dict[str, str]:
    return connector_origins(current_app.config["SHOPWIRE_CONNECTOR_ORIGINS"])


def api_client(connector: Connector, credential: dict | None) -> ApiClient:
    """A connector's client outside a flow run: registering webhooks, testing an account."""
    return ApiClient(connector, outbound_session(), credential, origin=origins().get(connector.key))
