"""The declaration API for node types: what a node is, what it gets, and how it fails.

A node type is declared once, here in Python, and everything else (the editor's palette and
forms, validation on save and at run time, mapping previews, docs) is derived from it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

import requests

if TYPE_CHECKING:
    from nodes.kit.auth import AuthType
    from nodes.kit.client import ApiClient
    from nodes.kit.errors import ErrorBody
    from nodes.kit.rate_limits import RateLimit
    from nodes.kit.store import TriggerStore
    from nodes.kit.webhooks import Recovery, Webhooks

Kind = Literal["trigger", "transform", "action"]

OBJECT = {"type": "object", "additionalProperties": False}


class NodeError(Exception):
    """Base of the errors a node may raise; ``field`` names the parameter at fault, if any."""

    kind = "error"

    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.hint = hint

    def to_dict(self) -> dict[str, Any]:
        data = {"type": self.kind, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.hint:
            data["hint"] = self.hint
        return data


class UserError(NodeError):
    """The data or the configuration is wrong; retrying cannot help."""

    kind = "user"


class ProviderError(NodeError):
    """The remote system refused the request and said why; retrying will not change its mind."""

    kind = "provider"

    def __init__(self, message: str, *, status: int | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.status = status

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.status is not None:
            data["status"] = self.status
        return data


class TransientError(NodeError):
    """A timeout, a 429 or a 5xx: worth retrying, after ``retry_after`` seconds if given."""

    kind = "transient"

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How often a transient failure is retried, and how long to wait in between."""

    attempts: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt ``attempt + 1``; a provider's Retry-After wins."""
        exponential = self.backoff_seconds * 2 ** (attempt - 1)
        wanted = max(exponential, retry_after or 0.0)
        return min(wanted, self.max_backoff_seconds)


@dataclass(frozen=True)
class Outcome:
    """What a node returns when it decides which output ports carry its output.

    A plain return value is sent on every declared port; a filter that drops an item returns
    ``Outcome(output, ports=())`` so the branch ends quietly. ``resume_at`` (aware UTC) asks the
    engine to stop here and continue the flow at that time (the delay node).
    """

    output: Any
    ports: tuple[str, ...] = ("main",)
    resume_at: datetime | None = None


ERROR_PORT = "error"  # where a step set to ``on_error: "branch"`` sends its error


@dataclass(frozen=True)
class PortsFrom:
    """Output ports named in the flow: one per entry of a list parameter, then fixed ones.

    The router declares ``PortsFrom("branches", "name", ("default",))``; the editor applies
    the same rule to draw the handles, so the ports are declared here once.
    """

    param: str
    name: str
    fixed: tuple[str, ...] = ()

    def ports(self, params: dict[str, Any]) -> tuple[str, ...]:
        entries = params.get(self.param)
        named = [e.get(self.name) for e in entries if isinstance(e, dict)] if entries else []
        return tuple(dict.fromkeys([n for n in named if isinstance(n, str) and n] + [*self.fixed]))


