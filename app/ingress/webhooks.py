"""Webhook ingress: ``POST /hooks/<token>``.

Verify, deduplicate, commit the event as a queued execution, and only then answer 202. If the
event cannot be committed the sender gets 503 and retries; an acknowledged event is never lost.

Deliveries are answered by :class:`Ingress`, a WSGI middleware in front of Flask's request
handling. A delivery needs the app's configuration, database and Redis, so it runs in an app
context; it needs nothing of what Flask sets up for every page and API request (the session,
sign-in and CSRF checks, the language, Flask-Limiter's per-address check, which ran although
webhooks were exempt, the request context, URL dispatch through every blueprint), which
would be a good part of a delivery's cost.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app
from sqlalchemy import bindparam, select
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Request

from app.api.problems import ApiProblem, http_problem, internal_error
from app.credentials import store
from app.credentials.vault import vault
from app.extensions import db, execute_core
from app.flows import lifecycle
from app.flows.webhook_urls import PREFIX, URLS
from app.identity.access import default_headers
from app.ingress import limits
from app.models import Flow, Merchant, RejectedEvent, WebhookEndpoint
from app.operations import log_format, metrics
from app.runtime import executions
from app.runtime.provider_http import api_client
from app.runtime.queue import wait_for_response
from nodes.engine.payloads import PayloadError, parse_body
from nodes.engine.redaction import Secrets
from nodes.kit import registry
from nodes.kit.base import InboundRequest, NodeError, SignatureError, TransientError

log = logging.getLogger("shopwire.hooks")


KEPT_BODY_BYTES = 64 * 1024
# Headers kept with a rejected delivery: enough to diagnose it, never credentials or cookies.
# Besides these, the ones the trigger's connector declares (its signature and event headers).
KEPT_HEADERS = {"content-type", "content-length", "user-agent", "x-request-id", "idempotency-key"}


ENDPOINT = (
    select(
        WebhookEndpoint.merchant_id,
        WebhookEndpoint.flow_id,
        WebhookEndpoint.node_id,
        Flow.current_version_id,
        Flow.active,
        WebhookEndpoint.subscription,
        Merchant.webhooks_per_minute,
        Merchant.max_payload_bytes,
    )
    .join(Flow, Flow.id == WebhookEndpoint.flow_id)
    .join(Merchant, Merchant.id == WebhookEndpoint.merchant_id)
    .where(WebhookEndpoint.token == bindparam("token"), Flow.deleted_at.is_(None))
)


class Ingress:
    """Answers every request under ``/hooks/``; hands all others to Flask (``wsgi_app``)."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(PREFIX):
            return self.wsgi_app(environ, start_response)
        request = Request(environ)
        with self.app.app_context():
            response = default_headers(_answer(request))
            return response(environ, start_response)


def _answer(request: Request) -> Response:
    try:
        endpoint, arguments = URLS.bind_to_environ(request.environ).match()
        if request.method == "HEAD":
            return Response(status=200)
        body = _read(request, current_app.config["SHOPWIRE_MAX_WEBHOOK_BYTES"])
        return _guarded(request, arguments["token"], body, test=endpoint == "receive_test")
    except ApiProblem as problem:
        return problem.response()
    except HTTPException as error:  # 404, 405, 413
        return http_problem(error)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return internal_error()


def _read(request: Request, limit: int) -> bytes:
    """The body; 413 past the limit, whether the sender gave its length or streamed it in
    chunks (a stream is read one byte past the limit, so a longer one is refused, not cut)."""
    request.max_content_length = limit + 1
    body = request.get_data(cache=False)
    if len(body) > limit:
        raise RequestEntityTooLarge()
    return body


def _guarded(request: Request, token: str, body: bytes, test: bool) -> Response:
    try:
        return _receive(request, token, body, test)
    except DBAPIError:
        db.session.rollback()
        log.exception("webhook %s could not be stored", token[:6])
        raise ApiProblem(
            503,
            "Temporarily unavailable",
            "The event could not be stored. Send it again in a few seconds.",
            headers={"Retry-After": "5"},
        ) from None


@dataclass(frozen=True)
class _Hook:
    """The trigger a webhook address leads to."""

    merchant_id: int
    flow_id: str
    node_id: str
    version_id: str
    listening: bool
    subscription: bytes | None
    per_minute: int | None
    max_bytes: int | None
    node: dict
    spec: Any

    @property
    def params(self) -> dict:
        return self.node.get("params", {})


