"""Creating, versioning and switching flows on and off, shared by the API and the CLI."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from flask import current_app, has_request_context, request
from flask_babel import gettext
from sqlalchemy import func, select

from app.credentials import store
from app.credentials.vault import vault
from app.extensions import db
from app.flows.webhook_urls import address
from app.models import Credential, Execution, Flow, FlowVersion, WebhookEndpoint
from app.models.base import utcnow
from app.runtime.cancel import FLOW_DELETED, cancel
from app.runtime.provider_http import api_client
from nodes.engine.graph import Graph
from nodes.engine.schema_errors import Problem
from nodes.engine.validation import validate_flow
from nodes.kit.base import NodeError, UserError
from nodes.kit.webhooks import BY_HAND

log = logging.getLogger("shopwire.flows")


def problems(merchant_id: int, graph: Any) -> list[Problem]:
    def credential_connector(credential_id: str) -> str | None:
        return db.session.scalar(
            select(Credential.connector).where(
                Credential.id == credential_id, Credential.merchant_id == merchant_id
            )
        )

    def flow_exists(flow_id: str) -> bool:
        return (
            db.session.scalar(
                select(Flow.id).where(
                    Flow.id == flow_id, Flow.merchant_id == merchant_id, Flow.deleted_at.is_(None)
                )
            )
            is not None
        )

    return validate_flow(graph, credential_connector, flow_exists)


def create(merchant_id: int, name: str, graph: dict[str, Any]) -> Flow:
    """Create a flow with its first version. The graph must have been validated."""
    flow = Flow(merchant_id=merchant_id, name=name)
    db.session.add(flow)
    save_version(flow, graph)
    return flow


def save_version(flow: Flow, graph: dict[str, Any]) -> FlowVersion:
    """Append an immutable version and make it current (live at once if the flow is on)."""
    db.session.flush()
    latest = db.session.scalar(
        select(func.max(FlowVersion.number)).where(FlowVersion.flow_id == flow.id)
    )
    version = FlowVersion(flow_id=flow.id, number=(latest or 0) + 1, graph=graph)
    db.session.add(version)
    db.session.flush()
    flow.current_version = version
    flow.updated_at = utcnow()
    ensure_endpoints(flow)  # the test address works before the flow is ever switched on
    return version


def ensure_endpoints(flow: Flow) -> list[WebhookEndpoint]:
    """The webhook endpoint of the current trigger, created on first save, then kept.

    A trigger that replaces another takes over its address (unless Shopwire registered that
    one with a provider for the old trigger's events): the merchant may have pasted it into
    the shop already.
    """
    graph = Graph(flow.current_version.graph)
    spec = graph.spec(graph.trigger_id)
    if not spec.webhook:
        return []
    endpoint = db.session.scalar(
        select(WebhookEndpoint).filter_by(flow_id=flow.id, node_id=graph.trigger_id)
    )
    if endpoint is None:
        endpoint = _former_address(flow, graph)
    if endpoint is not None:
        endpoint.node_id = graph.trigger_id
    else:
        endpoint = WebhookEndpoint(
            merchant_id=flow.merchant_id, flow_id=flow.id, node_id=graph.trigger_id
        )
        db.session.add(endpoint)
        db.session.flush()
    return [endpoint]


def _former_address(flow: Flow, graph: Graph) -> WebhookEndpoint | None:
    """The endpoint of a trigger the flow no longer has, if its address can be passed on."""
    former = db.session.scalars(
        select(WebhookEndpoint)
        .where(
            WebhookEndpoint.flow_id == flow.id, WebhookEndpoint.node_id.not_in(list(graph.nodes))
        )
        .order_by(WebhookEndpoint.created_at.desc())
    ).all()
    return next(
        (e for e in former if e.subscription is None or set_up_by_hand(e)),
        None,
    )


class ProviderRefused(Exception):
    """The provider did not accept (or remove) the trigger's webhook; the flow stays as it was.

    ``by_hand`` is the address to copy into the shop's admin when the merchant can set the
    webhook up there instead and switch the flow on with the signing secret the shop shows.
    """

    def __init__(self, node_id: str, error: NodeError, by_hand: str | None = None) -> None:
        super().__init__(error.message)
        self.node_id = node_id
        self.error = error
        self.by_hand = by_hand


def activate(flow: Flow, *, signing_secret: str | None = None) -> list[WebhookEndpoint]:
    """Switch the flow on; a provider trigger registers its webhook URL with the provider.

    With ``signing_secret`` nothing is registered: the merchant set the webhook up by hand in
    the shop's admin, and deliveries are checked with the secret the shop showed for it. It is
    kept while the flow is off, so switching on again needs it no more.
    """
    endpoints = ensure_endpoints(flow)
    for endpoint in endpoints:
        if signing_secret:
            _set_up_by_hand(flow, endpoint, signing_secret)
        else:
            _subscribe(flow, endpoint)
    flow.active = True
    return endpoints


def deactivate(flow: Flow, *, delete: bool = False) -> None:
    """Switch the flow off, and with ``delete`` delete it softly (executions keep their flow).

    Provider webhooks registered on activation are removed; a deleted flow's unfinished
    executions are cancelled. Both changes are made before any
    query, so they are flushed (and audited) as one change.
    """
    subscribed = [endpoint for endpoint in flow.endpoints if endpoint.subscription is not None]
    flow.active = False
    if delete:
        flow.deleted_at = utcnow()
        cancel(Execution.flow_id == flow.id, reason=FLOW_DELETED)
    for endpoint in subscribed:
        if delete or not set_up_by_hand(endpoint):
            _unsubscribe(flow, endpoint)


def set_up_by_hand(endpoint: WebhookEndpoint) -> bool:
    """Whether the merchant set this webhook up in the shop's admin (nothing was registered)."""
    return endpoint.subscription is not None and BY_HAND in vault().decrypt(endpoint.subscription)


def _trigger(flow: Flow, endpoint: WebhookEndpoint):
    """The endpoint's trigger declaration, node and provider client (None when it was removed)."""
    graph = version_graph(flow.current_version_id)
    node = graph.nodes.get(endpoint.node_id)
    if node is None:
        return None, None, None
    spec = graph.spec(endpoint.node_id)
    if spec.connector is None:
        return spec, node, None
    credential = store.decrypted(flow.merchant_id, node.get("credential"))
    return spec, node, api_client(spec.connector, credential)


def _by_hand_address(spec, endpoint: WebhookEndpoint) -> str | None:
    """The address to set up by hand, when the trigger's deliveries can be checked that way."""
    hooks = spec.connector.webhooks if spec.connector else None
    return webhook_url(endpoint) if hooks and hooks.signed_with_a_secret else None


def _subscribe(flow: Flow, endpoint: WebhookEndpoint) -> None:
    spec, node, api = _trigger(flow, endpoint)
    if endpoint.subscription is not None or api is None or spec.subscribe is None:
        return
    url = webhook_url(endpoint)
    by_hand = _by_hand_address(spec, endpoint)
    if not node.get("credential"):
        raise ProviderRefused(endpoint.node_id, no_account(spec), by_hand)
    try:
        subscription = spec.subscribe(api, url, node.get("params", {}))
    except NodeError as error:
        if not url.startswith("https://") and refuses_the_address(error):
            error = not_public(spec, url, error)
        raise ProviderRefused(endpoint.node_id, error, by_hand) from None
    if subscription is not None:  # None: the merchant set the webhook up by hand
        endpoint.subscription = vault().encrypt(subscription)


def _set_up_by_hand(flow: Flow, endpoint: WebhookEndpoint, signing_secret: str) -> None:
    spec, _, _ = _trigger(flow, endpoint)
    if spec is None or _by_hand_address(spec, endpoint) is None:
        raise ProviderRefused(
            endpoint.node_id,
            UserError(
                gettext(
                    "This trigger cannot be set up by hand with a signing secret: switch the "
                    "flow on without one."
                )
            ),
        )
    if endpoint.subscription is not None and not set_up_by_hand(endpoint):
        _unsubscribe(flow, endpoint)  # the webhook Shopwire registered before
    endpoint.subscription = vault().encrypt({BY_HAND: signing_secret.strip()})


def no_account(spec) -> UserError:
    """A provider trigger switched on without an account: the account is what registers the
    webhook (the provider's secret key comes later, if at all)."""
    return UserError(
        gettext(
            "Choose the account of your shop for this step: %(provider)s registers the "
            "webhook with it.",
            provider=_provider(spec),
        ),
        field="credential",
        hint=gettext(
            "Or set the webhook up by hand in the shop's admin and switch the flow on with "
            "the signing secret the shop shows."
        ),
    )


def _provider(spec) -> str:
    return spec.connector.title.get("en", spec.connector.key)


def refuses_the_address(error: NodeError) -> bool:
    """Whether a provider's refusal is about the webhook address (not, say, a wrong key)."""
    said = f"{error.message} {error.field or ''}".lower()
    return any(word in said for word in ("http", "url", "uri", "protocol"))


def not_public(spec, url: str, refusal: NodeError) -> UserError:
    """The real cause when a provider refuses a plain http:// address (as Shopify does), with
    the way around it; the provider's own words follow."""
    return UserError(
        gettext(
            "%(provider)s sends events only to a public https:// address, and this "
            "installation's address is %(url)s. (%(refusal)s)",
            provider=_provider(spec),
            url=url,
            refusal=refusal.message,
        ),
        hint=gettext(
            "Set SHOPWIRE_PUBLIC_URL to the https address under which the shop can reach "
            "Shopwire, then switch the flow on again. Or set the webhook up by hand: copy this "
            "address into the shop's admin (its webhook or notification settings), and switch "
            "the flow on with the signing secret the shop shows."
        ),
    )


def _unsubscribe(flow: Flow, endpoint: WebhookEndpoint) -> None:
    """A refusal is logged, not raised: the flow goes off anyway and ignores late deliveries.

    The subscription is kept then, so the next activation does not register a second one.
    """
    spec, _, api = _trigger(flow, endpoint)
    if set_up_by_hand(endpoint) or api is None or spec.unsubscribe is None:
        endpoint.subscription = None  # the merchant removes a webhook set up by hand
        return
    try:
        spec.unsubscribe(api, vault().decrypt(endpoint.subscription))
    except NodeError as error:
        log.warning("flow %s: the provider kept its webhook: %s", flow.id, error.message)
        return
    endpoint.subscription = None


def webhook_url(endpoint: WebhookEndpoint, *, test: bool = False) -> str:
    base = current_app.config["SHOPWIRE_PUBLIC_URL"]
    path = (request.script_root if has_request_context() else "") + address(
        endpoint.token, test=test
    )
    if base:
        return base.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def webhooks(flow: Flow, *, test: bool = False) -> list[dict[str, str]]:
    """The addresses the flow listens at: production while it is on, test always."""
    if not (flow.active or test):
        return []
    trigger_id = version_graph(flow.current_version_id).trigger_id
    return [
        {"node_id": endpoint.node_id, "url": webhook_url(endpoint, test=test)}
        for endpoint in flow.endpoints
        if endpoint.node_id == trigger_id
    ]


@lru_cache(maxsize=1024)
def version_graph(version_id: int) -> Graph:
    """Versions never change, so each is parsed once per process."""
    return Graph(db.session.get(FlowVersion, version_id).graph)