@dataclass
class NodeContext:
    """What the engine hands a node at run time. Plain data and a session: no Flask.

    ``api`` is set for a connector's nodes: the provider's client with its base URL and the
    merchant's credential applied (see :mod:`nodes.kit.client`).
    """

    execution_id: str
    node_id: str
    http: requests.Session
    credential: dict[str, Any] | None = None
    api: ApiClient | None = None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("shopwire.nodes"))
    item: int | None = None  # the index of the current item inside a split
    # Evaluate a node's own JMESPath expression (a router's condition) against the step's
    # scope, the one mappings see: evaluate(expression, field) -> value; a UserError naming
    # the field if it cannot be evaluated.
    evaluate: Callable[[str, str], Any] = lambda _expression, _field: None
    # Run another flow of the same merchant with an input; return its output (sub-flows).
    call_flow: Callable[[str, Any, str], Any] | None = None
    # Hand the webhook sender the reply a "respond to webhook" step built.
    respond: Callable[[dict[str, Any]], None] = lambda _response: None
    # What a polling trigger keeps between polls (nodes.kit.store.TriggerStore).
    store: TriggerStore | None = None

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and resumed executions, so providers can drop repeats;
        each item of a split has its own."""
        key = f"{self.execution_id}:{self.node_id}"
        return key if self.item is None else f"{key}:{self.item}"


class InboundRequest:
    """A webhook delivery as a trigger sees it: raw bytes kept for signature checks.

    ``payload`` is the parsed body. Ingress gives ``parse`` instead, and the body is parsed
    when something first reads ``payload``: a signature over the raw bytes is checked before
    any parsing, so a forged delivery costs no parsing work. ``api`` is the connector's client
    with the merchant's account applied, for schemes where the provider itself checks the
    signature (PayPal's verify-webhook-signature call).
    """

    def __init__(
        self,
        body: bytes,
        headers: dict[str, str],
        query: dict[str, str],
        payload: Any = None,
        api: ApiClient | None = None,
        *,
        parse: Callable[[bytes], Any] | None = None,
    ) -> None:
        self.body, self.headers, self.query, self.api = body, headers, query, api
        self._given, self._parse = payload, parse

    @functools.cached_property
    def payload(self) -> Any:
        return self._given if self._parse is None else self._parse(self.body)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class SignatureError(Exception):
    """The delivery's signature is missing or wrong; the message says which."""


RunFunction = Callable[[NodeContext, dict[str, Any], Any], Any]
# Checks a delivery's signature with the account's data; raises SignatureError. When the
# trigger registered its webhook, what the provider returned is under "subscription".
VerifyFunction = Callable[[InboundRequest, dict[str, Any], dict[str, Any] | None], None]
EventIdFunction = Callable[[InboundRequest, dict[str, Any]], str | None]
# Why a delivery is answered 200 without running the flow (a ping, another topic), or None.
IgnoreFunction = Callable[[InboundRequest, dict[str, Any]], str | None]
# After the signature: why a verified delivery does not start this trigger (another event
# type), or None.
UnwantedFunction = Callable[[InboundRequest, dict[str, Any]], str | None]
# Register the flow's webhook URL with the provider; what it returns is kept (encrypted) for
# verifying deliveries and for unsubscribe. None: the merchant set the webhook up by hand.
SubscribeFunction = Callable[["ApiClient", str, dict[str, Any]], dict[str, Any] | None]
UnsubscribeFunction = Callable[["ApiClient", dict[str, Any]], None]
# How the engine feeds a node: its first active input (default), every active branch as a
# list ("branches", a merge), or each item of the split it closes as a list ("items").
# "split" marks the node whose list output the downstream part runs once per item for.
Control = Literal["split", "items", "branches"]
# What a node returns in a given flow, from its configuration and its input's schema.
DescribeOutput = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


NO_PARAMS = {"type": "object", "additionalProperties": False, "properties": {}}

# The choices of a parameter, loaded with the merchant's account (its locations, its prices):
# (the account's client) -> [{"value": …, "label": "…"}, …]. A parameter names its source
# with ``"x-options": {"source": "<name>"}``.
OptionsLoader = Callable[["ApiClient"], list[dict[str, Any]]]


def _delivered(ctx: NodeContext, params: dict[str, Any], input: Any) -> Any:
    return input


def params_schema(required: list[str] | tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    """A node's params: an object of these ``properties``, no others, ``required`` given."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {**schema, "properties": properties}


def account_schema(title: str, required: list[str], **fields: Any) -> dict[str, Any]:
    """A connector's account: these ``fields`` (secret ones ``writeOnly``), ``required``."""
    return {"type": "object", "title": title, "required": required, "properties": fields}


@dataclass(frozen=True)
class Connector:
    """An external system: its account, where its API lives, how it fails, what it sends.

    One package per system declares one ``Connector`` and its triggers and actions with
    :meth:`trigger`, :meth:`action` and :meth:`event_trigger`. The engine gives each of those
    nodes ``ctx.api``, a client built from this declaration and the merchant's credential.
    Every connector also gets ``<key>.api_call`` (any request with the account's auth) and,
    with ``webhooks``, ``<key>.event`` (any event type the provider documents).
    """

    key: str
    # English and German; from the package's texts.json when not given here.
    title: dict[str, str] = None  # type: ignore[assignment]
    description: dict[str, str] = None  # type: ignore[assignment]
    # JSON Schema of the merchant's account; secret fields are ``writeOnly``.
    auth: dict[str, Any] | None = None
    # The API's base URL for a credential (shop domain, sandbox or live).
    base_url: Callable[[dict[str, Any]], str] = lambda credential: ""
    # How requests are authenticated (nodes.kit.auth: Bearer, ApiKey, Basic, ClientCredentials,
    # AuthorizationCode, SessionLogin).
    auth_type: AuthType | None = None
    # Headers sent with every request (an API version, an Accept); a function gives a value
    # made afresh for each request (UPS wants a unique transId on every call).
    headers: dict[str, str | Callable[[], str]] = field(default_factory=dict)
    # Where the provider's error body says what is wrong (nodes.kit.errors.ErrorBody).
    errors: ErrorBody | None = None
    # Seconds to wait when a successful-looking reply says the client is throttled.
    throttled: Callable[[requests.Response, Any], float | None] = lambda response, body: None
    # What a merchant can do about a refusal, by status, where the generic hint misleads
    # (Klarna answers 403 when an order cannot be captured, not for a missing permission).
    hints: dict[int, str] | None = None
    # The provider's limit of requests per second per account, kept by waiting
    # (nodes.kit.rate_limits.RateLimit).
    rate_limit: RateLimit | None = None
    # Header carrying an idempotency key on POST requests, if the provider accepts one.
    idempotency_header: str | None = None
    # A cheap read that proves the credential works ("Test connection"); a text it returns
    # (the shop's name) is shown to the merchant.
    test: Callable[[ApiClient], Any] | None = None
    # How a request body goes out: JSON, unless the provider wants a form (Stripe).
    encode_body: Callable[[Any], dict[str, Any]] = lambda body: {"json": body}
    # Where GraphQL operations are posted, below the base URL.
    graphql_path: str = ""
    # What the provider sends (nodes.kit.webhooks.Webhooks).
    webhooks: Webhooks | None = None
    # Parameter choices loaded from the account, by source name.
    options: dict[str, OptionsLoader] = field(default_factory=dict)
    # False for a system reached otherwise than over an HTTP API (an SMTP server, a file
    # format): it gets no ``<key>.api_call``.
    http_api: bool = True
    # False when its nodes also work without an account (e-mail over the installation's
    # server): a template then asks for one only where the publisher's flow had one.
    account_required: bool = True

    def __post_init__(self) -> None:
        if self.title is None:
            from nodes.kit.texts import texts

            for name, text in texts(self.key).items():
                object.__setattr__(self, name, text)

    def error_message(self, body: Any) -> str | None:
        """The provider's own words from an error body, or None."""
        return self.errors.text(self.title["en"], body) if self.errors else None

    def verify(self, request: InboundRequest, credential: dict[str, Any] | None) -> None:
        """Check a delivery's signature with the account; raises SignatureError."""
        self.webhooks.signature.verify(request, credential or {}, self)

    def action(self, name: str, **declaration: Any) -> Callable[[RunFunction], RunFunction]:
        """Declare ``<connector>.<name>`` as an action of this connector."""
        return self._declare(name, "action", declaration)

    def trigger(self, name: str, **declaration: Any) -> Callable[[RunFunction], RunFunction]:
        """Declare ``<connector>.<name>`` as a trigger of this connector."""
        return self._declare(name, "trigger", declaration)

    def event_trigger(self, name: str, *, event: str | None = None, **declaration: Any) -> None:
        """Declare a webhook trigger for one event type (``event``), or, without one, for the
        type the merchant picks (param ``event``). The delivery is its output."""
        hooks = self.webhooks
        params = NO_PARAMS
        if event is None:
            params = params_schema(
                ["event"],
                event={
                    "type": "string",
                    "enum": list(hooks.events),
                    "title": "Event type",
                    "description": f"Any event {self.title['en']} documents, as it names it.",
                },
            )

        def wanted(params: dict[str, Any]) -> str:
            return event or params["event"]

        def unwanted(request: InboundRequest, params: dict[str, Any]) -> str | None:
            sent = hooks.event_type(request)
            if sent is None or sent == wanted(params):
                return None
            return f"This trigger runs for {wanted(params)}; {self.title['en']} sent {sent}."

        self.trigger(
            name,
            params=params,
            webhook=True,
            verify=lambda request, params, credential: self.verify(request, credential),
            event_id=lambda request, params: hooks.event_id(request),
            ignore=lambda request, params: hooks.ping(request),
            unwanted=unwanted,
            subscribe=(
                (lambda api, url, params: hooks.registered(api, url, wanted(params)))
                if hooks.subscribe
                else None
            ),
            unsubscribe=hooks.unsubscribe,
            webhook_event=wanted,
            recovery=hooks.recovery,
            **declaration,
        )(_delivered)

    def _declare(self, name: str, kind: Kind, declaration: dict[str, Any]):
        from nodes.kit.registry import node  # the registry imports this module

        return node(f"{self.key}.{name}", kind=kind, connector=self, **declaration)


@dataclass(frozen=True)
class NodeSpec:
    """The declaration of one node type at one version."""

    key: str
    version: int
    kind: Kind
    title: dict[str, str]
    description: dict[str, str]
    params: dict[str, Any]
    output_schema: dict[str, Any]
    output_example: Any
    run: RunFunction
    ports: tuple[str, ...] = ("main",)
    ports_from: PortsFrom | None = None
    control: Control | None = None
    retry: RetryPolicy = RetryPolicy()
    connector: Connector | None = None
    own_auth: dict[str, Any] | None = None  # auth of a node that has no connector
    webhook: bool = False  # a trigger that receives deliveries at its own URL
    # ``run`` has no effects and needs only its params and input: the editor's previews run it
    # on sample data to show what later steps will receive.
    pure: bool = False
    describe_output: DescribeOutput | None = None
    verify: VerifyFunction | None = None
    event_id: EventIdFunction | None = None
    ignore: IgnoreFunction | None = None
    unwanted: UnwantedFunction | None = None
    subscribe: SubscribeFunction | None = None
    unsubscribe: UnsubscribeFunction | None = None
    # Where the merchant pastes the webhook URL when the provider has no API for it (de/en).
    setup: dict[str, str] | None = None
    # A trigger whose delivery only names a record (Mollie sends a payment id): the worker
    # calls its ``run(ctx, params, delivery)`` as the execution's first recorded step, and
    # what it returns is the trigger's output; an Outcome without ports ends the run quietly.
    fetches: bool = False
    # A polling trigger: (ctx, params) -> the new items as (item id, item), oldest first; its
    # cursor in ctx.store. The app runs it on the trigger's schedule.
    poll: Callable[[NodeContext, dict[str, Any]], list[tuple[str, Any]]] | None = None
    # For a fetching trigger: the event a fetched record stands for (e.g. "<payment>:paid");
    # a later execution of the flow that fetches the same event ends quietly.
    fetched_event_id: Callable[[Any], str | None] | None = None
    # A webhook trigger of a connector: the event type it is registered for, from its params.
    webhook_event: Callable[[dict[str, Any]], str] | None = None
    # How a registered webhook the provider dropped is noticed and caught up with
    # (nodes.kit.webhooks.Recovery).
    recovery: Recovery | None = None

    def output_schema_in_flow(self, node: dict[str, Any], input_schema: dict[str, Any]):
        """What this node returns as configured in a flow (for checking later mappings)."""
        if self.describe_output:
            return self.describe_output(node, input_schema)
        return self.output_schema

    def ports_of(self, node: dict[str, Any]) -> tuple[str, ...]:
        """The output ports of this node as configured in a flow."""
        ports = self.ports_from.ports(node.get("params", {})) if self.ports_from else self.ports
        return (*ports, ERROR_PORT) if node.get("on_error") == "branch" else ports

    @property
    def connector_key(self) -> str:
        return self.connector.key if self.connector else self.key.split(".", 1)[0]

    @property
    def auth(self) -> dict[str, Any] | None:
        return self.connector.auth if self.connector else self.own_auth

    def describe(self) -> dict[str, Any]:
        """The node as the editor and the API see it."""
        return {
            "key": self.key,
            "version": self.version,
            "kind": self.kind,
            "connector": self.connector_key,
            "connector_title": self.connector.title if self.connector else None,
            "title": self.title,
            "description": self.description,
            "params": self.params,
            "output_schema": self.output_schema,
            "output_example": self.output_example,
            "ports": list(self.ports),
            "ports_from": self.ports_from
            and {
                "param": self.ports_from.param,
                "name": self.ports_from.name,
                "fixed": list(self.ports_from.fixed),
            },
            "webhook": self.webhook,
            "auth": self.auth,
            "subscribes": self.subscribe is not None,
            "setup": self.setup,
            "fetches": self.fetches,
            "retry": {
                "attempts": self.retry.attempts,
                "backoff_seconds": self.retry.backoff_seconds,
            },
        }