@dataclass(frozen=True)
class _Delivery:
    """One request to a hook, with the account its signature is checked with."""

    request: Request
    body: bytes
    hook: _Hook
    credential: dict | None
    secrets: Secrets

    @property
    def stored(self) -> bytes:
        """The body as kept: a sender may echo the shared secret (some send it as a token)."""
        return self.secrets.scrub_bytes(self.body) if self.secrets else self.body


def _receive(request: Request, token: str, body: bytes, test: bool) -> Response:
    hook = _look_up(token, test)
    limits.check_webhook(hook.merchant_id, hook.per_minute, hook.max_bytes, len(body))
    delivery = _open(request, body, hook)
    inbound = _inbound(delivery)
    try:
        # A ping or another topic is answered without running anything, so it needs no check.
        if hook.spec.ignore and (reason := hook.spec.ignore(inbound, hook.params)):
            return _json({"ignored": reason}, 200)
        if not hook.listening:
            raise _unknown()
        if hook.spec.verify:
            _check_signature(delivery, inbound)
        _require_payload(inbound)
    except PayloadError as error:  # a body that cannot be read is refused (and kept)
        if not hook.listening:
            raise _unknown() from None
        _reject(delivery, error.status, error.message)
    # Only a verified delivery is told apart by its type: a forged one was refused above.
    if hook.spec.unwanted and (reason := hook.spec.unwanted(inbound, hook.params)):
        return _json({"ignored": reason}, 200)
    return _start(delivery, inbound, test)


def _look_up(token: str, test: bool) -> _Hook:
    """The trigger at this address; 404 when there is none, or none that listens."""
    found = execute_core(ENDPOINT, {"token": token}).first()
    log_format.bind(shop_id=found and found.merchant_id)
    if found is None:
        raise _unknown()
    merchant_id, flow_id, node_id, version_id, active, subscription, per_minute, max_bytes = found
    graph = lifecycle.version_graph(version_id)
    if graph.trigger_id != node_id:
        raise ApiProblem(404, "Unknown webhook", "This trigger was removed from the flow.")
    hook = _Hook(
        merchant_id=merchant_id,
        flow_id=flow_id,
        node_id=node_id,
        version_id=version_id,
        # The test address runs a flow that is off; the production one does not, but still
        # answers a provider's ping (sent while the flow is being switched on).
        listening=active or test,
        subscription=subscription,
        per_minute=per_minute,
        max_bytes=max_bytes,
        node=graph.nodes[node_id],
        spec=graph.spec(node_id),
    )
    metrics.delivery(hook.spec.connector_key, "received")
    if not hook.listening and hook.spec.ignore is None:
        raise _unknown()
    return hook


def _open(request: Request, body: bytes, hook: _Hook) -> _Delivery:
    credential = store.decrypted(hook.merchant_id, hook.node.get("credential"))
    secrets = store.secrets_of(hook.spec.connector_key, credential)
    return _Delivery(request, body, hook, credential, secrets)


def _inbound(delivery: _Delivery) -> InboundRequest:
    """The delivery as a trigger sees it. Its body is parsed when first read: schemes that
    sign the raw bytes check them before any parsing; one that needs the parsed body (PayPal)
    parses it first, in linear time and within the size limit."""
    request = delivery.request
    return InboundRequest(
        body=delivery.body,
        headers=dict(request.headers),
        query=request.args.to_dict(),
        parse=lambda body: parse_body(body, request.content_type),
    )


def _require_payload(inbound: InboundRequest) -> None:
    """Parse the body now, if no check needed it yet: raises PayloadError when unreadable."""
    inbound.payload  # noqa: B018


def _check_signature(delivery: _Delivery, inbound: InboundRequest) -> None:
    """Refuse (and keep) a delivery whose signature does not hold; 503 when it cannot be
    checked now (not acknowledged, so nothing is lost: the provider sends it again)."""
    try:
        _verify(delivery.hook, inbound, delivery.credential)
    except SignatureError as error:
        _reject(delivery, 401, str(error))
    except TransientError as error:
        raise ApiProblem(
            503,
            "Temporarily unavailable",
            f"The signature could not be checked now: {error.message} Send it again later.",
            headers={"Retry-After": str(int(error.retry_after or 30))},
        ) from None
    except NodeError as error:
        _reject(delivery, 401, f"The signature check failed: {error}")


