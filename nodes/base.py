"""The declaration API for node types: what a node is, what it gets, and how it fails.

A node type is declared once, here in Python, and everything else (the editor's palette and
forms, validation on save and at run time, mapping previews, docs) is derived from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import requests

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
    ``Outcome(output, ports=())`` so the branch ends quietly.
    """

    output: Any
    ports: tuple[str, ...] = ("main",)


@dataclass
class NodeContext:
    """What the engine hands a node at run time. Plain data and a session: no Flask."""

    execution_id: str
    node_id: str
    http: requests.Session
    credential: dict[str, Any] | None = None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("shopwire.nodes"))

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and resumed executions, so providers can drop repeats."""
        return f"{self.execution_id}:{self.node_id}"


@dataclass(frozen=True)
class InboundRequest:
    """A webhook delivery as a trigger sees it: raw bytes kept for signature checks."""

    body: bytes
    headers: dict[str, str]
    query: dict[str, str]
    payload: Any

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


class SignatureError(Exception):
    """The delivery's signature is missing or wrong; the message says which."""


RunFunction = Callable[[NodeContext, dict[str, Any], Any], Any]
VerifyFunction = Callable[[InboundRequest, dict[str, Any], dict[str, Any] | None], None]
EventIdFunction = Callable[[InboundRequest, dict[str, Any]], str | None]
# A connector's connection test: one cheap authenticated request; raises a NodeError with the
# provider's message when the credential does not work, else returns a short confirmation.
AuthTestFunction = Callable[[requests.Session, dict[str, Any]], str | None]
# What a node returns in a given flow, from its configuration and its input's schema.
DescribeOutput = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


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
    retry: RetryPolicy = RetryPolicy()
    connector: str | None = None
    auth: dict[str, Any] | None = None
    auth_test: AuthTestFunction | None = None
    webhook: bool = False  # a trigger that receives deliveries at its own URL
    describe_output: DescribeOutput | None = None
    verify: VerifyFunction | None = None
    event_id: EventIdFunction | None = None

    def output_schema_in_flow(self, node: dict[str, Any], input_schema: dict[str, Any]):
        """What this node returns as configured in a flow (for checking later mappings)."""
        if self.describe_output:
            return self.describe_output(node, input_schema)
        return self.output_schema

    @property
    def connector_key(self) -> str:
        return self.connector or self.key.split(".", 1)[0]

    def describe(self) -> dict[str, Any]:
        """The node as the editor and the API see it."""
        return {
            "key": self.key,
            "version": self.version,
            "kind": self.kind,
            "connector": self.connector_key,
            "title": self.title,
            "description": self.description,
            "params": self.params,
            "output_schema": self.output_schema,
            "output_example": self.output_example,
            "ports": list(self.ports),
            "webhook": self.webhook,
            "auth": self.auth,
            "retry": {
                "attempts": self.retry.attempts,
                "backoff_seconds": self.retry.backoff_seconds,
            },
        }
