"""The base of every provider fake: a recording server that answers like the vendor's API.

A fake declares its routes with :func:`route` (method and a path pattern with ``{name}``
parts), checks authentication in :meth:`FakeProvider.authorized`, and shapes errors the way
the vendor does in :meth:`FakeProvider.error`. Tests queue failures with :meth:`fail_next`
(a provider refusal or a rate-limit reply) and assert on :attr:`requests`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

from nodes.kit.fakes.receiver import Receiver, Recorded, Reply

Handler = Callable[..., tuple[int, Any] | tuple[int, Any, dict[str, str]]]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Mark a fake's method as the answer to ``method`` on paths matching ``pattern``."""

    def mark(handler: Handler) -> Handler:
        regex = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", pattern)
        handler.route = (method, re.compile(f"^{regex}$"))
        return handler

    return mark


class FakeProvider(Receiver):
    """Serves the routes of a subclass on 127.0.0.1; ``origin`` is what connectors point at."""

    content_type = "application/json"
    account: dict[str, Any] = {}  # an account the fake accepts
    sample_call: tuple[str, str, Any] = ("GET", "/", None)  # method, path, body it answers

    def run(self, key: str, params: dict[str, Any], input: Any = None) -> Any:
        """Run node ``key`` (newest version) against this fake with :attr:`account`, as a
        flow step would (its params checked against its schema first), without the web app:
        a connector's unit tests call this."""
        return run_node(key, params, self.account, input, origin=self.origin)

    def __init__(self) -> None:
        super().__init__()
        self.reply = self._answer
        self._failures: list[Reply] = []
        self._routes = [
            (*function.route, getattr(self, name))
            for cls in type(self).__mro__
            for name, function in vars(cls).items()
            if hasattr(function, "route")
        ]

    @property
    def origin(self) -> str:
        return self.url("").rstrip("/")

    def api(self, connector: Any) -> Any:
        """``connector``'s client with :attr:`account`, pointed at this fake: for a
        connector's "Test connection" and its options loaders."""
        from nodes.kit.client import ApiClient
        from nodes.kit.guarded_http import guarded_session

        session = guarded_session(allow_private=True, timeout=5.0)
        return ApiClient(connector, session, self.account, origin=self.origin)

    def fail_next(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer the next request with this reply (queue several for several requests)."""
        self._failures.append(self._encode(status, body, headers or {}))

    def rate_limit_next(self, retry_after: int = 1) -> None:
        """The vendor's documented rate-limit reply, once."""
        status, body, headers = self.rate_limited(retry_after)
        self.fail_next(status, body, headers)

    # to override

    def authorized(self, request: Recorded) -> bool:
        return True

    def error(self, status: int, message: str) -> Any:
        return {"error": message}

    def rate_limited(self, retry_after: int) -> tuple[int, Any, dict[str, str]]:
        return 429, self.error(429, "Too many requests"), {"Retry-After": str(retry_after)}

    # serving

    def _answer(self, request: Recorded) -> Reply:
        if self._failures:
            return self._failures.pop(0)
        if not self.authorized(request):
            return self._encode(401, self.error(401, "Invalid credentials"), {})
        path = urlsplit(request.path).path
        for method, pattern, handler in self._routes:
            if method == request.method and (match := pattern.match(path)):
                status, body, *headers = handler(request, **match.groupdict())
                return self._encode(status, body, headers[0] if headers else {})
        return self._encode(404, self.error(404, f"No route for {request.method} {path}"), {})

    def _encode(self, status: int, body: Any, headers: dict[str, str]) -> Reply:
        """None is an empty body (204, or Klarna's 201 that answers with headers only); bytes
        go out as they are (XML, a PDF), anything else as JSON."""
        if body is None:
            return status, headers, b""
        if isinstance(body, bytes):
            return status, {"Content-Type": self.content_type, **headers}, body
        return status, {"Content-Type": self.content_type, **headers}, json.dumps(body).encode()


def run_node(
    key: str,
    params: dict[str, Any],
    account: dict[str, Any] | None,
    input: Any = None,
    *,
    origin: str | None = None,
) -> Any:
    """Run node ``key`` (newest version) with ``account`` as a flow step would, its params
    checked against its schema first, its API pointed at ``origin``; private addresses are
    allowed, since fakes listen on loopback."""
    from nodes.kit import registry  # the registry imports the connectors that import this
    from nodes.kit.base import NodeContext
    from nodes.kit.client import ApiClient
    from nodes.kit.guarded_http import guarded_session

    spec = registry.get(key, registry.versions(key)[-1])
    jsonschema.validate(params, spec.params, cls=jsonschema.Draft202012Validator)
    session = guarded_session(allow_private=True, timeout=5.0)
    api = ApiClient(spec.connector, session, account, idempotency_key="run:step", origin=origin)
    ctx = NodeContext("run", "step", session, credential=account, api=api)
    return spec.run(ctx, params, input)


def query(request: Recorded) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.path).query))


def form(request: Recorded) -> dict[str, str]:
    """A form-encoded body (Stripe's API style) as a flat dict of its bracketed keys."""
    return dict(parse_qsl(request.body.decode()))
