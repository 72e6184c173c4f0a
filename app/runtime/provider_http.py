"""The app's one guarded HTTP session for nodes, configured from the app config."""

from __future__ import annotations

import requests
from flask import current_app

from app.config import allowed_private_networks, connector_origins
from app.extensions import per_app
from nodes.kit.base import Connector
from nodes.kit.client import ApiClient
from nodes.kit.guarded_http import guarded_session


def outbound_session() -> requests.Session:
    """Built once per process and reused, so connections to providers are kept alive."""
    config = current_app.config
    return per_app(
        "shopwire_outbound",
        lambda: guarded_session(
            allow_private=allowed_private_networks(config["SHOPWIRE_ALLOW_PRIVATE_NETWORKS"]),
            timeout=config["SHOPWIRE_HTTP_TIMEOUT_SECONDS"],
            max_response_bytes=config["SHOPWIRE_HTTP_MAX_RESPONSE_BYTES"],
        ),
    )


def origins() -> dict[str, str]:
    return connector_origins(current_app.config["SHOPWIRE_CONNECTOR_ORIGINS"])


def api_client(connector: Connector, credential: dict | None) -> ApiClient:
    """A connector's client outside a flow run: registering webhooks, testing an account."""
    return ApiClient(connector, outbound_session(), credential, origin=origins().get(connector.key))