def _start(delivery: _Delivery, inbound: InboundRequest, test: bool) -> Response:
    """Commit the event as a queued execution (once per event id), then answer."""
    hook, request = delivery.hook, delivery.request
    try:
        execution_id = executions.start(
            merchant_id=hook.merchant_id,
            flow_id=hook.flow_id,
            version_id=hook.version_id,
            body=delivery.stored,
            content_type=request.content_type,
            mode="test" if test else "webhook",
            dedupe_key=_dedupe_key(hook, inbound, test),
            signed_body=_signed_body(delivery, test),
        )
    except executions.Duplicate as duplicate:
        metrics.delivery(hook.spec.connector_key, "deduplicated")
        return _json({"execution_id": duplicate.execution_id, "duplicate": True}, 200)
    metrics.delivery(hook.spec.connector_key, "accepted")
    if hook.params.get("respond") == "from_flow":  # the event is committed: now we may wait
        reply = wait_for_response(execution_id, hook.params.get("respond_timeout_seconds", 10))
        if reply is not None:
            return _flow_reply(reply)
    return _json({"execution_id": execution_id, "status": "queued"}, 202)


def _signed_body(delivery: _Delivery, test: bool) -> str | None:
    """The hash of a body whose signature was checked: a replay of it under a new delivery id
    (which the signature does not cover) is the same event. A connector's trigger always
    checks one; the generic webhook only when it is set up to."""
    hook = delivery.hook
    signed = hook.spec.verify and (hook.spec.connector or hook.params.get("signature"))
    return hashlib.sha256(delivery.body).hexdigest() if signed and not test else None


def _dedupe_key(hook: _Hook, inbound: InboundRequest, test: bool) -> str | None:
    spec = hook.spec
    key = (spec.event_id(inbound, hook.params) if spec.event_id else None) or inbound.header(
        "Idempotency-Key"
    )
    if test and key:
        key = f"test:{key}"  # a test never stops the real event from running
    return _bounded(key)


def _json(body: dict, status: int) -> Response:
    response = current_app.json.response(body)
    response.status_code = status
    return response


def _unknown() -> ApiProblem:
    return ApiProblem(
        404,
        "Unknown webhook",
        "No active flow listens at this address. Switch the flow on, or copy "
        "its current webhook address.",
    )


def _verify(hook: _Hook, inbound: InboundRequest, credential) -> None:
    """Check the signature with the account, and what the provider returned when the webhook
    was registered (some providers issue the signing secret then). Schemes where the provider
    checks the signature itself call it with ``inbound.api``."""
    if hook.spec.connector is not None and credential:
        inbound.api = api_client(hook.spec.connector, credential)
    if hook.subscription is not None:
        credential = {**(credential or {}), "subscription": vault().decrypt(hook.subscription)}
    hook.spec.verify(inbound, hook.params, credential)


def _flow_reply(reply: dict) -> Response:
    """The reply a "respond to webhook" step built: JSON for data, text for text."""
    body = reply.get("body")
    if body is None or isinstance(body, str):
        response = Response(body or "", mimetype="text/plain")
    else:
        response = Response(json.dumps(body), mimetype="application/json")
    response.status_code = reply.get("status", 200)
    for name, value in (reply.get("headers") or {}).items():
        if CONTROL.search(f"{name}{value}"):  # a line break would start a header of its own
            log.warning("a flow's reply header %r was left out: it has a line break", name)
            continue
        response.headers[name] = value
    # Whatever the flow sends is the flow's content, not the app's: never run as a page here.
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _bounded(key: str | None) -> str | None:
    """Event ids longer than the column are hashed, not cut, so distinct ids stay distinct."""
    if key is None or len(key) <= 255:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _reject(delivery: _Delivery, status: int, reason: str):
    """Keep the refused delivery for the merchant to see, then answer with the reason."""
    secrets, request, hook = delivery.secrets, delivery.request, delivery.hook
    metrics.delivery(hook.spec.connector_key, "rejected")
    reason = secrets.scrub(reason)
    kept = KEPT_HEADERS | registry.webhook_headers()
    db.session.add(
        RejectedEvent(
            merchant_id=hook.merchant_id,
            flow_id=hook.flow_id,
            node_id=hook.node_id,
            status_code=status,
            reason=reason[:1000],
            content_type=request.content_type,
            headers=secrets.scrub({k: v for k, v in request.headers.items() if k.lower() in kept}),
            body=delivery.stored[:KEPT_BODY_BYTES],
        )
    )
    db.session.commit()
    title = {401: "Invalid signature", 415: "Unsupported content type"}.get(status, "Bad request")
    raise ApiProblem(status, title, reason)
